import { publicProcedure } from '../../trpc.ts';

/** The signed-in user (with their mechanic profile), or null. */
export const me = publicProcedure.query(async ({ ctx }) => {
  if (!ctx.user) return null;
  const { user } = ctx;
  const mechanic =
    user.viewer.role === 'mechanic'
      ? await ctx.db.mechanic.findUnique({
          where: { userId: user.id },
          select: { kind: true, availability: true, workshop: { select: { id: true, name: true } } },
        })
      : null;
  return { id: user.id, email: user.email, displayName: user.displayName, role: user.viewer.role, mechanic };
});
