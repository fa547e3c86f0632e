import { assignmentProcedure } from '../resources.ts';
import { actAsMechanic } from './act.ts';

/** Declines an offer; the dispatcher requeues it and never offers it to this mechanic again. */
export const decline = assignmentProcedure.mutation(({ ctx }) => actAsMechanic(ctx, { type: 'decline' }));
