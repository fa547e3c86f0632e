import { ratingSchema } from '@dispatch/domain';
import { rateSession } from '../../commands/index.ts';
import { customerSessionProcedure } from '../resources.ts';

/** The session's customer rates it once, after completion: 1-5 stars and an optional comment. */
export const rate = customerSessionProcedure.input(ratingSchema).mutation(({ ctx, input }) =>
  rateSession(ctx.db, {
    row: ctx.assignment,
    customerId: ctx.user.id,
    rating: { stars: input.stars, comment: input.comment },
    now: ctx.now(),
  }),
);
