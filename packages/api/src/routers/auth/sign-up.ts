import { hashPassword } from '@dispatch/db';
import { TRPCError } from '@trpc/server';
import { isUniqueViolation } from '../../auth/unique-violation.ts';
import { publicProcedure, rateLimit } from '../../trpc.ts';
import { signUpInput } from './auth.schema.ts';
import { startSession } from './start-session.ts';

/** Customers create their own accounts; mechanics and admins are provisioned. */
export const signUp = publicProcedure
  .input(signUpInput)
  .use(rateLimit('signUp', (ctx) => ctx.meta.ip))
  .mutation(async ({ ctx, input }) => {
    const passwordHash = await hashPassword(input.password);
    try {
      const user = await ctx.db.user.create({
        data: {
          email: input.email,
          passwordHash,
          displayName: input.displayName,
          phone: input.phone ?? null,
          role: 'customer',
        },
        select: { id: true, email: true, displayName: true, role: true },
      });
      if (ctx.user) await ctx.auth.revoke(ctx.user.authSessionId);
      await startSession(ctx, { ...user, mechanic: null });
      return user;
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new TRPCError({
          code: 'CONFLICT',
          message: 'An account with this email already exists. Log in instead.',
        });
      }
      throw error;
    }
  });
