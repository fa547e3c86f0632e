import { verifyPassword } from '@dispatch/db';
import { TRPCError } from '@trpc/server';
import { publicProcedure, rateLimit } from '../../trpc.ts';
import { logInInput } from './auth.schema.ts';
import { startSession } from './start-session.ts';

/** A hash of a random password, so unknown emails cost the same time as wrong passwords. */
const DUMMY_HASH =
  'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==';

/** Guessing is limited per address and account, so one attacker cannot lock out everyone. */
const perAddressAndEmail = (ctx: { meta: { ip: string } }, input: unknown) =>
  `${ctx.meta.ip}:${(input as { email?: string } | undefined)?.email ?? ''}`;

export const logIn = publicProcedure
  .input(logInInput)
  .use(rateLimit('logIn', perAddressAndEmail))
  .mutation(async ({ ctx, input }) => {
    const user = await ctx.db.user.findUnique({
      where: { email: input.email },
      select: {
        id: true,
        email: true,
        displayName: true,
        role: true,
        passwordHash: true,
        // What the auth cache needs to know about a mechanic (their viewer), in the same query.
        mechanic: { select: { kind: true, workshopId: true } },
      },
    });
    const valid = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !valid)
      throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Email or password is wrong.' });
    // A log-in replaces whoever was signed in in this browser: that session ends (and its sockets
    // close), so nothing meant for the previous user reaches this page.
    if (ctx.user) await ctx.auth.revoke(ctx.user.authSessionId);
    await startSession(ctx, user);
    return { id: user.id, email: user.email, displayName: user.displayName, role: user.role };
  });
