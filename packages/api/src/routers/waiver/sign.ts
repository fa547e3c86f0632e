import { waiverSignatureSchema } from '@dispatch/domain';
import { actorOf } from '../../auth/actor.ts';
import { signWaiver } from '../../commands/index.ts';
import { customerSessionProcedure } from '../resources.ts';
import { detailsFor } from '../session/details.ts';

/**
 * Stores the signature (version, text hash, typed name, consent, time, IP, user agent) and moves the
 * request to the queue, in one statement. Signing again is a no-op that returns the session.
 */
export const sign = customerSessionProcedure.input(waiverSignatureSchema).mutation(async ({ ctx, input }) => {
  const { row } = await signWaiver(ctx.db, {
    row: ctx.assignment,
    signature: input,
    actor: actorOf(ctx.user),
    viewer: ctx.user.viewer,
    mode: ctx.config.dispatchMode,
    meta: { ip: ctx.meta.ip, userAgent: ctx.meta.userAgent, requestId: ctx.meta.requestId },
    now: ctx.now(),
  });
  return detailsFor(ctx, row);
});
