import type { AccountFacts } from '../../auth/auth-sessions.ts';
import { sessionCookie } from '../../auth/cookie.ts';
import type { Context } from '../../context.ts';

/**
 * Creates a server-side session for the user and sets its cookie; the user is cached by this
 * process at once, so the request after a log-in or sign-up costs no lookup.
 */
export async function startSession(ctx: Context, user: AccountFacts): Promise<void> {
  const token = await ctx.auth.start(user);
  ctx.setCookie?.(sessionCookie(token, ctx.meta.secure));
}
