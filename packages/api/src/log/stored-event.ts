import {
  type ActorKind,
  type AssignmentStatus,
  type EventData,
  encodePosition,
  type Position,
  type QueueEvent,
  type SessionEvent,
  summaryOfCard,
} from '@dispatch/domain';
import { type Shared, shared } from './shared-payload.ts';

/** One row of the event table as delivery reads it, with what every subscriber shares computed once. */
export interface StoredEvent {
  position: Position;
  /** The position as clients see it (tRPC `tracked()` id). */
  cursor: string;
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
  /**
   * What every staff viewer who may see the card receives; null for a row whose data is not an
   * assignment event's (written by hand): delivery skips it instead of stopping at it.
   */
  upsert: Shared<Extract<QueueEvent, { kind: 'upsert' }>> | null;
  /** What every customer viewer who may see the session receives; null as for `upsert`. */
  summary: Shared<Extract<SessionEvent, { kind: 'session' }>> | null;
  /** Whether this process already observed its delivery latency (first live delivery only). */
  latencyObserved: boolean;
}

export interface EventRow {
  /** int8: a string from node-postgres, a bigint from Prisma's raw queries. */
  position: string | bigint;
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

// `position` stays a bigint column: a text alias of the same name would make ORDER BY position sort as text.
export const EVENT_COLUMNS = `position, assignment_id, session_id, type, from_status,
  to_status, actor_kind, actor_id, reason, request_id, data, created_at`;

function isEventData(data: unknown): data is EventData {
  const d = data as Partial<EventData> | null;
  return typeof d === 'object' && d !== null && typeof d.card === 'object' && typeof d.after === 'object';
}

export function fromRow(row: EventRow): StoredEvent {
  const position = BigInt(row.position);
  const readable = isEventData(row.data);
  // Events written before cancel codes (or outcomes) existed carry none.
  const card = readable
    ? {
        ...row.data.card,
        cancelCode: row.data.card.cancelCode ?? null,
        outcome: row.data.card.outcome ?? null,
      }
    : row.data.card;
  return {
    position,
    cursor: encodePosition(position),
    assignmentId: row.assignment_id,
    sessionId: row.session_id,
    type: row.type,
    fromStatus: row.from_status,
    toStatus: row.to_status,
    actorKind: row.actor_kind,
    actorId: row.actor_id,
    reason: row.reason,
    requestId: row.request_id,
    data: { ...row.data, card },
    createdAt: row.created_at,
    upsert: readable ? shared({ kind: 'upsert' as const, card }) : null,
    summary: readable ? shared({ kind: 'session' as const, session: summaryOfCard(card) }) : null,
    latencyObserved: false,
  };
}
