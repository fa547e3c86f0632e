import { type AssignmentCard, canView } from '@dispatch/domain';
import { recordOfferOutcome } from '../../alerts/missed-offers.ts';
import { actorOf } from '../../auth/actor.ts';
import {
  type ActRequest,
  actOnAssignment,
  CommandError,
  type TransitionEvent,
} from '../../commands/index.ts';
import type { Context, SignedInUser } from '../../context.ts';
import { type AssignmentRow, toCard, visibilityFacts } from '../../queries/rows.ts';

type MechanicContext = Context & { user: SignedInUser; assignment: AssignmentRow };

/** Runs a mechanic's event; answers with the card while they may still see it, else null. */
export async function actAsMechanic(
  ctx: MechanicContext,
  event: TransitionEvent,
  extra: Pick<ActRequest, 'completion'> = {},
): Promise<AssignmentCard | null> {
  try {
    const wasOfferedToMe = ctx.assignment.status === 'offered' && ctx.assignment.mechanicId === ctx.user.id;
    const { row, applied } = await actOnAssignment(ctx.db, {
      row: ctx.assignment,
      event,
      actor: actorOf(ctx.user),
      viewer: ctx.user.viewer,
      mode: ctx.config.dispatchMode,
      requestId: ctx.meta.requestId,
      now: ctx.now(),
      mechanicName: ctx.user.displayName,
      ...extra,
    });
    // Answering an offer (either way) resets the mechanic's run of missed offers.
    if (applied && wasOfferedToMe && (event.type === 'accept' || event.type === 'decline')) {
      await recordOfferOutcome(ctx.db, {
        mechanicId: ctx.user.id,
        outcome: event.type === 'accept' ? 'accepted' : 'declined',
        at: ctx.now(),
      });
    }
    return canView(ctx.user.viewer, visibilityFacts(row), ctx.config.dispatchMode) ? toCard(row) : null;
  } catch (error) {
    if (event.type === 'accept' && error instanceof CommandError && error.kind === 'conflict') {
      ctx.metrics.acceptConflicts.inc();
    }
    throw error;
  }
}
