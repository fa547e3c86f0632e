import { signedInProcedure } from '../../trpc.ts';
import { focusInput } from './push.schema.ts';

/** How long one "I am focused" report keeps pushes off this device; the page renews it sooner. */
const FOCUS_LEASE_MS = 45_000;

/**
 * A live, focused dashboard alerts by itself, so its device gets no push: the page reports focus
 * (and renews it every 20 s) and blur; a crashed page's lease simply runs out.
 */
export const focus = signedInProcedure.input(focusInput).mutation(async ({ ctx, input }) => {
  const focusedUntil = input.focused ? new Date(ctx.now().getTime() + FOCUS_LEASE_MS) : null;
  const { count } = await ctx.db.pushSubscription.updateMany({
    where: { endpoint: input.endpoint, userId: ctx.user.id },
    data: { focusedUntil },
  });
  return { known: count > 0 };
});
