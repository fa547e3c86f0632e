import { SESSION_TYPES } from '@dispatch/domain';
import { mechanicFacts, verdictFor } from '../../queries/mechanic-facts.ts';
import { sightMechanics } from '../../queries/who-could-see.ts';
import { adminProcedure } from '../../trpc.ts';

/**
 * Every mechanic with presence, live load against capacity, open connections (over every process)
 * and what they could take now: the admin board's live list.
 */
export const mechanics = adminProcedure.query(async ({ ctx }) => {
  const now = ctx.now();
  const [rows, extra] = await Promise.all([mechanicFacts(ctx.db, now), sightMechanics(ctx.db, now)]);
  const more = new Map(extra.map((m) => [m.userId, m]));
  return rows.map((m) => ({
    mechanicId: m.userId,
    displayName: m.displayName,
    email: more.get(m.userId)?.email ?? null,
    kind: m.kind,
    workshopId: m.workshopId,
    workshopName: more.get(m.userId)?.workshopName ?? null,
    availability: m.availability,
    presence: m.presence,
    awaySetAt: more.get(m.userId)?.awaySetAt?.toISOString() ?? null,
    awayReason: more.get(m.userId)?.awayReason ?? null,
    lastSeenAt: m.lastSeenAt?.toISOString() ?? null,
    lastOfferedAt: m.lastOfferedAt?.toISOString() ?? null,
    load: m.load,
    virtualCapacity: m.virtualCapacity,
    connections: more.get(m.userId)?.connections ?? 0,
    hasOpenOffer: m.hasOpenOffer,
    canTake: SESSION_TYPES.filter((type) => verdictFor(m, type).ok),
  }));
});
