import {
  canView,
  type DispatchMode,
  type QueueEvent,
  removalReason,
  type SessionEvent,
  type Viewer,
} from '@dispatch/domain';
import type { StoredEvent } from './stored-event.ts';

/**
 * What one staff viewer may receive of an event: the card if they can see it now, the bare fact of
 * its removal if they just lost sight of it, otherwise nothing at all.
 */
export function projectForStaff(viewer: Viewer, event: StoredEvent, mode: DispatchMode): QueueEvent | null {
  if (!event.upsert) return null;
  const { before, after } = event.data;
  if (canView(viewer, after, mode)) return event.upsert;
  const reason = removalReason(viewer, before, after, mode);
  return reason ? { kind: 'removed', assignmentId: event.assignmentId, reason } : null;
}

/** What a viewer of sessions receives: changes to the sessions they may see (one, if given). */
export function projectForSessions(
  viewer: Viewer,
  event: StoredEvent,
  sessionId: string | null,
  mode: DispatchMode,
): SessionEvent | null {
  if (!event.summary || (sessionId !== null && event.sessionId !== sessionId)) return null;
  return canView(viewer, event.data.after, mode) ? event.summary : null;
}
