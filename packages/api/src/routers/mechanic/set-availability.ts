import { z } from 'zod';
import { effectivePresence } from '../../dispatch/presence.ts';
import { mechanicProcedure } from '../../trpc.ts';

const setAvailabilityInput = z.object({
  availability: z.enum(['available', 'away'], { error: 'Availability is available or away' }),
});

/**
 * The mechanic's own switch. Offline is not chosen: it is what the server sees when heartbeats stop.
 * Choosing clears a system-set away reason and the missed-offer count: the mechanic is back.
 * Going away records when ("Away since 14:02" in "who could see this?"); the status shows a time
 * only beside a system-set reason.
 */
export const setAvailability = mechanicProcedure
  .input(setAvailabilityInput)
  .mutation(async ({ ctx, input }) => {
    const now = ctx.now();
    const mechanic = await ctx.db.mechanic.update({
      where: { userId: ctx.user.id },
      data: {
        availability: input.availability,
        lastSeenAt: now,
        awayReason: null,
        awaySetAt: input.availability === 'away' ? now : null,
        missedOffers: 0,
      },
      select: { availability: true, lastSeenAt: true },
    });
    return {
      ...mechanic,
      presence: effectivePresence(mechanic.availability, mechanic.lastSeenAt, now),
      awayReason: null,
      awaySetAt: null,
    };
  });
