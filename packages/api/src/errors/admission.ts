/** Thrown when the process has no room for more database work now. */
export class AdmissionRefused extends Error {
  constructor(readonly retryAfterMs: number) {
    super('The service is busy right now.');
  }
}

export interface AdmissionLimits {
  /** Database-using calls running at once (at most the pool size, so none waits on the pool). */
  concurrency: number;
  /** Calls allowed to wait for a free slot; past this they are refused at once. */
  queue: number;
  /** How long a call may wait for a slot before it is refused. */
  maxWaitMs: number;
}

/**
 * Bounded concurrency for database work: overload becomes a quick, clean refusal with a retry
 * hint instead of pool timeouts, expired transactions and 500s.
 */
export class Admission {
  readonly #limits: AdmissionLimits;
  #running = 0;
  #waiting: { start: () => void; timer: NodeJS.Timeout }[] = [];
  #refused = 0;

  constructor(limits: AdmissionLimits) {
    this.#limits = limits;
  }

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#waiting.length;
  }

  get refused(): number {
    return this.#refused;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.#enter();
    try {
      return await work();
    } finally {
      this.#leave();
    }
  }

  #enter(): Promise<void> {
    if (this.#running < this.#limits.concurrency) {
      this.#running += 1;
      return Promise.resolve();
    }
    if (this.#waiting.length >= this.#limits.queue) return Promise.reject(this.#refuse());
    return new Promise((resolve, reject) => {
      const entry = {
        start: () => {
          clearTimeout(entry.timer);
          this.#running += 1;
          resolve();
        },
        timer: setTimeout(() => {
          this.#waiting = this.#waiting.filter((w) => w !== entry);
          reject(this.#refuse());
        }, this.#limits.maxWaitMs),
      };
      this.#waiting.push(entry);
    });
  }

  #leave(): void {
    this.#running -= 1;
    this.#waiting.shift()?.start();
  }

  #refuse(): AdmissionRefused {
    this.#refused += 1;
    // Ask for a pause about as long as the queue takes to drain, with jitter so retries spread out.
    return new AdmissionRefused(Math.round(500 + Math.random() * 1000));
  }
}
