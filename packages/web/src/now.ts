import { useSyncExternalStore } from 'react';

/**
 * One shared 1 s ticker for every "waiting 3 min" and countdown on a page. Each caller reads the
 * time floored to its own granularity, so React re-renders a label only when its text can change.
 */
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  timer ??= setInterval(() => {
    for (const notify of listeners) notify();
  }, 1_000);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

/** Now, floored to `granularityMs`: re-renders the caller once per granularity step. */
export function useNow(granularityMs = 1_000): number {
  return useSyncExternalStore(subscribe, () => Math.floor(Date.now() / granularityMs) * granularityMs);
}
