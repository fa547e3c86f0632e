import { TRPCError } from '@trpc/server';
import { whoCouldSee as readWhoCouldSee } from '../../queries/who-could-see.ts';
import { adminProcedure } from '../../trpc.ts';
import { sessionIdInput } from '../resources.ts';

/**
 * "Who could see this?": every mechanic with the domain's verdict for this request now (wrong
 * workshop, virtual-only, Away since, offline since, at capacity, declined, offer expired, taken,
 * can see it) and what their connections received and did with it (delivered by which process,
 * shown, alerted by which channel), with millisecond times.
 */
export const whoCouldSee = adminProcedure.input(sessionIdInput).query(async ({ ctx, input }) => {
  const answer = await readWhoCouldSee(ctx.db, input.sessionId, ctx.config.dispatchMode, ctx.now());
  if (!answer) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such session.' });
  return {
    sessionId: answer.card.sessionId,
    status: answer.card.status,
    sessionType: answer.card.sessionType,
    dispatchMode: ctx.config.dispatchMode,
    verdicts: answer.verdicts,
  };
});
