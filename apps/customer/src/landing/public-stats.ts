import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';

/**
 * The live figures the landing page shows, from `stats.public` (per session type: mechanics online
 * and free, and the typical wait as a range from measured acceptance times). The page shows the
 * busiest picture across types: the most mechanics any type has online, and the middle of the
 * typical-wait range. Read over plain HTTP so the landing page works before sign-up.
 */
const publicStatsSchema = z
  .object({
    sessionTypes: z.array(
      z.object({
        sessionType: z.string(),
        mechanicsOnline: z.number().int().min(0),
        mechanicsFree: z.number().int().min(0),
        typicalWait: z
          .object({
            lowSeconds: z.number().min(0),
            highSeconds: z.number().min(0),
            samples: z.number().int(),
          })
          .nullable(),
      }),
    ),
  })
  .transform(({ sessionTypes }) => {
    const waits = sessionTypes.flatMap((type) => (type.typicalWait ? [type.typicalWait] : []));
    const low = Math.min(...waits.map((w) => w.lowSeconds));
    const high = Math.max(...waits.map((w) => w.highSeconds));
    return {
      /** Mechanics available right now for the type that has the most. */
      mechanicsOnline: Math.max(0, ...sessionTypes.map((type) => type.mechanicsOnline)),
      /** The middle of the typical-wait range across types, or null without measurements. */
      medianWaitSeconds: waits.length > 0 ? Math.round((low + high) / 2) : null,
    };
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
