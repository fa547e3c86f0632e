import { customerProcedure } from '../../trpc.ts';

/** The customer's recent sessions, newest first; a completed one with its outcome and rating. */
export const listMine = customerProcedure.query(async ({ ctx }) => {
  return ctx.db.helpSession.findMany({
    where: { customerId: ctx.user.id },
    orderBy: { createdAt: 'desc' },
    take: 20,
    select: {
      id: true,
      status: true,
      type: true,
      vehicleMake: true,
      vehicleModel: true,
      vehicleYear: true,
      createdAt: true,
      cancelReason: true,
      outcome: true,
      rating: { select: { stars: true } },
    },
  });
});
