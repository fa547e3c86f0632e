import type { DbTransaction } from '@dispatch/db';
import { type Actor, type AssignmentStatus, actorId, type EventData } from '@dispatch/domain';

/**
 * The one order of event writers. The assignment_events insert trigger (migration
 * 20261201090000_commit_ordered_positions) takes this transaction-scoped advisory lock, draws the
 * position and notifies EVENTS_CHANNEL; the lock is held until commit. Append events as the last
 * write of a transaction so the lock is held as briefly as possible and never before a row lock.
 */
export const EVENT_ORDER_LOCK = 42_420_001;

/**
 * The LISTEN/NOTIFY channel; a notification only says "read the event table". Its payload is the
 * new event's position (migration 20261202100000_committed_event_in_result), so a process that
 * already holds it (its own commit, see committed.ts) skips the read.
 */
export const EVENTS_CHANNEL = 'assignment_events';

/** Notified with an auth session id when it is revoked (trigger on auth_sessions). */
export const AUTH_REVOKED_CHANNEL = 'auth_sessions_revoked';

/** Notified with `<id>:<sessionId>:<toUser>` of every stored call signal (trigger on call_signals). */
export const CALL_SIGNALS_CHANNEL = 'call_signals';

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

/** The event row as the write statements take it (`apply_assignment_change`'s `event`). */
export function eventFields(event: NewEvent) {
  return {
    type: event.type,
    from: event.from,
    to: event.to,
    actorKind: event.actor.kind,
    actorId: actorId(event.actor),
    reason: event.reason,
    requestId: event.requestId,
    data: event.data,
  };
}

/** Appends one event inside the caller's transaction (the trigger orders it and notifies). */
export async function appendEvent(tx: DbTransaction, event: NewEvent): Promise<void> {
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
}
