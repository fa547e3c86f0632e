import type { DbTransaction, Prisma } from '@dispatch/db';
import { canTake, type DispatchMode, type MechanicViewer, VIRTUAL_SESSION_TYPES } from '@dispatch/domain';
import { type AssignmentRow, assignmentRowInclude, toCard, visibilityFacts } from './rows.ts';
import type { AssignmentCard } from './views.ts';

const QUEUE_LIMIT = 500;

/** The SQL form of `canTake`: the rows a mechanic may take. The domain rule re-checks each row. */
export function takeableWhere(
  viewer: MechanicViewer,
  mode: DispatchMode,
): Prisma.SessionAssignmentWhereInput {
  const eligible: Prisma.HelpSessionWhereInput =
    viewer.kind === 'virtual_only'
      ? { type: { in: [...VIRTUAL_SESSION_TYPES] } }
      : { OR: [{ workshopId: null }, { workshopId: viewer.workshopId }] };
  const offeredToMe: Prisma.SessionAssignmentWhereInput = { status: 'offered', mechanicId: viewer.userId };
  return {
    session: eligible,
    ...(mode === 'broadcast' ? { OR: [{ status: 'queued' }, offeredToMe] } : offeredToMe),
  };
}

/** Urgent first, then the longest waiting. */
export const queueOrder: Prisma.SessionAssignmentOrderByWithRelationInput[] = [
  { urgent: 'desc' },
  { queuedAt: 'asc' },
  { createdAt: 'asc' },
];

export async function takeableCards(
  tx: DbTransaction,
  viewer: MechanicViewer,
  mode: DispatchMode,
): Promise<AssignmentCard[]> {
  const rows: AssignmentRow[] = await tx.sessionAssignment.findMany({
    where: takeableWhere(viewer, mode),
    include: assignmentRowInclude,
    orderBy: queueOrder,
    take: QUEUE_LIMIT,
  });
  return rows.filter((row) => canTake(viewer, visibilityFacts(row), mode)).map(toCard);
}

/** The mechanic's own sessions: active ones, and those finished in the last day. */
export async function mineCards(
  tx: DbTransaction,
  viewer: MechanicViewer,
  now: Date,
): Promise<AssignmentCard[]> {
  const since = new Date(now.getTime() - 24 * 60 * 60 * 1000);
  const rows: AssignmentRow[] = await tx.sessionAssignment.findMany({
    where: {
      mechanicId: viewer.userId,
      OR: [{ status: 'accepted' }, { status: { in: ['completed', 'cancelled'] }, updatedAt: { gte: since } }],
    },
    include: assignmentRowInclude,
    orderBy: { updatedAt: 'desc' },
    take: 100,
  });
  return rows.map(toCard);
}

/** Admins see every open request and everything that changed in the last day. */
export async function adminCards(tx: DbTransaction, now: Date): Promise<AssignmentCard[]> {
  const since = new Date(now.getTime() - 24 * 60 * 60 * 1000);
  const rows: AssignmentRow[] = await tx.sessionAssignment.findMany({
    where: { OR: [{ status: { notIn: ['completed', 'cancelled'] } }, { updatedAt: { gte: since } }] },
    include: assignmentRowInclude,
    orderBy: queueOrder,
    take: QUEUE_LIMIT,
  });
  return rows.map(toCard);
}
