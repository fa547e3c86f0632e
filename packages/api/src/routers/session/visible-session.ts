import { canView } from '@dispatch/domain';
import { TRPCError } from '@trpc/server';
import { visibilityFacts } from '../../core/rows.ts';
import { signedInProcedure } from '../../trpc.ts';
import { sessionIdInput } from './session.schema.ts';

/** Loads the session's assignment and lets the call through only if the caller may see it. */
export const visibleSessionProcedure = signedInProcedure
  .input(sessionIdInput)
  .use(async ({ ctx, input, next }) => {
    const assignment = await ctx.db.sessionAssignment.findUnique({
      where: { sessionId: input.sessionId },
      select: {
        id: true,
        status: true,
        mechanicId: true,
        session: { select: { customerId: true, type: true, workshopId: true } },
      },
    });
    if (!assignment || !canView(ctx.user.viewer, visibilityFacts(assignment), ctx.config.dispatchMode)) {
      throw new TRPCError({ code: 'NOT_FOUND', message: 'No such session.' });
    }
    return next({ ctx: { assignmentId: assignment.id } });
  });
