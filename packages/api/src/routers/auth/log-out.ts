import { clearedSessionCookie } from '../../auth/cookie.ts';
import { publicProcedure } from '../../trpc.ts';

/** Revokes the session server-side, so a copied cookie stops working too. */
export const logOut = publicProcedure.mutation(async ({ ctx }) => {
  if (ctx.user) {
    // updateMany: logging out twice (two tabs) is not an error.
    await ctx.db.authSession.updateMany({
      where: { id: ctx.user.authSessionId, revokedAt: null },
      data: { revokedAt: ctx.now() },
    });
  }
  ctx.setCookie?.(clearedSessionCookie(ctx.meta.secure));
  return { ok: true as const };
});
