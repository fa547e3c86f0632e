/**
 * Fair order of waiting requests. Urgent requests get a head start of URGENT_HEAD_START_MS: they
 * rank as if they had been queued that much earlier. So urgent comes before normal, yet a normal
 * request that has waited longer than the head start goes before any urgent request queued after
 * it: a stream of urgent requests can delay it by at most the head start, never forever.
 */
export const URGENT_HEAD_START_MS = 5 * 60_000;

export interface RankedRequest {
  id: string;
  urgent: boolean;
  /** When it (first) entered the queue; kept when a stranded session returns, so it keeps its place. */
  queuedAt: Date;
}

/** The instant a request ranks at: smaller goes first. */
export function rankTime(request: Pick<RankedRequest, 'urgent' | 'queuedAt'>): number {
  return request.queuedAt.getTime() - (request.urgent ? URGENT_HEAD_START_MS : 0);
}

/** Queue order: by rank time, then urgent first, then id (a total, stable order). */
export function compareRequests(a: RankedRequest, b: RankedRequest): number {
  const byRank = rankTime(a) - rankTime(b);
  if (byRank !== 0) return byRank;
  if (a.urgent !== b.urgent) return a.urgent ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The same order as SQL, for the assignments table (milliseconds from URGENT_HEAD_START_MS). */
export const RANK_SQL = `(queued_at - CASE WHEN urgent THEN interval '${URGENT_HEAD_START_MS} milliseconds' ELSE interval '0' END)`;

export interface IdleFacts {
  userId: string;
  /** When they were last offered a request (targeted mode). */
  lastOfferedAt: Date | null;
  /** When their last session ended (completed or cancelled) or, if one is live, began. */
  lastSessionAt: Date | null;
}

/** Since when a mechanic has been idle: their last offer or session, whichever is later. */
export function idleSince(m: IdleFacts): number {
  return Math.max(
    m.lastOfferedAt?.getTime() ?? Number.NEGATIVE_INFINITY,
    m.lastSessionAt?.getTime() ?? Number.NEGATIVE_INFINITY,
  );
}

/** Longest idle first; never-offered mechanics first of all; ties by id so every process agrees. */
export function compareIdle(a: IdleFacts, b: IdleFacts): number {
  const ia = idleSince(a);
  const ib = idleSince(b);
  if (ia !== ib) return ia < ib ? -1 : 1;
  return a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0;
}
