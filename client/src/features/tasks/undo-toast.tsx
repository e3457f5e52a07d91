import { useEffect, type FocusEvent } from 'react';
import type { UndoOffers } from './use-undo-offer';

/** Typing in a field keeps the field's own Ctrl+Z. */
const isTextEntry = (target: EventTarget | null): boolean =>
  target instanceof HTMLElement &&
  (target.isContentEditable || target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement);

/**
 * The Undo toast (D34): what just happened and an "Undo" button, announced politely
 * (role=status), in the tab order, fixed at the bottom of the viewport. Hovering or focusing it
 * stops its clock. Ctrl+Z (⌘Z) outside a text field is the same as the button, so a keyboard user
 * need not tab past a long list to reach it.
 */
export function UndoToast({ offers }: { offers: UndoOffers }) {
  const { offer, take } = offers;
  useEffect(() => {
    if (!offer) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.shiftKey && !event.altKey && event.key === 'z') {
        if (isTextEntry(event.target)) return;
        event.preventDefault();
        take();
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [offer, take]);
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
          <button
            type="button"
            className="button undo-button"
            onClick={take}
            aria-keyshortcuts="Control+Z Meta+Z"
          >
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
