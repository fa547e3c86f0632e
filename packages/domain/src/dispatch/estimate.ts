/** How far back acceptance times count, and how many a typical wait needs; fewer means "unknown". */
export const WAIT_WINDOW_MS = 2 * 60 * 60_000;
export const WAIT_MIN_SAMPLES = 3;
export const WAIT_MAX_SAMPLES = 50;

export interface WaitRange {
  /** Median of the measured waits, and the spread shown to people (25th to 75th percentile). */
  medianSeconds: number;
  lowSeconds: number;
  highSeconds: number;
  samples: number;
}

/** The q-quantile (0..1) of sorted values, interpolating linearly. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (at - lo);
}

/** The typical wait from measured queue-to-accept times (ms), or null when there are too few. */
export function waitRange(waitsMs: readonly number[]): WaitRange | null {
  const valid = waitsMs.filter((w) => Number.isFinite(w) && w >= 0);
  if (valid.length < WAIT_MIN_SAMPLES) return null;
  const sorted = [...valid].sort((a, b) => a - b);
  const seconds = (ms: number) => Math.round(ms / 1000);
  return {
    medianSeconds: seconds(quantile(sorted, 0.5)),
    lowSeconds: seconds(quantile(sorted, 0.25)),
    highSeconds: seconds(quantile(sorted, 0.75)),
    samples: sorted.length,
  };
}

/** The service-level thresholds reported on /metrics and the admin board. */
export const SLA_THRESHOLDS_SECONDS = [30, 60, 120] as const;

export interface ServiceLevel {
  /** Requests that entered the queue in the window and were accepted or given up on. */
  requests: number;
  /** Share (0..1) of those accepted within each threshold; null without requests. */
  acceptedWithin: Record<(typeof SLA_THRESHOLDS_SECONDS)[number], number | null>;
}

/**
 * Service level over requests that finished waiting: each is its wait in ms if accepted, or null
 * if it was never accepted (cancelled while waiting): those count against every threshold.
 */
export function serviceLevel(outcomes: readonly (number | null)[]): ServiceLevel {
  const share = (limitS: number) =>
    outcomes.length === 0
      ? null
      : outcomes.filter((w) => w !== null && w <= limitS * 1000).length / outcomes.length;
  return {
    requests: outcomes.length,
    acceptedWithin: { 30: share(30), 60: share(60), 120: share(120) },
  };
}
