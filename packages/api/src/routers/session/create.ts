import { createSession, existingBooking } from '../../commands/index.ts';
import { customerProcedure, hitRateLimit } from '../../trpc.ts';
import { detailsOf } from './details.ts';
import { createSessionInput } from './session.schema.ts';

/**
 * Books a session. A retry with the same idempotency key and intake returns the first booking
 * (and is not counted against the booking rate limit); the same key with another intake is refused.
 */
export const create = customerProcedure.input(createSessionInput).mutation(async ({ ctx, input }) => {
  const request = {
    customerId: ctx.user.id,
    intake: input.intake,
    idempotencyKey: input.idempotencyKey,
    allowAnotherOpen: input.allowAnotherOpen,
  };
  const existing = await existingBooking(ctx.db, request);
  if (existing) return detailsOf(ctx, existing);
  await hitRateLimit(ctx, 'createSession', ctx.user.id);
  const sessionId = await createSession(ctx.db, {
    ...request,
    requestId: ctx.meta.requestId,
    now: ctx.now(),
  });
  return detailsOf(ctx, sessionId);
});
