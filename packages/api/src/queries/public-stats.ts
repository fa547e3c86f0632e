import type { Db } from '@dispatch/db';
import { type DispatchMode, SESSION_TYPES } from '@dispatch/domain';
import { mechanicFacts } from './mechanic-facts.ts';
import { availabilityFor, typicalWait } from './waiting-facts.ts';

/**
 * What a customer sees before booking, per session type: how many mechanics who could take it are
 * online and available, how many of them are free now, and the typical wait of recent comparable
 * requests (a range; null when there is too little data). No names, no ids: counts only.
 */
export async function publicStats(db: Db, mode: DispatchMode, workshopId: string | null, now: Date) {
  const mechanics = await mechanicFacts(db, now);
  const sessionTypes = await Promise.all(
    SESSION_TYPES.map(async (sessionType) => {
      const request = { sessionType, workshopId: sessionType === 'in_person' ? workshopId : null };
      const { online, free } = availabilityFor(mechanics, request, mode);
      const wait = await typicalWait(db, request, now);
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
  return { dispatchMode: mode, at: now.toISOString(), sessionTypes };
}
