import { mechanicProcedure } from '../../trpc.ts';
import { actOnAssignment } from './act.ts';
import { assignmentIdInput } from './assignment.schema.ts';

export const complete = mechanicProcedure
  .input(assignmentIdInput)
  .mutation(({ ctx, input }) =>
    actOnAssignment(
      ctx,
      input.assignmentId,
      { type: 'complete' },
      (row) => row.status === 'completed' && row.mechanicId === ctx.user.id,
      null,
    ),
  );
