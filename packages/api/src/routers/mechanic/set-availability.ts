import { z } from 'zod';
import { mechanicProcedure } from '../../trpc.ts';

const setAvailabilityInput = z.object({
  availability: z.enum(['available', 'away'], { error: 'Availability is available or away' }),
});

/** The mechanic's own switch. Offline is not chosen: it is what the server sees when heartbeats stop. */
export const setAvailability = mechanicProcedure
  .input(setAvailabilityInput)
  .mutation(async ({ ctx, input }) => {
    const mechanic = await ctx.db.mechanic.update({
      where: { userId: ctx.user.id },
      data: { availability: input.availability, lastSeenAt: ctx.now() },
      select: { availability: true, lastSeenAt: true },
    });
    return mechanic;
  });
