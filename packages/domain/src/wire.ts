// The shapes both apps receive: pure types (and one pure mapping), so the server, the apps and the
// tests share one definition.
import type { SessionOutcome } from './completion.ts';
import type { CancelCode } from './reasons.ts';
import {
  type AssignmentStatus,
  type Plan,
  type SessionStatus,
  type SessionType,
  sessionStatusFor,
} from './statuses.ts';
import type { RemovalReason, VisibilityFacts } from './visibility.ts';

/** What a mechanic (or admin) sees of a request. No customer email or phone, ever. */
export interface AssignmentCard {
  assignmentId: string;
  sessionId: string;
  version: number;
  status: AssignmentStatus;
  sessionType: SessionType;
  plan: Plan;
  urgent: boolean;
  customerName: string;
  vehicle: { year: number; make: string; model: string };
  concern: string;
  workshop: { id: string; name: string } | null;
  mechanic: { id: string; displayName: string } | null;
  createdAt: string;
  queuedAt: string | null;
  offerExpiresAt: string | null;
  cancelReason: string | null;
  cancelCode: CancelCode | null;
  /** How a completed session ended (the mechanic's choice); null until then. The note stays out of cards. */
  outcome: SessionOutcome | null;
}

/** What a customer sees of their own session. */
export interface SessionSummary {
  sessionId: string;
  assignmentId: string;
  version: number;
  status: SessionStatus;
  assignmentStatus: AssignmentStatus;
  mechanicName: string | null;
  cancelReason: string | null;
  cancelCode: CancelCode | null;
}

/** Stored in each event row: enough to decide visibility and render, with no join at delivery time. */
export interface EventData {
  before: VisibilityFacts | null;
  after: VisibilityFacts;
  card: AssignmentCard;
}

/**
 * The stream could not continue from the position the client sent (it names no event this
 * deployment wrote): drop what was derived from the stream and load the snapshot again. The
 * stream itself goes on from the head.
 */
export interface ResyncEvent {
  kind: 'resync';
  reason: 'position_unknown';
}

/** A queue event for one mechanic or admin: a card to show or update, or the bare fact of its removal. */
export type QueueEvent =
  | { kind: 'upsert'; card: AssignmentCard }
  | { kind: 'removed'; assignmentId: string; reason: RemovalReason }
  | ResyncEvent;

export type SessionEvent = { kind: 'session'; session: SessionSummary } | ResyncEvent;

export function summaryOfCard(card: AssignmentCard): SessionSummary {
  return {
    sessionId: card.sessionId,
    assignmentId: card.assignmentId,
    version: card.version,
    status: sessionStatusFor(card.status),
    assignmentStatus: card.status,
    mechanicName:
      card.status === 'accepted' || card.status === 'completed' ? (card.mechanic?.displayName ?? null) : null,
    cancelReason: card.cancelReason,
    cancelCode: card.cancelCode,
  };
}
