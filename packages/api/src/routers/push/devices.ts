import { signedInProcedure } from '../../trpc.ts';
import { endpointInput, removeDeviceInput } from './push.schema.ts';

/** The signed-in user's subscribed devices, for the settings screen. */
export const devices = signedInProcedure.query(async ({ ctx }) => {
  const rows = await ctx.db.pushSubscription.findMany({
    where: { userId: ctx.user.id },
    orderBy: { createdAt: 'asc' },
    select: { id: true, label: true, createdAt: true, lastSuccessAt: true, endpoint: true },
  });
  // The endpoint is a capability URL: the page only gets a hash-free hint to find "this device".
  return rows.map(({ endpoint, ...row }) => ({ ...row, endpointTail: endpoint.slice(-16) }));
});

/** Removes one of the user's devices (another user's id removes nothing). */
export const removeDevice = signedInProcedure.input(removeDeviceInput).mutation(async ({ ctx, input }) => {
  const { count } = await ctx.db.pushSubscription.deleteMany({
    where: { id: input.id, userId: ctx.user.id },
  });
  return { removed: count };
});

/** This browser turned pushes off. */
export const unsubscribe = signedInProcedure.input(endpointInput).mutation(async ({ ctx, input }) => {
  const { count } = await ctx.db.pushSubscription.deleteMany({
    where: { endpoint: input.endpoint, userId: ctx.user.id },
  });
  return { removed: count };
});
