/** An accepted session whose mechanic has had no connection this long goes back to the queue. */
export const STRANDED_AFTER_MS = 3 * 60_000;

export interface StrandFacts {
  acceptedAt: Date;
  /** The mechanic's last heartbeat from any connection (any process); null if never seen. */
  lastSeenAt: Date | null;
}

/** Whether the mechanic has been gone long enough (counting from the accept if seen before it). */
export function isStranded(facts: StrandFacts, now: Date, afterMs = STRANDED_AFTER_MS): boolean {
  const seen = Math.max(facts.acceptedAt.getTime(), facts.lastSeenAt?.getTime() ?? Number.NEGATIVE_INFINITY);
  return now.getTime() - seen >= afterMs;
}

/** The reason written on the event that returns the session to the queue. */
export function strandedReason(afterMs = STRANDED_AFTER_MS): string {
  const span = afterMs % 60_000 === 0 ? `${afterMs / 60_000} min` : `${Math.round(afterMs / 1000)} s`;
  return `mechanic lost connection: no connection for ${span}; back in the queue at its original place`;
}

/** Recognises that reason on a stored event (for "your mechanic lost connection" notices). */
export const STRANDED_REASON_PREFIX = 'mechanic lost connection';
