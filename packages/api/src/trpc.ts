import { initTRPC, TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { Context, SignedInUser } from './context.ts';
import type { RateLimitedAction } from './security/rate-limit.ts';

const t = initTRPC.context<Context>().create({
  // Never send stack traces, whatever NODE_ENV says (tRPC reads it directly).
  isDev: false,
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof z.ZodError ? fieldIssues(error.cause) : null;
    return { ...shape, data: { ...shape.data, zodError, refusal: refusalOf(error.cause) } };
  },
});

/**
 * Validation problems keyed by their full input path (`intake.vehicleYear`), so a form can put
 * each message next to its field however deeply the input nests; `formErrors` has the rest.
 */
function fieldIssues(error: z.ZodError): { formErrors: string[]; fieldErrors: Record<string, string[]> } {
  const fieldErrors: Record<string, string[]> = {};
  const formErrors: string[] = [];
  for (const issue of error.issues) {
    if (issue.path.length === 0) formErrors.push(issue.message);
    else {
      const key = issue.path.map(String).join('.');
      fieldErrors[key] = [...(fieldErrors[key] ?? []), issue.message];
    }
  }
  return { formErrors, fieldErrors };
}

/** A validation error for one input field that only the server can check (e.g. a row must exist). */
export function fieldError(path: string[], message: string): TRPCError {
  return new TRPCError({
    code: 'BAD_REQUEST',
    message,
    cause: new z.ZodError([{ code: 'custom', path, message, input: undefined }]),
  });
}

function refusalOf(cause: unknown): string | null {
  return cause instanceof RefusalError ? cause.code : null;
}

/** A domain refusal travelling as a tRPC error; the code says which rule refused. */
export class RefusalError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Refuses with TOO_MANY_REQUESTS once `key` has used up its allowance for `action`. */
export function rateLimit(action: RateLimitedAction, key: (ctx: Context, input: unknown) => string) {
  return t.middleware(({ ctx, input, next }) => {
    const waitMs = ctx.rateLimiter.hit(action, key(ctx, input), ctx.now().getTime());
    if (waitMs > 0) {
      throw new TRPCError({
        code: 'TOO_MANY_REQUESTS',
        message: `Too many attempts. Try again in ${Math.ceil(waitMs / 1000)} s.`,
      });
    }
    return next();
  });
}

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure;

export const signedInProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Log in first.' });
  return next({ ctx: { user: ctx.user } });
});

type Role = SignedInUser['viewer']['role'];
type UserWithRole<R extends Role> = SignedInUser & { viewer: Extract<SignedInUser['viewer'], { role: R }> };

function roleProcedure<R extends Role>(...roles: R[]) {
  return signedInProcedure.use(({ ctx, next }) => {
    const user = ctx.user;
    if (!roles.includes(user.viewer.role as R)) {
      throw new TRPCError({ code: 'FORBIDDEN', message: `Only ${roles.join(' or ')} accounts can do this.` });
    }
    return next({ ctx: { user: user as UserWithRole<R> } });
  });
}

export const customerProcedure = roleProcedure('customer');
export const mechanicProcedure = roleProcedure('mechanic');
export const adminProcedure = roleProcedure('admin');
export const staffProcedure = roleProcedure('mechanic', 'admin');
