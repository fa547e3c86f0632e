import { assignmentProcedure } from '../resources.ts';
import { actAsMechanic } from './act.ts';

/** Exactly one mechanic wins: the versioned update makes every other accept a clean conflict. */
export const accept = assignmentProcedure.mutation(({ ctx }) => actAsMechanic(ctx, { type: 'accept' }));
