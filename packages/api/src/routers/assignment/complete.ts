import { assignmentProcedure } from '../resources.ts';
import { actAsMechanic } from './act.ts';

export const complete = assignmentProcedure.mutation(({ ctx }) => actAsMechanic(ctx, { type: 'complete' }));
