import { vapidKeys } from '../../alerts/vapid.ts';
import { publicProcedure } from '../../trpc.ts';

/** The VAPID public key a browser subscribes with (`applicationServerKey`). */
export const publicKey = publicProcedure.query(async ({ ctx }) => ({
  publicKey: (await vapidKeys(ctx.db)).publicKey,
}));
