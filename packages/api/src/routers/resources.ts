import { canView } from '@dispatch/domain';
import { z } from 'zod';
import { notFound } from '../commands/errors.ts';
import type { Context, SignedInUser } from '../context.ts';
import { loadAssignment, visibilityFacts } from '../queries/rows.ts';
import { customerProcedure, mechanicProcedure, signedInProcedure } from '../trpc.ts';

const assignmentIdInput = z.object({ assignmentId: z.uuid('Unknown request') });
export const sessionIdInput = z.object({ sessionId: z.uuid('Unknown session') });

/**
 * A mechanic acting on an assignment: loads it once (the command's one versioned read) and hands
 * it on in the context. Whether they may act on it is the command's decision, made on that row.
 */
export const assignmentProcedure = mechanicProcedure
  .input(assignmentIdInput)
  .use(async ({ ctx, input, next }) => {
    const assignment = await loadAssignment(ctx.db, { id: input.assignmentId });
    if (!assignment) throw notFound();
    return next({ ctx: { assignment } });
  });

/** The session's assignment if the caller may see it; anything else answers like an unknown id. */
async function visibleSession(ctx: Context & { user: SignedInUser }, sessionId: string) {
  const assignment = await loadAssignment(ctx.db, { sessionId });
  if (!assignment || !canView(ctx.user.viewer, visibilityFacts(assignment), ctx.config.dispatchMode)) {
    throw notFound();
  }
  return assignment;
}

/** A session the caller may see, loaded once and handed on in the context. */
export const visibleSessionProcedure = signedInProcedure
  .input(sessionIdInput)
  .use(async ({ ctx, input, next }) =>
    next({ ctx: { assignment: await visibleSession(ctx, input.sessionId) } }),
  );

/** The same, for what only the session's customer does (signing its waiver). */
export const customerSessionProcedure = customerProcedure
  .input(sessionIdInput)
  .use(async ({ ctx, input, next }) =>
    next({ ctx: { assignment: await visibleSession(ctx, input.sessionId) } }),
  );
