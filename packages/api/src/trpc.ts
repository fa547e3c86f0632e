import { initTRPC, TRPCError } from '@trpc/server';
import { z } from 'zod';
import { CommandError } from './commands/errors.ts';
import type { Context, SignedInUser } from './context.ts';
import { type AdmissionClass, AdmissionRefused } from './errors/admission.ts';
import { RetryLater, retryAfterMsOf } from './errors/retry-later.ts';
import { isTransientDatabaseError } from './errors/transient.ts';
import type { RateLimitedAction } from './security/rate-limit.ts';

/** The one sentence an unexpected error becomes for a client; details stay in the log. */
export function internalErrorMessage(requestId: string | null): string {
  return `Something went wrong on our side. Please try again${requestId ? ` (request ${requestId})` : ''}.`;
}

/** What a procedure says about itself to the middleware. */
interface ProcedureMeta {
  /** `new` for a call that starts work later calls finish (a booking): shed first under overload. */
  admission?: AdmissionClass;
}

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    // Never send stack traces, whatever NODE_ENV says (tRPC reads it directly).
    isDev: false,
    errorFormatter({ shape, error, ctx }) {
      const requestId = ctx?.meta.requestId ?? null;
      const zodError =
        error.cause instanceof z.ZodError ? fieldIssues(error.cause) : commandFieldIssue(error.cause);
      const message =
        error.code === 'INTERNAL_SERVER_ERROR'
          ? internalErrorMessage(requestId)
          : error.cause instanceof z.ZodError
            ? readableIssues(error.cause)
            : error.message;
      return {
        message,
        code: shape.code,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          zodError,
          refusal: error.cause instanceof CommandError ? (error.cause.details.refusal ?? null) : null,
          retryAfterMs: retryAfterMsOf(error),
          requestId,
        },
      };
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

function commandFieldIssue(cause: unknown) {
  if (!(cause instanceof CommandError) || !cause.details.field) return null;
  return { formErrors: [], fieldErrors: { [cause.details.field.join('.')]: [cause.message] } };
}

/** A validation failure as one sentence a person can read (the field errors stay in `data`). */
function readableIssues(error: z.ZodError): string {
  const messages = [...new Set(error.issues.map((issue) => issue.message))].slice(0, 5);
  const more = error.issues.length > messages.length ? ' (and more)' : '';
  return `Please check your input: ${messages.join('; ')}${more}.`.replace(/\.\.$/, '.');
}

/** A command's transport-neutral error as the tRPC error it is sent as. The one mapping. */
function toTRPCError(error: unknown): unknown {
  if (error instanceof TRPCError) return error;
  if (error instanceof CommandError) {
    switch (error.kind) {
      case 'not_found':
        return new TRPCError({ code: 'NOT_FOUND', message: error.message, cause: error });
      case 'conflict':
        return new TRPCError({ code: 'CONFLICT', message: error.message, cause: error });
      case 'invalid':
        return new TRPCError({ code: 'BAD_REQUEST', message: error.message, cause: error });
      case 'busy':
        return busy(error.details.retryAfterMs ?? 1000);
      case 'refused': {
        const who = error.details.refusal === 'not_owner' || error.details.refusal === 'actor_not_allowed';
        return new TRPCError({ code: who ? 'FORBIDDEN' : 'CONFLICT', message: error.message, cause: error });
      }
    }
  }
  if (error instanceof AdmissionRefused) return busy(error.retryAfterMs);
  if (isTransientDatabaseError(error)) return busy(1000 + Math.round(Math.random() * 1000));
  return error;
}

function busy(retryAfterMs: number): TRPCError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new TRPCError({
    code: 'SERVICE_UNAVAILABLE',
    message: `The service is busy. Please try again in ${seconds} s.`,
    cause: new RetryLater('busy', retryAfterMs),
  });
}

/**
 * Every call: queries and mutations take an admission slot for their database work (overload is
 * refused quickly with a retry hint), and whatever a handler throws is mapped once, here. A caller
 * whose auth session this process has not cached yet is looked up inside that slot, not before it
 * (createContext leaves it to here): a refused call costs no query, and lookups count against the
 * same limit as the rest of the database work, so they cannot hold pool connections it let in.
 */
const mapped = t.middleware(async ({ ctx, type, meta, next }) => {
  const run = async () =>
    ctx.unresolvedSessionToken
      ? next({ ctx: { user: await ctx.auth.userFor(ctx.unresolvedSessionToken) } })
      : next();
  const result =
    type === 'subscription'
      ? await run()
      : await ctx.admission.run(run, meta?.admission).catch((error) => {
          throw toTRPCError(error);
        });
  if (!result.ok) {
    const cause = result.error.cause ?? result.error;
    const error = toTRPCError(result.error.code === 'INTERNAL_SERVER_ERROR' ? cause : result.error);
    throw error;
  }
  return result;
});

/** Counts one attempt; throws TOO_MANY_REQUESTS once `key` has used up its allowance for `action`. */
export async function hitRateLimit(ctx: Context, action: RateLimitedAction, key: string): Promise<void> {
  const waitMs = await ctx.rateLimiter.hit(action, key);
  if (waitMs > 0) throw rateLimited(waitMs);
}

/** The refusal for an attempt over the limit, `waitMs` before the next is allowed. */
export function rateLimited(waitMs: number): TRPCError {
  return new TRPCError({
    code: 'TOO_MANY_REQUESTS',
    message: `Too many attempts. Try again in ${Math.ceil(waitMs / 1000)} s.`,
    cause: new RetryLater('rate limited', waitMs),
  });
}

/** The same as a middleware, counted before the procedure runs. */
export function rateLimit(action: RateLimitedAction, key: (ctx: Context, input: unknown) => string) {
  return t.middleware(async ({ ctx, input, next }) => {
    await hitRateLimit(ctx, action, key(ctx, input));
    return next();
  });
}

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(mapped);

export const signedInProcedure = publicProcedure.use(({ ctx, next }) => {
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
