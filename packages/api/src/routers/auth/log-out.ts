import { clearedSessionCookie } from '../../auth/cookie.ts';
import { publicProcedure } from '../../trpc.ts';

/** Revokes the session server-side, so a copied cookie stops working too. */
export const logOut = publicProcedure.mutation(async ({ ctx }) => {
  if (ctx.user) {
    await ctx.db.authSession.update({
      where: { id: ctx.user.authSessionId },
      data: { revokedAt: ctx.now() },
    });
  }
  ctx.setCookie?.(clearedSessionCookie(ctx.meta.secure));
  return { ok: true as const };
});
