import { deviceLabel } from '../../alerts/device-label.ts';
import { signedInProcedure } from '../../trpc.ts';
import { subscribeInput } from './push.schema.ts';

/**
 * Stores this browser's push subscription for the signed-in user (one row per device: the
 * endpoint is unique). The same browser signing in as someone else moves the device to them.
 */
export const subscribe = signedInProcedure.input(subscribeInput).mutation(async ({ ctx, input }) => {
  const data = {
    userId: ctx.user.id,
    p256dh: input.keys.p256dh,
    auth: input.keys.auth,
    label: deviceLabel(ctx.meta.userAgent),
  };
  const row = await ctx.db.pushSubscription.upsert({
    where: { endpoint: input.endpoint },
    create: { endpoint: input.endpoint, ...data },
    update: data,
    select: { id: true, label: true, createdAt: true },
  });
  return row;
});
