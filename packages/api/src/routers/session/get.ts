import { actorOf } from '../../auth/actor.ts';
import { notFound } from '../../commands/errors.ts';
import { readWithPosition } from '../../log/index.ts';
import { loadAssignment } from '../../queries/rows.ts';
import { sessionDetails } from '../../queries/session-details.ts';
import { visibleSessionProcedure } from '../resources.ts';

/** The session as of an event position; subscribe to `session.onChange` from that position. */
export const get = visibleSessionProcedure.query(async ({ ctx, input }) => {
  const { position, data } = await readWithPosition(ctx.db, async (tx) => {
    const row = await loadAssignment(tx, { sessionId: input.sessionId });
    if (!row) throw notFound();
    return sessionDetails(row, actorOf(ctx.user), ctx.now(), ctx.config.dispatchMode);
  });
  return { ...data, position };
});
