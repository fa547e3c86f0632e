import type { DbTransaction } from '@dispatch/db';
import type { Actor, AssignmentStatus } from '@dispatch/domain';
import { actorId } from '@dispatch/domain';
import type { EventData } from './views.ts';

/** The LISTEN/NOTIFY channel; a notification only says "read the event table". */
export const EVENTS_CHANNEL = 'assignment_events';

export interface NewEvent {
  assignmentId: string;
  sessionId: string;
  type: string;
  from: AssignmentStatus | null;
  to: AssignmentStatus;
  actor: Actor;
  reason: string | null;
  requestId: string | null;
  data: EventData;
}

/**
 * Appends to the event table and notifies listeners, inside the caller's transaction:
 * the event commits with the state change or not at all.
 */
export async function recordEvent(tx: DbTransaction, event: NewEvent): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO assignment_events
      (assignment_id, session_id, type, from_status, to_status, actor_kind, actor_id, reason, request_id, data,
       created_at)
    VALUES (
      ${event.assignmentId}::uuid, ${event.sessionId}::uuid, ${event.type},
      ${event.from}::assignment_status, ${event.to}::assignment_status,
      ${event.actor.kind}, ${actorId(event.actor)}::uuid, ${event.reason}, ${event.requestId},
      ${JSON.stringify(event.data)}::jsonb, clock_timestamp()
    )`;
  await tx.$executeRaw`SELECT pg_notify(${EVENTS_CHANNEL}, '')`;
}
