import type { DbTransaction } from '@dispatch/db';
import { type Actor, cancelReasonSchema, reassignVerdict } from '@dispatch/domain';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { toCard } from '../../core/rows.ts';
import { applyTransition, type TransitionEvent } from '../../core/transition.ts';
import { mechanicFacts } from '../../dispatch/mechanic-facts.ts';
import { adminProcedure, RefusalError } from '../../trpc.ts';

export const adminActionInput = z.object({
  sessionId: z.uuid('Unknown session'),
  reason: cancelReasonSchema,
});
export const reassignInput = adminActionInput.extend({ mechanicId: z.uuid('Unknown mechanic') });

type AdminCtx = Parameters<Parameters<typeof adminProcedure.mutation>[0]>[0]['ctx'];

async function assignmentOf(tx: DbTransaction, sessionId: string) {
  const row = await tx.sessionAssignment.findUnique({
    where: { sessionId },
    select: {
      id: true,
      status: true,
      mechanicId: true,
      declinedBy: true,
      session: { select: { type: true, workshopId: true } },
    },
  });
  if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such session.' });
  return row;
}

function refused(code: string, message: string): TRPCError {
  return new TRPCError({ code: 'CONFLICT', message, cause: new RefusalError(code, message) });
}

function step(
  ctx: AdminCtx,
  tx: DbTransaction,
  assignmentId: string,
  event: TransitionEvent,
  reason: string,
) {
  const actor: Actor = { kind: 'admin', userId: ctx.user.id };
  return applyTransition(tx, {
    assignmentId,
    event,
    actor,
    requestId: ctx.meta.requestId,
    now: ctx.now(),
    reason,
  });
}

/** Cancels a request for the customer, with the admin's reason on the event and the session. */
export const cancel = adminProcedure.input(adminActionInput).mutation(({ ctx, input }) =>
  ctx.db.$transaction(async (tx) => {
    const a = await assignmentOf(tx, input.sessionId);
    return toCard(await step(ctx, tx, a.id, { type: 'cancel', reason: input.reason }, input.reason));
  }),
);

/**
 * Puts a request back in front of mechanics now, at its original place in line: an accepted
 * session leaves its mechanic; a waiting one starts a new round (the passes are forgotten).
 * An open offer is left to run out (or reassign it once it has).
 */
export const reoffer = adminProcedure.input(adminActionInput).mutation(({ ctx, input }) =>
  ctx.db.$transaction(async (tx) => {
    const a = await assignmentOf(tx, input.sessionId);
    if (a.status === 'offered') {
      throw refused(
        'offer_still_open',
        'This request is offered to a mechanic right now; wait for the answer.',
      );
    }
    const reason = `admin re-offer: ${input.reason}`;
    return toCard(await step(ctx, tx, a.id, { type: 'requeue' }, reason));
  }),
);

/**
 * Offers a request to one named mechanic, who must be eligible, available, free to answer and under
 * capacity; they accept it as any offer (the accept re-checks capacity). A request held by someone
 * else, or that this mechanic passed on, first goes back to the queue.
 */
export const reassign = adminProcedure.input(reassignInput).mutation(({ ctx, input }) =>
  ctx.db.$transaction(async (tx) => {
    const a = await assignmentOf(tx, input.sessionId);
    const now = ctx.now();
    const [target] = await mechanicFacts(tx, now, [input.mechanicId]);
    if (!target) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such mechanic.' });
    const verdict = reassignVerdict(target, {
      sessionType: a.session.type,
      workshopId: a.session.workshopId,
      mechanicId: a.mechanicId,
    });
    if (!verdict.ok) throw refused(verdict.code, verdict.message);
    if (a.status === 'offered') {
      throw refused(
        'offer_still_open',
        'This request is offered to a mechanic right now; wait for the answer.',
      );
    }
    const reason = `admin reassign to ${target.displayName}: ${input.reason}`;
    if (a.status !== 'queued' || a.declinedBy.includes(target.userId)) {
      await step(ctx, tx, a.id, { type: 'requeue' }, reason);
    }
    const expiresAt = new Date(now.getTime() + ctx.config.offerTimeoutMs);
    const after = await step(ctx, tx, a.id, { type: 'offer', mechanicId: target.userId, expiresAt }, reason);
    await tx.mechanic.update({ where: { userId: target.userId }, data: { lastOfferedAt: now } });
    return toCard(after);
  }),
);
