import { clearedSessionCookie } from '../../auth/cookie.ts';
import { publicProcedure } from '../../trpc.ts';

/** Revokes the session server-side, so a copied cookie stops working and its sockets close at once. */
export const logOut = publicProcedure.mutation(async ({ ctx }) => {
  if (ctx.user) await ctx.auth.revoke(ctx.user.authSessionId);
  ctx.setCookie?.(clearedSessionCookie(ctx.meta.secure));
  return { ok: true as const };
});
