import { adminCards, mineCards, takeableCards } from '../../core/queue-query.ts';
import { readWithPosition } from '../../core/snapshot.ts';
import { staffProcedure } from '../../trpc.ts';

/**
 * What this mechanic may take (urgent first, then oldest) and their own sessions, with the event
 * position the snapshot reflects: subscribe to `queue.onChange` from it and nothing falls between.
 * Admins get every request.
 */
export const list = staffProcedure.query(async ({ ctx }) => {
  const viewer = ctx.user.viewer;
  const now = ctx.now();
  const mode = ctx.config.dispatchMode;
  const { position, data } = await readWithPosition(ctx.db, async (tx) =>
    viewer.role === 'mechanic'
      ? { items: await takeableCards(tx, viewer, mode), mine: await mineCards(tx, viewer, now) }
      : { items: await adminCards(tx, now), mine: [] },
  );
  return { ...data, position, dispatchMode: mode };
});
