import type { Prisma } from '@dispatch/db';
import type { AssignmentCard, AssignmentState, CancelCode, VisibilityFacts } from '@dispatch/domain';

/** The Prisma `include` that loads an AssignmentRow: one query, joined in SQL. */
export const assignmentRowInclude = {
  session: {
    // The customer's callback phone never rides along with a row: cards, events and answers are
    // built from rows, and only queries/contacts.ts reads it, for the viewers allowed to see it.
    omit: { callbackPhone: true },
    include: {
      workshop: { select: { id: true, name: true } },
      waiver: { select: { signedAt: true } },
    },
  },
  mechanic: { select: { userId: true, user: { select: { displayName: true } } } },
} as const satisfies Prisma.SessionAssignmentInclude;

/** An assignment as loaded with its session, workshop, waiver and mechanic. */
export type AssignmentRow = Prisma.SessionAssignmentGetPayload<{ include: typeof assignmentRowInclude }>;

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
    cancelCode: (session.cancelCode as CancelCode | null) ?? null,
    outcome: session.outcome,
  };
}

/** Loads one assignment by its id or its session's id; null when there is none. */
export function loadAssignment(
  db: Prisma.TransactionClient,
  where: { id: string } | { sessionId: string },
): Promise<AssignmentRow | null> {
  return db.sessionAssignment.findUnique({ where, include: assignmentRowInclude });
}
