import { canView } from '@dispatch/domain';
import { TRPCError } from '@trpc/server';
import { actorOf } from '../../auth/actor.ts';
import type { Context, SignedInUser } from '../../context.ts';
import { type AssignmentRow, assignmentRowInclude, toCard, visibilityFacts } from '../../core/rows.ts';
import { applyTransition, isVersionConflict, type TransitionEvent } from '../../core/transition.ts';
import type { AssignmentCard } from '../../core/views.ts';

/**
 * Runs a mechanic's event on an assignment they can see; returns its card while they still may see it. `alreadyDone` recognises a retry or
 * double click whose first call won, so it answers with the result instead of an error.
 */
export async function actOnAssignment(
  ctx: Context & { user: SignedInUser },
  assignmentId: string,
  event: TransitionEvent,
  alreadyDone: (row: AssignmentRow) => boolean,
  /** For accept: what to say when another mechanic got there first. Otherwise the request is just gone. */
  lostMessage: string | null,
): Promise<AssignmentCard | null> {
  const visible = (row: AssignmentRow) =>
    canView(ctx.user.viewer, visibilityFacts(row), ctx.config.dispatchMode);
  /** A repeated call answers like the first; the card only while the caller may still see it. */
  const repeat = (row: AssignmentRow) => (visible(row) ? toCard(row) : null);
  const load = () =>
    ctx.db.sessionAssignment.findUnique({
      where: { id: assignmentId },
      include: assignmentRowInclude,
    });
  const row = await load();
  if (row && alreadyDone(row)) return repeat(row);
  if (!row || !visible(row)) {
    if (lostMessage && (row?.status === 'accepted' || row?.status === 'offered')) {
      if (event.type === 'accept') ctx.metrics.acceptConflicts.inc();
      throw new TRPCError({ code: 'CONFLICT', message: lostMessage });
    }
    throw new TRPCError({ code: 'NOT_FOUND', message: 'This request is no longer available.' });
  }
  try {
    const after = await ctx.db.$transaction((tx) =>
      applyTransition(tx, {
        assignmentId,
        event,
        actor: actorOf(ctx.user),
        requestId: ctx.meta.requestId,
        now: ctx.now(),
      }),
    );
    return toCard(after);
  } catch (error) {
    if (!isVersionConflict(error)) throw error;
    const latest = await load();
    if (latest && alreadyDone(latest)) return repeat(latest);
    if (event.type === 'accept') ctx.metrics.acceptConflicts.inc();
    const message = lostMessage ?? 'This request changed while you were acting on it. Try again.';
    throw new TRPCError({ code: 'CONFLICT', message, cause: error });
  }
}
