import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';

/**
 * The live figures the landing page shows, from `stats.public` (a public query the server is to
 * add: see the report in this branch's history). Until it exists the page says what it can
 * without them. Read over plain HTTP so the page does not depend on the router's type having it.
 */
const publicStatsSchema = z.object({
  /** Mechanics available right now (presence: available, heartbeat within a minute). */
  mechanicsOnline: z.number().int().min(0),
  /** Median time from queued to accepted over the recent requests, or null with too few. */
  medianWaitSeconds: z.number().min(0).nullable(),
  /** Requests waiting right now. */
  waitingNow: z.number().int().min(0),
});
export type PublicStats = z.output<typeof publicStatsSchema>;

export async function fetchPublicStats(origin = window.location.origin): Promise<PublicStats | null> {
  const res = await fetch(`${origin}/trpc/stats.public`, { headers: { accept: 'application/json' } });
  if (res.status === 404) return null; // Not there yet: show the fallback.
  if (!res.ok) throw new Error(`stats.public answered ${res.status}`);
  const body = (await res.json()) as { result?: { data?: unknown } };
  const parsed = publicStatsSchema.safeParse(body.result?.data);
  return parsed.success ? parsed.data : null;
}

export function usePublicStats() {
  return useQuery({
    queryKey: ['stats.public'],
    queryFn: () => fetchPublicStats(),
    staleTime: 30_000,
    refetchInterval: 60_000,
    retry: 1,
  });
}

/** "about 3 min", "under a minute". */
export function describeWait(seconds: number): string {
  if (seconds < 60) return 'under a minute';
  const minutes = Math.round(seconds / 60);
  return minutes < 90 ? `about ${minutes} min` : `about ${Math.round(minutes / 60)} h`;
}
