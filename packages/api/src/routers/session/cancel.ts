import { actorOf } from '../../auth/actor.ts';
import { sessionDetails } from '../../core/session-details.ts';
import { applyTransition } from '../../core/transition.ts';
import { cancelSessionInput } from './session.schema.ts';
import { visibleSessionProcedure } from './visible-session.ts';

/** The customer (or an admin) cancels, with a reason; the domain decides whether it still can be. */
export const cancel = visibleSessionProcedure.input(cancelSessionInput).mutation(async ({ ctx, input }) => {
  const actor = actorOf(ctx.user);
  const now = ctx.now();
  return ctx.db.$transaction(async (tx) => {
    await applyTransition(tx, {
      assignmentId: ctx.assignmentId,
      event: { type: 'cancel', reason: input.reason },
      actor,
      requestId: ctx.meta.requestId,
      now,
    });
    return sessionDetails(tx, input.sessionId, actor, now, ctx.config.dispatchMode);
  });
});
