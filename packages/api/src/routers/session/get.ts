import { actorOf } from '../../auth/actor.ts';
import { sessionDetails } from '../../core/session-details.ts';
import { readWithPosition } from '../../core/snapshot.ts';
import { visibleSessionProcedure } from './visible-session.ts';

/** The session as of an event position; subscribe to `session.onChange` from that position. */
export const get = visibleSessionProcedure.query(async ({ ctx, input }) => {
  const { position, data } = await readWithPosition(ctx.db, (tx) =>
    sessionDetails(tx, input.sessionId, actorOf(ctx.user), ctx.now(), ctx.config.dispatchMode),
  );
  return { ...data, position };
});
