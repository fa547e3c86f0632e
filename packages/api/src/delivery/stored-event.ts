import type { ActorKind, AssignmentStatus, Position } from '@dispatch/domain';
import type { EventData } from '../core/views.ts';

/** One row of the event table as delivery reads it. */
export interface StoredEvent {
  position: Position;
  assignmentId: string;
  sessionId: string;
  type: string;
  fromStatus: AssignmentStatus | null;
  toStatus: AssignmentStatus;
  actorKind: ActorKind;
  actorId: string | null;
  reason: string | null;
  requestId: string | null;
  data: EventData;
  createdAt: Date;
}

export interface EventRow {
  tx: string;
  id: string;
  assignment_id: string;
  session_id: string;
  type: string;
  from_status: AssignmentStatus | null;
  to_status: AssignmentStatus;
  actor_kind: ActorKind;
  actor_id: string | null;
  reason: string | null;
  request_id: string | null;
  data: EventData;
  created_at: Date;
}

export const EVENT_COLUMNS = `tx_id::text AS tx, id::text AS id, assignment_id, session_id, type, from_status,
  to_status, actor_kind, actor_id, reason, request_id, data, created_at`;

export function fromRow(row: EventRow): StoredEvent {
  return {
    position: { tx: BigInt(row.tx), id: BigInt(row.id) },
    assignmentId: row.assignment_id,
    sessionId: row.session_id,
    type: row.type,
    fromStatus: row.from_status,
    toStatus: row.to_status,
    actorKind: row.actor_kind,
    actorId: row.actor_id,
    reason: row.reason,
    requestId: row.request_id,
    data: row.data,
    createdAt: row.created_at,
  };
}
