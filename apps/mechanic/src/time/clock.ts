import { useSyncExternalStore } from 'react';

/**
 * One shared 1 s ticker for every "waiting 3 min" and countdown on the page. Each subscriber reads
 * the time rounded to its own granularity, so React re-renders a label only when its text can change,
 * never the whole queue on every tick.
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
export function useNow(granularityMs: number): number {
  return useSyncExternalStore(subscribe, () => Math.floor(Date.now() / granularityMs) * granularityMs);
}
