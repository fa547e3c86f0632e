import { parsePosition } from '@dispatch/domain';
import { z } from 'zod';
import { readWithPosition } from '../../log/index.ts';
import { adminCards, mineCards, takeableCards } from '../../queries/queue.ts';
import { staffProcedure } from '../../trpc.ts';

const queueListInput = z
  .strictObject({ cursor: z.uuid('Not a valid page cursor').nullish() })
  .default({ cursor: null });

/**
 * What this mechanic may take (urgent first, then oldest) and their own sessions, with the event
 * position the snapshot reflects: subscribe to `queue.onChange` from the first page's position and
 * nothing falls between. A full page says so with `nextCursor`; later pages are read at their own
 * position, and the stream from the first page's position carries every change since. Admins get
 * every request.
 */
export const list = staffProcedure.input(queueListInput).query(async ({ ctx, input }) => {
  const viewer = ctx.user.viewer;
  const now = ctx.now();
  const mode = ctx.config.dispatchMode;
  const cursor = input.cursor ?? null;
  const { position, data } = await readWithPosition(ctx.db, async (tx) => {
    if (viewer.role !== 'mechanic') return { ...(await adminCards(tx, now, cursor)), mine: [] };
    const page = await takeableCards(tx, viewer, mode, cursor);
    return { ...page, mine: cursor ? [] : await mineCards(tx, viewer, now) };
  });
  // The cards this mechanic's page was handed: delivery receipts (a re-read of the same versions is not new).
  const receipts = ctx.receipts;
  if (receipts && viewer.role === 'mechanic') {
    const at = ctx.now();
    const snapshotAt = parsePosition(position);
    for (const card of [...data.items, ...data.mine]) {
      receipts.record({
        sessionId: card.sessionId,
        mechanicId: viewer.userId,
        channel: 'delivered',
        position: snapshotAt,
        version: card.version,
        process: receipts.process,
        at,
      });
    }
  }
  return { ...data, position, dispatchMode: mode };
});
