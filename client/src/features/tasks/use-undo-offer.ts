import { useCallback, useEffect, useRef, useState } from 'react';

/** How long an Undo stays on offer (D34): long enough to notice and reach the button, short enough to go by itself. */
export const UNDO_MS = 8_000;

export interface UndoOffer {
  id: number;
  text: string;
  undo: () => void;
}

let nextId = 1;

/**
 * One Undo at a time (D34): a newer change replaces the offer for the older one, whose change stays
 * done. The offer expires after `ms`, except while the person hovers or focuses it (pause/resume),
 * so a keyboard or screen-reader user is never raced by the timer.
 */
export function useUndoOffer(ms = UNDO_MS) {
  const [offer, setOffer] = useState<UndoOffer | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const paused = useRef(false);

  const dismiss = useCallback(() => {
    clearTimeout(timer.current);
    setOffer(null);
  }, []);

  const arm = useCallback(() => {
    clearTimeout(timer.current);
    if (!paused.current) timer.current = setTimeout(() => setOffer(null), ms);
  }, [ms]);

  const show = useCallback(
    (text: string, undo: () => void) => {
      setOffer({ id: nextId++, text, undo });
      arm();
    },
    [arm],
  );

  const pause = useCallback(() => {
    paused.current = true;
    clearTimeout(timer.current);
  }, []);

  const resume = useCallback(() => {
    paused.current = false;
    arm();
  }, [arm]);

  /** Runs the offered undo once and closes the offer. */
  const take = useCallback(() => {
    if (!offer) return;
    dismiss();
    offer.undo();
  }, [offer, dismiss]);

  useEffect(() => () => clearTimeout(timer.current), []);

  return { offer, show, dismiss, pause, resume, take };
}

export type UndoOffers = ReturnType<typeof useUndoOffer>;
