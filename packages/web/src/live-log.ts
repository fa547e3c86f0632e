import { comparePositions, type Position, parsePosition } from '@dispatch/domain';

/** A streamed event with the position it came at (null for this tab's own optimistic results). */
export interface LoggedEvent<TEvent> {
  position: Position | null;
  event: TEvent;
}

/**
 * The view of a live snapshot: the snapshot's own view plus every logged event after the
 * snapshot's position, applied in order. Events at or before that position are already in the
 * snapshot and are skipped (an event may arrive once more after a reconnect); `apply` should also
 * ignore what is older than what it holds (by version).
 */
export function foldLog<TSnapshot extends { position: string }, TView, TEvent>(
  snapshot: TSnapshot,
  log: readonly LoggedEvent<TEvent>[],
  view: (snapshot: TSnapshot) => TView,
  apply: (view: TView, event: TEvent) => TView,
): TView {
  const from = parsePosition(snapshot.position);
  let current = view(snapshot);
  for (const entry of log) {
    if (from && entry.position && comparePositions(entry.position, from) <= 0) continue;
    current = apply(current, entry.event);
  }
  return current;
}

/** What a new snapshot makes redundant: stream events it already reflects, and optimistic entries. */
export function pruneLog<TEvent>(
  log: readonly LoggedEvent<TEvent>[],
  snapshotPosition: string,
): LoggedEvent<TEvent>[] {
  const from = parsePosition(snapshotPosition);
  if (!from) return [...log];
  return log.filter((entry) => entry.position !== null && comparePositions(entry.position, from) > 0);
}

/**
 * Whether a streamed position is a replay: stream positions only grow, so one at or below the last
 * seen (a resumed stream re-sending its last event, a restart) is skipped.
 */
export function isReplay(position: Position | null, lastSeen: Position | null): boolean {
  return position !== null && lastSeen !== null && comparePositions(position, lastSeen) <= 0;
}
