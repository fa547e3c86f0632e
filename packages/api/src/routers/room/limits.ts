import { TRPCError } from '@trpc/server';
import type { Context } from '../../context.ts';
import { RetryLater } from '../../errors/retry-later.ts';

/**
 * One allowance per person for everything they send into rooms (messages and photos, all rooms
 * together), shared by every server process (security/rate-limit.ts). A refusal says when to try
 * again, in words and in `retryAfterMs`; the client keeps the message queued and sends it then.
 */
export async function limitRoomSends(ctx: Context, userId: string): Promise<void> {
  const waitMs = await ctx.rateLimiter.hit('roomMessage', userId);
  if (waitMs > 0) {
    throw new TRPCError({
      code: 'TOO_MANY_REQUESTS',
      message: `You are sending messages too fast. Your message will go in ${Math.ceil(waitMs / 1000)} s.`,
      cause: new RetryLater('room messages rate limited', waitMs),
    });
  }
}
