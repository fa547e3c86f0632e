import { mechanicProcedure } from '../../trpc.ts';
import { actOnAssignment } from './act.ts';
import { assignmentIdInput } from './assignment.schema.ts';

/** Declines an offer; the dispatcher requeues it and never offers it to this mechanic again. */
export const decline = mechanicProcedure
  .input(assignmentIdInput)
  .mutation(({ ctx, input }) =>
    actOnAssignment(
      ctx,
      input.assignmentId,
      { type: 'decline' },
      (row) => row.declinedBy.includes(ctx.user.id),
      null,
    ),
  );
