import { waiverSignatureSchema } from '@dispatch/domain';
import { TRPCError } from '@trpc/server';
import { actorOf } from '../../auth/actor.ts';
import { sessionDetails } from '../../core/session-details.ts';
import { applyTransition } from '../../core/transition.ts';
import { isUniqueViolation } from '../../core/unique-violation.ts';
import { currentWaiver } from '../../core/waiver-text.ts';
import { customerProcedure } from '../../trpc.ts';

/**
 * Stores the signature (version, text hash, typed name, consent, time, IP, user agent) and moves the
 * request to the queue, in one transaction. Signing again is a no-op that returns the session.
 */
export const sign = customerProcedure.input(waiverSignatureSchema).mutation(async ({ ctx, input }) => {
  if (input.waiverVersion !== currentWaiver.version) {
    throw new TRPCError({
      code: 'CONFLICT',
      message: 'The waiver text has changed since you opened it. Please read the new version and sign again.',
    });
  }
  const actor = actorOf(ctx.user);
  const now = ctx.now();
  const assignment = await ctx.db.sessionAssignment.findUnique({
    where: { sessionId: input.sessionId },
    select: { id: true, session: { select: { customerId: true, waiver: { select: { id: true } } } } },
  });
  if (!assignment || assignment.session.customerId !== ctx.user.id) {
    throw new TRPCError({ code: 'NOT_FOUND', message: 'No such session.' });
  }
  const details = () =>
    ctx.db.$transaction((tx) => sessionDetails(tx, input.sessionId, actor, now, ctx.config.dispatchMode));
  if (assignment.session.waiver) return details();
  try {
    return await ctx.db.$transaction(async (tx) => {
      await tx.waiver.create({
        data: {
          sessionId: input.sessionId,
          signerName: input.signerName,
          consent: input.consent,
          waiverVersion: currentWaiver.version,
          textSha256: currentWaiver.sha256,
          signedAt: now,
          ipAddress: ctx.meta.ip,
          userAgent: ctx.meta.userAgent,
        },
      });
      await applyTransition(tx, {
        assignmentId: assignment.id,
        event: { type: 'sign_waiver' },
        actor,
        requestId: ctx.meta.requestId,
        now,
      });
      return sessionDetails(tx, input.sessionId, actor, now, ctx.config.dispatchMode);
    });
  } catch (error) {
    if (isUniqueViolation(error)) return details();
    throw error;
  }
});
