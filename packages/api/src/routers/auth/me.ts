import { effectivePresence } from '../../dispatch/presence.ts';
import { publicProcedure } from '../../trpc.ts';

/** The signed-in user (with their mechanic profile and presence as the server sees it), or null. */
export const me = publicProcedure.query(async ({ ctx }) => {
  if (!ctx.user) return null;
  const { user } = ctx;
  const profile =
    user.viewer.role === 'mechanic'
      ? await ctx.db.mechanic.findUnique({
          where: { userId: user.id },
          select: {
            kind: true,
            availability: true,
            lastSeenAt: true,
            workshop: { select: { id: true, name: true } },
          },
        })
      : null;
  const mechanic = profile
    ? {
        kind: profile.kind,
        workshop: profile.workshop,
        availability: profile.availability,
        presence: effectivePresence(profile.availability, profile.lastSeenAt, ctx.now()),
      }
    : null;
  // A customer's own phone from sign-up: the booking form offers it as the callback number.
  const phone =
    user.viewer.role === 'customer'
      ? ((await ctx.db.user.findUnique({ where: { id: user.id }, select: { phone: true } }))?.phone ?? null)
      : null;
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    role: user.viewer.role,
    mechanic,
    phone,
  };
});
