import type { FocusEvent } from 'react';
import type { UndoOffers } from './use-undo-offer';

/**
 * The Undo toast (D34): what just happened and an "Undo" button, announced politely
 * (role=status), in the tab order, fixed at the bottom of the viewport. Hovering or focusing it
 * stops its clock.
 */
export function UndoToast({ offers }: { offers: UndoOffers }) {
  const { offer } = offers;
  const onBlur = (event: FocusEvent<HTMLDivElement>) => {
    if (!event.currentTarget.contains(event.relatedTarget as Node | null)) offers.resume();
  };
  return (
    <div className="undo-region" role="status" aria-live="polite" aria-atomic="true">
      {offer && (
        <div
          key={offer.id}
          className="undo-toast"
          onMouseEnter={offers.pause}
          onMouseLeave={offers.resume}
          onFocus={offers.pause}
          onBlur={onBlur}
        >
          <span className="undo-text">{offer.text}</span>
          <button type="button" className="button undo-button" onClick={offers.take}>
            Undo
          </button>
          <button
            type="button"
            className="button button-quiet undo-dismiss"
            onClick={offers.dismiss}
            aria-label="Dismiss"
          >
            <span aria-hidden="true">×</span>
          </button>
        </div>
      )}
    </div>
  );
}
