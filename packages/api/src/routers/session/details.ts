import { actorOf } from '../../auth/actor.ts';
import { notFound } from '../../commands/errors.ts';
import type { Context, SignedInUser } from '../../context.ts';
import { type AssignmentRow, loadAssignment } from '../../queries/rows.ts';
import { sessionDetails } from '../../queries/session-details.ts';

/** The answer of every customer mutation: the session as the command left it. */
export function detailsFor(ctx: Context & { user: SignedInUser }, row: AssignmentRow) {
  return sessionDetails(row, actorOf(ctx.user), ctx.now(), ctx.config.dispatchMode);
}

export async function detailsOf(ctx: Context & { user: SignedInUser }, sessionId: string) {
  const row = await loadAssignment(ctx.db, { sessionId });
  if (!row) throw notFound();
  return detailsFor(ctx, row);
}
