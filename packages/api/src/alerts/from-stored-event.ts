import type { StoredEvent } from '../log/stored-event.ts';
import type { PushEvent } from './plan.ts';

/**
 * The event log's row as the push sender reads it: the cursor is the opaque position. A row that
 * is not an assignment event's (written by hand) has no card and causes no push: null.
 */
export function fromStoredEvent(event: StoredEvent): PushEvent | null {
  if (!event.upsert) return null;
  return {
    position: event.cursor,
    assignmentId: event.assignmentId,
    sessionId: event.sessionId,
    type: event.type,
    toStatus: event.toStatus,
    reason: event.reason,
    data: event.data,
    createdAt: event.createdAt,
  };
}
