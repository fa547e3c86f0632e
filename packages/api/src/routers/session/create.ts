import { createSession, existingBooking } from '../../commands/index.ts';
import { customerProcedure, rateLimited } from '../../trpc.ts';
import { detailsFor, detailsOf } from './details.ts';
import { createSessionInput } from './session.schema.ts';

/**
 * Books a session. A retry with the same idempotency key and intake returns the first booking
 * (and is not counted against the booking rate limit); the same key with another intake is refused.
 *
 * Round trips: the rate limit's count, then the one booking statement, whose answer is built from
 * what it wrote (no read back). The key is checked inside that statement, so a retry is known only
 * after it was counted: it is given back then. A call the limit refuses still checks the key on its
 * own, so a retry of a booking already made is answered with it even when the limit is used up.
 */
export const create = customerProcedure
  // A booking is worth something only with its waiver and accept to follow: under overload it is
  // refused before the calls that finish bookings already made (errors/admission.ts).
  .meta({ admission: 'new' })
  .input(createSessionInput)
  .mutation(async ({ ctx, input }) => {
    const request = {
      customerId: ctx.user.id,
      intake: input.intake,
      idempotencyKey: input.idempotencyKey,
      allowAnotherOpen: input.allowAnotherOpen,
    };
    const waitMs = await ctx.rateLimiter.hit('createSession', ctx.user.id);
    if (waitMs > 0) {
      const existing = await existingBooking(ctx.db, request);
      if (existing) return detailsOf(ctx, existing);
      throw rateLimited(waitMs);
    }
    const booked = await createSession(ctx.db, { ...request, requestId: ctx.meta.requestId, now: ctx.now() });
    if (booked.outcome === 'created') return detailsFor(ctx, booked.row);
    // A retry: not a booking after all. Its answer is the session as it is now (it may have been
    // signed, taken or cancelled since), so this rare path reads it.
    await ctx.rateLimiter.refund('createSession', ctx.user.id).catch((error: unknown) => {
      ctx.log.warn({ err: error }, 'giving back a booking attempt failed');
    });
    return detailsOf(ctx, booked.sessionId);
  });
