import { type AssignmentCard, canView } from '@dispatch/domain';
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
    // Answering an offer made to them (either way) also resets the mechanic's run of missed offers:
    // the command's one statement does it (actOnAssignment's answeredOfferOf).
    const { row } = await actOnAssignment(ctx.db, {
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
    return canView(ctx.user.viewer, visibilityFacts(row), ctx.config.dispatchMode) ? toCard(row) : null;
  } catch (error) {
    if (event.type === 'accept' && error instanceof CommandError && error.kind === 'conflict') {
      ctx.metrics.acceptConflicts.inc();
    }
    throw error;
  }
}
