import { SESSION_TYPES } from '@dispatch/domain';
import { z } from 'zod';
import { mechanicFacts } from '../../dispatch/mechanic-facts.ts';
import { availabilityFor, typicalWait } from '../../queries/waiting-facts.ts';
import { publicProcedure } from '../../trpc.ts';

export const publicStatsInput = z
  .object({
    /** For in-person visits: the workshop the customer is about to choose (null: any workshop). */
    workshopId: z.uuid('Choose a workshop from the list').nullable().default(null),
  })
  .default({ workshopId: null });

/**
 * What a customer sees before booking, per session type: how many mechanics who could take it are
 * online and available, how many of them are free now, and the typical wait of recent comparable
 * requests (a range; null when there is too little data). No names, no ids: counts only.
 */
export const publicStats = publicProcedure.input(publicStatsInput).query(async ({ ctx, input }) => {
  const now = ctx.now();
  const mechanics = await mechanicFacts(ctx.db, now);
  const sessionTypes = await Promise.all(
    SESSION_TYPES.map(async (sessionType) => {
      const request = { sessionType, workshopId: sessionType === 'in_person' ? input.workshopId : null };
      const { online, free } = availabilityFor(mechanics, request, ctx.config.dispatchMode);
      const wait = await typicalWait(ctx.db, request, now);
      return {
        sessionType,
        mechanicsOnline: online,
        mechanicsFree: free,
        typicalWait: wait
          ? { lowSeconds: wait.lowSeconds, highSeconds: wait.highSeconds, samples: wait.samples }
          : null,
      };
    }),
  );
  return { dispatchMode: ctx.config.dispatchMode, at: now.toISOString(), sessionTypes };
});
