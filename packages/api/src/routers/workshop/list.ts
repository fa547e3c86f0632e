import { publicProcedure } from '../../trpc.ts';

/** Workshops a customer can pick for an in-person visit. */
export const list = publicProcedure.query(({ ctx }) =>
  ctx.db.workshop.findMany({ select: { id: true, name: true, address: true }, orderBy: { name: 'asc' } }),
);
