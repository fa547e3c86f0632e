import type { AssignmentState, VisibilityFacts } from '@dispatch/domain';
import { sessionStatusFor } from '@dispatch/domain';
import type { AssignmentCard, SessionSummary } from './views.ts';

/** An assignment as loaded with its session, workshop and mechanic. */
export interface AssignmentRow {
  id: string;
  sessionId: string;
  status: AssignmentState['status'];
  mechanicId: string | null;
  offerExpiresAt: Date | null;
  declinedBy: string[];
  version: number;
  urgent: boolean;
  queuedAt: Date | null;
  createdAt: Date;
  cancelReason: string | null;
  session: {
    customerId: string;
    type: VisibilityFacts['sessionType'];
    workshopId: string | null;
    plan: AssignmentCard['plan'];
    customerName: string;
    vehicleYear: number;
    vehicleMake: string;
    vehicleModel: string;
    concern: string;
    workshop: { id: string; name: string } | null;
  };
  mechanic: { userId: string; user: { displayName: string } } | null;
}

/** The Prisma `include` that loads an AssignmentRow. */
export const assignmentRowInclude = {
  session: { include: { workshop: { select: { id: true, name: true } } } },
  mechanic: { select: { userId: true, user: { select: { displayName: true } } } },
} as const;

export function domainState(row: AssignmentRow): AssignmentState {
  return {
    status: row.status,
    customerId: row.session.customerId,
    mechanicId: row.mechanicId,
    offerExpiresAt: row.offerExpiresAt,
    declinedBy: row.declinedBy,
  };
}

export function visibilityFacts(row: {
  status: AssignmentRow['status'];
  mechanicId: string | null;
  session: Pick<AssignmentRow['session'], 'customerId' | 'type' | 'workshopId'>;
}): VisibilityFacts {
  return {
    status: row.status,
    customerId: row.session.customerId,
    mechanicId: row.mechanicId,
    sessionType: row.session.type,
    workshopId: row.session.workshopId,
  };
}

export function toCard(row: AssignmentRow): AssignmentCard {
  const { session } = row;
  return {
    assignmentId: row.id,
    sessionId: row.sessionId,
    version: row.version,
    status: row.status,
    sessionType: session.type,
    plan: session.plan,
    urgent: row.urgent,
    customerName: session.customerName,
    vehicle: { year: session.vehicleYear, make: session.vehicleMake, model: session.vehicleModel },
    concern: session.concern,
    workshop: session.workshop,
    mechanic: row.mechanic ? { id: row.mechanic.userId, displayName: row.mechanic.user.displayName } : null,
    createdAt: row.createdAt.toISOString(),
    queuedAt: row.queuedAt?.toISOString() ?? null,
    offerExpiresAt: row.offerExpiresAt?.toISOString() ?? null,
    cancelReason: row.cancelReason,
  };
}

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
  };
}
