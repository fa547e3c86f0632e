import { actorOf } from '../../auth/actor.ts';
import { actOnAssignment } from '../../commands/index.ts';
import { visibleSessionProcedure } from '../resources.ts';
import { detailsFor } from './details.ts';
import { cancelSessionInput } from './session.schema.ts';

/** The customer (or an admin) cancels, with a reason; the domain decides whether it still can be. */
export const cancel = visibleSessionProcedure.input(cancelSessionInput).mutation(async ({ ctx, input }) => {
  const { row } = await actOnAssignment(ctx.db, {
    row: ctx.assignment,
    event: { type: 'cancel', reason: input.reason },
    actor: actorOf(ctx.user),
    viewer: ctx.user.viewer,
    mode: ctx.config.dispatchMode,
    requestId: ctx.meta.requestId,
    now: ctx.now(),
  });
  return detailsFor(ctx, row);
});
