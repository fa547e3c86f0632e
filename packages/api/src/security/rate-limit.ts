import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';

const RATE_LIMITED_ACTIONS = ['logIn', 'signUp', 'createSession', 'roomMessage', 'callSignal'] as const;
export type RateLimitedAction = (typeof RATE_LIMITED_ACTIONS)[number];

/** Each action's window; the limits per window are settings (the server's env). */
const RATE_WINDOWS_MS: Record<RateLimitedAction, number> = {
  logIn: 60_000,
  signUp: 10 * 60_000,
  createSession: 60_000,
  roomMessage: 60_000,
  callSignal: 60_000,
};

export type RateLimits = Record<RateLimitedAction, number>;

/**
 * A call's set-up is 2 descriptions and 10-30 ICE candidates per side; a reload or ICE restart
 * repeats it. 300 a minute per user is ample for that and stops a tab that floods the relay.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  logIn: 10,
  signUp: 20,
  createSession: 20,
  roomMessage: 30,
  callSignal: 300,
};

/** Counts attempts per action and key; answers how many ms until the next is allowed (0: allowed now). */
export interface RateLimiter {
  hit(action: RateLimitedAction, key: string): Promise<number>;
  /**
   * Gives back one counted attempt: the call turned out not to count (an idempotent retry of a
   * booking, known only once the booking statement has answered).
   */
  refund(action: RateLimitedAction, key: string): Promise<void>;
}

type Limiter = RateLimiterMemory | RateLimiterPostgres;

function limiterFor(
  given: Partial<RateLimits>,
  make: (
    action: RateLimitedAction,
    options: { points: number; duration: number; keyPrefix: string },
  ) => Limiter,
): RateLimiter {
  const limits: RateLimits = { ...DEFAULT_RATE_LIMITS, ...given };
  const limiters = Object.fromEntries(
    RATE_LIMITED_ACTIONS.map((action) => [
      action,
      make(action, { points: limits[action], duration: RATE_WINDOWS_MS[action] / 1000, keyPrefix: action }),
    ]),
  ) as Record<RateLimitedAction, Limiter>;
  return {
    async hit(action, key) {
      try {
        await limiters[action].consume(key);
        return 0;
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) return Math.max(1, refusal.msBeforeNext);
        throw refusal;
      }
    },
    async refund(action, key) {
      await limiters[action].reward(key, 1);
    },
  };
}

/** One process's own counters (tests through createCaller). */
export function memoryRateLimiter(limits: Partial<RateLimits> = DEFAULT_RATE_LIMITS): RateLimiter {
  return limiterFor(limits, (_action, options) => new RateLimiterMemory(options));
}

/**
 * Counters in PostgreSQL (the rate_limits table), shared by every server process, so the limits
 * hold however many processes run. If the table cannot be reached, each process falls back to
 * its own memory (the library's insurance limiter) rather than refusing or failing the call.
 */
export function sharedRateLimiter(
  pool: pg.Pool,
  limits: Partial<RateLimits> = DEFAULT_RATE_LIMITS,
): RateLimiter {
  return limiterFor(
    limits,
    (_action, options) =>
      new RateLimiterPostgres({
        ...options,
        storeClient: pool,
        storeType: 'pool',
        tableName: 'rate_limits',
        tableCreated: true,
        insuranceLimiter: new RateLimiterMemory(options),
      }),
  );
}
