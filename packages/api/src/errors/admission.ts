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
 * What a call is to the work already under way. `new` starts something that needs more calls to be
 * of any use (a booking: then its waiver and its accept); everything else is `continuing`.
 */
export type AdmissionClass = 'new' | 'continuing';

/**
 * New work may fill this share of the wait queue; the rest is kept for continuing work, which is
 * also started first. Past saturation every booking let in takes the capacity its flow's later
 * steps need: letting new bookings queue like the rest made them crowd out the signs and accepts of
 * flows already begun, whose refusal wasted the bookings made for them.
 */
const NEW_WORK_QUEUE_SHARE = 0.25;

/**
 * Bounded concurrency for database work: overload becomes a quick, clean refusal with a retry
 * hint instead of pool timeouts, expired transactions and 500s. Under overload new work is refused
 * first and waits behind continuing work, so what was started can finish.
 */
export class Admission {
  readonly #limits: AdmissionLimits;
  #running = 0;
  readonly #waiting: Record<AdmissionClass, { start: () => void; timer: NodeJS.Timeout }[]> = {
    continuing: [],
    new: [],
  };
  #refused = 0;

  constructor(limits: AdmissionLimits) {
    this.#limits = limits;
  }

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#waiting.continuing.length + this.#waiting.new.length;
  }

  get refused(): number {
    return this.#refused;
  }

  async run<T>(work: () => Promise<T>, kind: AdmissionClass = 'continuing'): Promise<T> {
    await this.#enter(kind);
    try {
      return await work();
    } finally {
      this.#leave();
    }
  }

  #enter(kind: AdmissionClass): Promise<void> {
    if (this.#running < this.#limits.concurrency) {
      this.#running += 1;
      return Promise.resolve();
    }
    const { queue: size } = this.#limits;
    const room = kind === 'new' ? Math.min(size, Math.max(1, Math.floor(size * NEW_WORK_QUEUE_SHARE))) : size;
    if (this.queued >= room) return Promise.reject(this.#refuse());
    const queue = this.#waiting[kind];
    return new Promise((resolve, reject) => {
      const entry = {
        start: () => {
          clearTimeout(entry.timer);
          this.#running += 1;
          resolve();
        },
        timer: setTimeout(() => {
          const at = queue.indexOf(entry);
          if (at >= 0) queue.splice(at, 1);
          reject(this.#refuse());
        }, this.#limits.maxWaitMs),
      };
      queue.push(entry);
    });
  }

  #leave(): void {
    this.#running -= 1;
    (this.#waiting.continuing.shift() ?? this.#waiting.new.shift())?.start();
  }

  #refuse(): AdmissionRefused {
    this.#refused += 1;
    // Ask for a pause about as long as the queue takes to drain, with jitter so retries spread out.
    return new AdmissionRefused(Math.round(500 + Math.random() * 1000));
  }
}
