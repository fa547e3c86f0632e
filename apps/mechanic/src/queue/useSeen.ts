import { type RefObject, useEffect } from 'react';

/** How long a new card must be on screen, in a visible and focused tab, to count as seen. */
const SEEN_AFTER_MS = 1_500;

/** Calls `onSeen` once the element was at least half on screen for SEEN_AFTER_MS while the tab was looked at. */
export function useSeen(ref: RefObject<Element | null>, active: boolean, onSeen: () => void): void {
  useEffect(() => {
    const element = ref.current;
    if (!active || !element) return;
    let onScreen = false;
    let shownFor = 0;
    const observer =
      typeof IntersectionObserver === 'undefined'
        ? null
        : new IntersectionObserver(
            (entries) => {
              for (const entry of entries) onScreen = entry.intersectionRatio >= 0.5;
            },
            { threshold: [0, 0.5, 1] },
          );
    observer?.observe(element);
    if (!observer) onScreen = true;
    const step = 250;
    const timer = setInterval(() => {
      const looked = document.visibilityState === 'visible' && document.hasFocus();
      shownFor = onScreen && looked ? shownFor + step : 0;
      if (shownFor >= SEEN_AFTER_MS) {
        clearInterval(timer);
        onSeen();
      }
    }, step);
    return () => {
      clearInterval(timer);
      observer?.disconnect();
    };
  }, [ref, active, onSeen]);
}
