import { z } from 'zod';
import { publicStats as computePublicStats } from '../../queries/public-stats.ts';
import { publicProcedure } from '../../trpc.ts';

const publicStatsInput = z
  .strictObject({
    /** For in-person visits: the workshop the customer is about to choose (null: any workshop). */
    workshopId: z.uuid('Choose a workshop from the list').nullable().default(null),
  })
  .default({ workshopId: null });

const CACHE_MS = 2000;
/** Workshop ids come from anonymous callers: the cache never holds more than this many answers. */
const CACHE_ENTRIES = 100;
type Answer = ReturnType<typeof computePublicStats>;
const caches = new WeakMap<object, Map<string, { at: number; value: Answer }>>();

/** Per session type: mechanics online and free, and the typical wait (see queries/public-stats.ts). */
export const publicStats = publicProcedure.input(publicStatsInput).query(({ ctx, input }) => {
  // Anyone may ask, so one answer per workshop choice serves every caller for a short while.
  let cache = caches.get(ctx.db);
  if (!cache) {
    cache = new Map();
    caches.set(ctx.db, cache);
  }
  const key = `${ctx.config.dispatchMode}:${input.workshopId ?? '-'}`;
  const now = ctx.now();
  const hit = cache.get(key);
  if (hit && Math.abs(now.getTime() - hit.at) < CACHE_MS) return hit.value;
  if (cache.size >= CACHE_ENTRIES) cache.clear();
  const value = computePublicStats(ctx.db, ctx.config.dispatchMode, input.workshopId, now);
  const entries = cache;
  entries.set(key, { at: now.getTime(), value });
  value.catch(() => entries.delete(key));
  return value;
});
