import type {
  AssignmentStatus,
  Plan,
  RemovalReason,
  SessionStatus,
  SessionType,
  VisibilityFacts,
} from '@dispatch/domain';

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
}

/** Stored in each event row: enough to decide visibility and render, with no join at delivery time. */
export interface EventData {
  before: VisibilityFacts | null;
  after: VisibilityFacts;
  card: AssignmentCard;
}

/** A queue event for one mechanic or admin: a card to show or update, or the bare fact of its removal. */
export type QueueEvent =
  | { kind: 'upsert'; card: AssignmentCard }
  | { kind: 'removed'; assignmentId: string; reason: RemovalReason };

export type SessionEvent = { kind: 'session'; session: SessionSummary };
