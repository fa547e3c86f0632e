import { completionSchema } from '@dispatch/domain';
import { assignmentProcedure } from '../resources.ts';
import { actAsMechanic } from './act.ts';

/**
 * The accepting mechanic completes with an outcome and a note for the customer (and, for a
 * diagnostic session, the findings). All of it is written with the status in one statement; the
 * event row carries the outcome code only.
 */
export const complete = assignmentProcedure.input(completionSchema).mutation(({ ctx, input }) =>
  actAsMechanic(
    ctx,
    { type: 'complete' },
    {
      completion: { outcome: input.outcome, note: input.note, findings: input.findings },
    },
  ),
);
