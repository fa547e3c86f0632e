export interface RateRule {
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
}

export const RATE_LIMITED_ACTIONS = ['logIn', 'signUp', 'createSession'] as const;
export type RateLimitedAction = (typeof RATE_LIMITED_ACTIONS)[number];
export type RateRules = Record<RateLimitedAction, RateRule>;

export const DEFAULT_RATE_RULES: RateRules = {
  logIn: { limit: 10, windowMs: 60_000 },
  signUp: { limit: 20, windowMs: 10 * 60_000 },
  createSession: { limit: 20, windowMs: 60_000 },
};

/**
 * Sliding-window counters per key, in this process's memory. Behind several processes each
 * counts alone, so the effective limit is at most N× the rule; that bounds abuse, which is its job.
 */
export class RateLimiter {
  readonly #rules: RateRules;
  readonly #hits = new Map<string, number[]>();
  #sweeps = 0;

  constructor(rules: RateRules = DEFAULT_RATE_RULES) {
    this.#rules = rules;
  }

  /** Records a hit; returns how many ms until the next would be allowed, or 0 when this one is. */
  hit(action: RateLimitedAction, key: string, now: number): number {
    const rule = this.#rules[action];
    const id = `${action}:${key}`;
    const since = now - rule.windowMs;
    const recent = (this.#hits.get(id) ?? []).filter((t) => t > since);
    if (recent.length >= rule.limit) {
      this.#hits.set(id, recent);
      return (recent[0] ?? now) + rule.windowMs - now;
    }
    recent.push(now);
    this.#hits.set(id, recent);
    if (++this.#sweeps % 1000 === 0) this.#sweep(now);
    return 0;
  }

  #sweep(now: number): void {
    const longest = Math.max(...Object.values(this.#rules).map((r) => r.windowMs));
    for (const [id, times] of this.#hits) if ((times.at(-1) ?? 0) <= now - longest) this.#hits.delete(id);
  }
}
