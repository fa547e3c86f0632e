import { mechanicProcedure } from '../../trpc.ts';

/**
 * A mechanic acting from a notification (the service worker, with no dashboard open) is present:
 * this refreshes `last_seen_at` so an accept that follows is not refused as offline. It never
 * changes the mechanic's choice; an Away mechanic stays away.
 */
export const touch = mechanicProcedure.mutation(async ({ ctx }) => {
  await ctx.db.mechanic.updateMany({
    where: { userId: ctx.user.id, availability: 'available' },
    data: { lastSeenAt: ctx.now() },
  });
  return { ok: true };
});
