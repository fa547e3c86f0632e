import { SESSION_TYPES } from '@dispatch/domain';
import { z } from 'zod';
import type { Context } from '../../context.ts';
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
export const publicStats = publicProcedure.input(publicStatsInput).query(({ ctx, input }) => {
  // Anyone may ask, so one answer per workshop choice serves every caller for a short while.
  const cache = cacheOf(ctx.db);
  const key = `${ctx.config.dispatchMode}:${input.workshopId ?? '-'}`;
  const now = ctx.now();
  const hit = cache.get(key);
  if (hit && Math.abs(now.getTime() - hit.at) < CACHE_MS) return hit.value;
  if (cache.size >= CACHE_ENTRIES) cache.clear();
  const value = computePublicStats(ctx, input.workshopId, now);
  cache.set(key, { at: now.getTime(), value });
  value.catch(() => cache.delete(key));
  return value;
});

const CACHE_MS = 2000;
/** Workshop ids come from anonymous callers: the cache never holds more than this many answers. */
const CACHE_ENTRIES = 100;
type PublicStats = ReturnType<typeof computePublicStats>;
const caches = new WeakMap<object, Map<string, { at: number; value: PublicStats }>>();
function cacheOf(db: object) {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  return cache;
}

async function computePublicStats(ctx: Context, workshopId: string | null, now: Date) {
  const mechanics = await mechanicFacts(ctx.db, now);
  const sessionTypes = await Promise.all(
    SESSION_TYPES.map(async (sessionType) => {
      const request = { sessionType, workshopId: sessionType === 'in_person' ? workshopId : null };
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
}
