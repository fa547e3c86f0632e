import { customerProcedure } from '../../trpc.ts';

/** The customer's open session, if any: where a returning customer lands. */
export const current = customerProcedure.query(async ({ ctx }) => {
  const open = await ctx.db.helpSession.findFirst({
    where: { customerId: ctx.user.id, status: { in: ['pending_waiver', 'waiting', 'in_progress'] } },
    orderBy: { createdAt: 'desc' },
    select: { id: true },
  });
  return open ? { sessionId: open.id } : null;
});
