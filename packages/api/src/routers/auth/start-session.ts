import { newSessionToken, SESSION_TTL_MS, sessionCookie } from '../../auth/cookie.ts';
import type { Context } from '../../context.ts';

/** Creates a server-side session for the user and sets its cookie. */
export async function startSession(ctx: Context, userId: string): Promise<void> {
  const { token, id } = newSessionToken();
  await ctx.db.authSession.create({
    data: { id, userId, expiresAt: new Date(ctx.now().getTime() + SESSION_TTL_MS) },
  });
  ctx.setCookie?.(sessionCookie(token, ctx.meta.secure));
}
