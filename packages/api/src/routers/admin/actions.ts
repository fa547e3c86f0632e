import { cancelReasonSchema, type RefusalCode, reassignVerdict } from '@dispatch/domain';
import { z } from 'zod';
import { notFound } from '../../commands/errors.ts';
import { actOnAssignment, CommandError, type TransitionEvent } from '../../commands/index.ts';
import { mechanicFacts } from '../../queries/mechanic-facts.ts';
import { type AssignmentRow, loadAssignment, toCard } from '../../queries/rows.ts';
import { adminProcedure } from '../../trpc.ts';

const adminActionInput = z.object({
  sessionId: z.uuid('Unknown session'),
  reason: cancelReasonSchema,
});
const reassignInput = adminActionInput.extend({ mechanicId: z.uuid('Unknown mechanic') });

type AdminCtx = Parameters<Parameters<typeof adminProcedure.mutation>[0]>[0]['ctx'];

/** The session's assignment: the command's one versioned read. */
async function assignmentOf(ctx: AdminCtx, sessionId: string): Promise<AssignmentRow> {
  const row = await loadAssignment(ctx.db, { sessionId });
  if (!row) throw notFound();
  return row;
}

/**
 * A dispatch rule's refusal. Its codes (REASSIGN_REFUSAL_CODES, CAPACITY_REFUSAL_CODES) are not in
 * the transition table's RefusalCode union; they travel in the same `refusal` field.
 */
function refused(code: string, message: string): CommandError {
  return new CommandError('refused', message, { refusal: code as RefusalCode });
}

/** One admin event through the command: the domain decides, the event names the admin and the reason. */
async function act(
  ctx: AdminCtx,
  row: AssignmentRow,
  event: TransitionEvent,
  reason: string,
  mechanicName?: string,
) {
  const { row: after } = await actOnAssignment(ctx.db, {
    row,
    event,
    actor: { kind: 'admin', userId: ctx.user.id },
    viewer: ctx.user.viewer,
    mode: ctx.config.dispatchMode,
    requestId: ctx.meta.requestId,
    now: ctx.now(),
    reason,
    ...(mechanicName ? { mechanicName } : {}),
  });
  return after;
}

/** Cancels a request for the customer, with the admin's reason on the event and the session. */
export const cancel = adminProcedure.input(adminActionInput).mutation(async ({ ctx, input }) => {
  const row = await assignmentOf(ctx, input.sessionId);
  return toCard(await act(ctx, row, { type: 'cancel', reason: input.reason }, input.reason));
});

/**
 * Puts a request back in front of mechanics now, at its original place in line: an accepted
 * session leaves its mechanic; a waiting one starts a new round (the passes are forgotten).
 * An open offer is left to run out (or reassign it once it has).
 */
export const reoffer = adminProcedure.input(adminActionInput).mutation(async ({ ctx, input }) => {
  const row = await assignmentOf(ctx, input.sessionId);
  if (row.status === 'offered') throw offerStillOpen();
  return toCard(await act(ctx, row, { type: 'requeue' }, `admin re-offer: ${input.reason}`));
});

const offerStillOpen = () =>
  refused('offer_still_open', 'This request is offered to a mechanic right now; wait for the answer.');

/**
 * Offers a request to one named mechanic, who must be eligible, available, free to answer and under
 * capacity; they accept it as any offer (the accept re-checks capacity). A request held by someone
 * else, or that this mechanic passed on, first goes back to the queue (two commands, two events;
 * if someone moves in between, the second is refused and nothing more happens).
 */
export const reassign = adminProcedure.input(reassignInput).mutation(async ({ ctx, input }) => {
  let row = await assignmentOf(ctx, input.sessionId);
  const now = ctx.now();
  const [target] = await mechanicFacts(ctx.db, now, [input.mechanicId]);
  if (!target) throw new CommandError('not_found', 'No such mechanic.');
  const verdict = reassignVerdict(target, {
    sessionType: row.session.type,
    workshopId: row.session.workshopId,
    mechanicId: row.mechanicId,
  });
  if (!verdict.ok) throw refused(verdict.code, verdict.message);
  if (row.status === 'offered') throw offerStillOpen();
  const reason = `admin reassign to ${target.displayName}: ${input.reason}`;
  if (row.status !== 'queued' || row.declinedBy.includes(target.userId)) {
    row = await act(ctx, row, { type: 'requeue' }, reason);
  }
  const expiresAt = new Date(now.getTime() + ctx.config.offerTimeoutMs);
  const offer = { type: 'offer', mechanicId: target.userId, expiresAt } as const;
  const after = await act(ctx, row, offer, reason, target.displayName);
  await ctx.db.mechanic.update({ where: { userId: target.userId }, data: { lastOfferedAt: now } });
  return toCard(after);
});
