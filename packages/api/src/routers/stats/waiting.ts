import { CommandError } from '../../commands/index.ts';
import { waitingFacts } from '../../queries/waiting-facts.ts';
import { visibleSessionProcedure } from '../resources.ts';

/**
 * What a waiting customer is told right now, and the facts behind it (null once it is not waiting):
 * eligible mechanics online and free, honest position, offered now, next round, a lost-connection
 * notice, typical wait. For the session's customer and admins. Session details may fold this in.
 */
export const waiting = visibleSessionProcedure.query(async ({ ctx }) => {
  if (ctx.user.viewer.role === 'mechanic') throw new CommandError('not_found', 'No such session.');
  const result = await waitingFacts(ctx.db, ctx.assignment.id, ctx.now(), ctx.config.dispatchMode);
  if (!result) return null;
  const { facts, message } = result;
  return {
    message,
    facts: { ...facts, nextRoundAt: facts.nextRoundAt?.toISOString() ?? null },
  };
});
