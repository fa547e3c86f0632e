import { HEARTBEAT_INTERVAL_MS } from '@dispatch/api';
import type { Db } from '@dispatch/db';
import type { Logger } from 'pino';

/**
 * Counts this process's open connections per mechanic and refreshes their `last_seen_at`, so a
 * mechanic whose every connection died reads as offline within a minute, on any process.
 */
export class PresenceTracker {
  readonly #connections = new Map<string, number>();
  readonly #db: Db;
  readonly #log: Logger;
  readonly #now: () => Date;
  #timer: NodeJS.Timeout | null = null;

  constructor(db: Db, log: Logger, now: () => Date) {
    this.#db = db;
    this.#log = log;
    this.#now = now;
  }

  start(intervalMs = HEARTBEAT_INTERVAL_MS): void {
    this.#timer = setInterval(() => void this.beat(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  connected(mechanicId: string): void {
    this.#connections.set(mechanicId, (this.#connections.get(mechanicId) ?? 0) + 1);
    void this.#touch([mechanicId]);
  }

  disconnected(mechanicId: string): void {
    const left = (this.#connections.get(mechanicId) ?? 1) - 1;
    if (left > 0) this.#connections.set(mechanicId, left);
    else this.#connections.delete(mechanicId);
  }

  get online(): string[] {
    return [...this.#connections.keys()];
  }

  async beat(): Promise<void> {
    await this.#touch(this.online);
  }

  async #touch(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    try {
      await this.#db.mechanic.updateMany({
        where: { userId: { in: ids } },
        data: { lastSeenAt: this.#now() },
      });
    } catch (error) {
      this.#log.warn({ err: error }, 'presence heartbeat failed');
    }
  }
}
