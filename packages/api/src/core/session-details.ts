import type { DbTransaction } from '@dispatch/db';
import { type Actor, availableEvents, type DispatchMode, sessionStatusFor } from '@dispatch/domain';
import { TRPCError } from '@trpc/server';
import { assignmentRowInclude, domainState, summaryOfCard, toCard } from './rows.ts';

const WAITING = ['queued', 'offered', 'declined', 'expired'] as const;

/** Everything the customer's status page shows about one session. */
/** `dispatchMode` says whether every eligible mechanic sees the request or one is offered it at a time. */
export async function sessionDetails(
  tx: DbTransaction,
  sessionId: string,
  actor: Actor,
  now: Date,
  dispatchMode: DispatchMode,
) {
  const assignment = await tx.sessionAssignment.findUnique({
    where: { sessionId },
    include: {
      ...assignmentRowInclude,
      session: {
        include: {
          ...assignmentRowInclude.session.include,
          waiver: { select: { signedAt: true, signerName: true } },
        },
      },
    },
  });
  if (!assignment) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such session.' });
  const card = toCard(assignment);
  const waiting = (WAITING as readonly string[]).includes(assignment.status);
  const queuePosition = waiting ? await positionInQueue(tx, assignment) : null;
  return {
    ...summaryOfCard(card),
    status: sessionStatusFor(assignment.status),
    sessionType: card.sessionType,
    plan: card.plan,
    urgent: card.urgent,
    customerName: card.customerName,
    vehicle: card.vehicle,
    concern: card.concern,
    workshop: card.workshop,
    createdAt: card.createdAt,
    queuedAt: card.queuedAt,
    queuePosition,
    waiverSignedAt: assignment.session.waiver?.signedAt.toISOString() ?? null,
    actions: availableEvents(domainState(assignment), actor, now),
    dispatchMode,
  };
}

/** 1 for the next request a mechanic would take: urgent first, then oldest. */
async function positionInQueue(
  tx: DbTransaction,
  a: { id: string; urgent: boolean; queuedAt: Date | null },
): Promise<number> {
  const queuedAt = a.queuedAt ?? new Date(0);
  const ahead = await tx.sessionAssignment.count({
    where: {
      status: { in: [...WAITING] },
      id: { not: a.id },
      OR: a.urgent
        ? [{ urgent: true, queuedAt: { lt: queuedAt } }]
        : [{ urgent: true }, { urgent: false, queuedAt: { lt: queuedAt } }],
    },
  });
  return ahead + 1;
}
