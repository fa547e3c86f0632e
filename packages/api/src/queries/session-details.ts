import type { DbTransaction } from '@dispatch/db';
import {
  type Actor,
  availableEvents,
  type DispatchMode,
  summaryOfCard,
  WAITING_STATUSES,
} from '@dispatch/domain';
import { type AssignmentRow, domainState, toCard } from './rows.ts';

/** Everything the customer's status page shows about one session, from its row and one count. */
export async function sessionDetails(
  tx: DbTransaction,
  row: AssignmentRow,
  actor: Actor,
  now: Date,
  dispatchMode: DispatchMode,
) {
  const card = toCard(row);
  const waiting = (WAITING_STATUSES as readonly string[]).includes(row.status);
  const queuePosition = waiting ? await positionInQueue(tx, row) : null;
  return {
    ...summaryOfCard(card),
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
    waiverSignedAt: row.session.waiver?.signedAt.toISOString() ?? null,
    actions: availableEvents(domainState(row), actor, now),
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
      status: { in: [...WAITING_STATUSES] },
      id: { not: a.id },
      OR: a.urgent
        ? [{ urgent: true, queuedAt: { lt: queuedAt } }]
        : [{ urgent: true }, { urgent: false, queuedAt: { lt: queuedAt } }],
    },
  });
  return ahead + 1;
}
