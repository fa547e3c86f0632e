import { mechanicProcedure } from '../../trpc.ts';
import { actOnAssignment } from './act.ts';
import { assignmentIdInput } from './assignment.schema.ts';

/** Exactly one mechanic wins: the versioned update makes every other accept a clean conflict. */
export const accept = mechanicProcedure
  .input(assignmentIdInput)
  .mutation(({ ctx, input }) =>
    actOnAssignment(
      ctx,
      input.assignmentId,
      { type: 'accept' },
      (row) => row.status === 'accepted' && row.mechanicId === ctx.user.id,
      'Another mechanic took this request.',
    ),
  );
