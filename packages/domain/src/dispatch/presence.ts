import type { Availability } from '../statuses.ts';

/** A mechanic with no heartbeat for this long is offline, whatever they last chose. */
export const PRESENCE_TIMEOUT_MS = 60_000;
/** How often each process refreshes `last_seen_at` for the mechanics connected to it. */
export const HEARTBEAT_INTERVAL_MS = 20_000;

/** Presence as the server sees it: the mechanic's choice, unless their connections went quiet. */
export function effectivePresence(chosen: Availability, lastSeenAt: Date | null, now: Date): Availability {
  if (!lastSeenAt || now.getTime() - lastSeenAt.getTime() > PRESENCE_TIMEOUT_MS) return 'offline';
  return chosen === 'available' ? 'available' : chosen === 'away' ? 'away' : 'offline';
}
