import type { DbTransaction, Prisma } from '@dispatch/db';
import {
  type AssignmentCard,
  canTake,
  type DispatchMode,
  type MechanicViewer,
  VIRTUAL_SESSION_TYPES,
} from '@dispatch/domain';
import { type AssignmentRow, assignmentRowInclude, toCard, visibilityFacts } from './rows.ts';

/** Cards per `queue.list` page; `nextCursor` says when there are more. */
export const QUEUE_PAGE_SIZE = 500;

export interface CardPage {
  items: AssignmentCard[];
  /** Pass back as `cursor` for the next page; null when this page is the last. */
  nextCursor: string | null;
}

/** The SQL form of `canTake`: the rows a mechanic may take. The domain rule re-checks each row. */
function takeableWhere(viewer: MechanicViewer, mode: DispatchMode): Prisma.SessionAssignmentWhereInput {
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

/** Urgent first, then the longest waiting; the id makes the order total, so pages never overlap. */
const queueOrder: Prisma.SessionAssignmentOrderByWithRelationInput[] = [
  { urgent: 'desc' },
  { queuedAt: 'asc' },
  { createdAt: 'asc' },
  { id: 'asc' },
];

async function page(
  tx: DbTransaction,
  where: Prisma.SessionAssignmentWhereInput,
  cursor: string | null,
  keep: (row: AssignmentRow) => boolean = () => true,
): Promise<CardPage> {
  const rows: AssignmentRow[] = await tx.sessionAssignment.findMany({
    // The cursor's own row may have left the filter since the last page (taken, cancelled); a
    // cursor must still find it to know where to go on from, else the rest of the queue reads as
    // empty. It is the first row from the cursor on, and `skip: 1` drops it.
    where: cursor ? { OR: [where, { id: cursor }] } : where,
    include: assignmentRowInclude,
    orderBy: queueOrder,
    take: QUEUE_PAGE_SIZE + 1,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  });
  const more = rows.length > QUEUE_PAGE_SIZE;
  const shown = more ? rows.slice(0, QUEUE_PAGE_SIZE) : rows;
  return { items: shown.filter(keep).map(toCard), nextCursor: more ? (shown.at(-1)?.id ?? null) : null };
}

export function takeableCards(
  tx: DbTransaction,
  viewer: MechanicViewer,
  mode: DispatchMode,
  cursor: string | null,
): Promise<CardPage> {
  return page(tx, takeableWhere(viewer, mode), cursor, (row) => canTake(viewer, visibilityFacts(row), mode));
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
export function adminCards(tx: DbTransaction, now: Date, cursor: string | null): Promise<CardPage> {
  const since = new Date(now.getTime() - 24 * 60 * 60 * 1000);
  return page(
    tx,
    { OR: [{ status: { notIn: ['completed', 'cancelled'] } }, { updatedAt: { gte: since } }] },
    cursor,
  );
}
