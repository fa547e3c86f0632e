import { SESSION_TYPES } from '@dispatch/domain';
import { mechanicFacts, verdictFor } from '../../queries/mechanic-facts.ts';
import { adminProcedure } from '../../trpc.ts';

/** Every mechanic with presence, live load, capacity and what they could take now: the admin's live list. */
export const mechanics = adminProcedure.query(async ({ ctx }) => {
  const now = ctx.now();
  const rows = await mechanicFacts(ctx.db, now);
  return rows.map((m) => ({
    mechanicId: m.userId,
    displayName: m.displayName,
    kind: m.kind,
    workshopId: m.workshopId,
    availability: m.availability,
    presence: m.presence,
    lastSeenAt: m.lastSeenAt?.toISOString() ?? null,
    lastOfferedAt: m.lastOfferedAt?.toISOString() ?? null,
    load: m.load,
    virtualCapacity: m.virtualCapacity,
    hasOpenOffer: m.hasOpenOffer,
    canTake: SESSION_TYPES.filter((type) => verdictFor(m, type).ok),
  }));
});
