import { encodePosition } from '@dispatch/domain';
import type { StoredEvent } from '../delivery/stored-event.ts';
import type { PushEvent } from './plan.ts';

/** Today's event-log row as the push sender reads it (the position becomes opaque text). */
export function fromStoredEvent(event: StoredEvent): PushEvent {
  return {
    position: encodePosition(event.position),
    assignmentId: event.assignmentId,
    sessionId: event.sessionId,
    type: event.type,
    toStatus: event.toStatus,
    reason: event.reason,
    data: event.data,
    createdAt: event.createdAt,
  };
}
