import { effectivePresence } from '../../dispatch/presence.ts';
import { mechanicProcedure } from '../../trpc.ts';

/**
 * The mechanic's availability as the dashboard shows it: their stored choice (restored after every
 * log-in), presence as the server sees it, and why the system set them away, if it did.
 */
export const status = mechanicProcedure.query(async ({ ctx }) => {
  const row = await ctx.db.mechanic.findUniqueOrThrow({
    where: { userId: ctx.user.id },
    select: { availability: true, lastSeenAt: true, awayReason: true, awaySetAt: true },
  });
  return {
    availability: row.availability,
    presence: effectivePresence(row.availability, row.lastSeenAt, ctx.now()),
    awayReason: row.availability === 'away' ? row.awayReason : null,
    awaySetAt: row.availability === 'away' && row.awayReason ? row.awaySetAt : null,
  };
});
