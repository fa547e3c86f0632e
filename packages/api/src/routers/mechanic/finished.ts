import { finishedSessions } from '../../queries/completion.ts';
import { mechanicProcedure } from '../../trpc.ts';

/** The mechanic's completed sessions (newest 20) with outcome and rating, and their average rating. */
export const finished = mechanicProcedure.query(({ ctx }) =>
  finishedSessions(ctx.db, ctx.user.viewer, ctx.config.dispatchMode),
);
