import { actorOf } from '../../auth/actor.ts';
import { createSession } from '../../core/create-session.ts';
import { sessionDetails } from '../../core/session-details.ts';
import { isUniqueViolation } from '../../core/unique-violation.ts';
import { customerProcedure, rateLimit } from '../../trpc.ts';
import { createSessionInput } from './session.schema.ts';

/** Books a session. A retry with the same idempotency key returns the first one, never a second. */
export const create = customerProcedure
  .use(rateLimit('createSession', (ctx) => ctx.user?.id ?? ctx.meta.ip))
  .input(createSessionInput)
  .mutation(async ({ ctx, input }) => {
    const customerId = ctx.user.id;
    const now = ctx.now();
    const existing = () =>
      ctx.db.helpSession.findUnique({
        where: { customerId_idempotencyKey: { customerId, idempotencyKey: input.idempotencyKey } },
        select: { id: true },
      });
    let sessionId = (await existing())?.id;
    if (!sessionId) {
      try {
        sessionId = await ctx.db.$transaction((tx) =>
          createSession(tx, {
            customerId,
            intake: input.intake,
            idempotencyKey: input.idempotencyKey,
            requestId: ctx.meta.requestId,
            now,
          }),
        );
      } catch (error) {
        sessionId = isUniqueViolation(error) ? (await existing())?.id : undefined;
        if (!sessionId) throw error;
      }
    }
    const id = sessionId;
    return ctx.db.$transaction((tx) =>
      sessionDetails(tx, id, actorOf(ctx.user), now, ctx.config.dispatchMode),
    );
  });
