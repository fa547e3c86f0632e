import { HEARTBEAT_INTERVAL_MS } from '@dispatch/api';
import type { Db } from '@dispatch/db';
import type { Logger } from 'pino';

/**
 * Counts this process's open connections per mechanic and refreshes their `last_seen_at`, so a
 * mechanic whose every connection died reads as offline within a minute, on any process. The
 * counts themselves go to `mechanic_connections` (one row per process and mechanic, refreshed by
 * the same heartbeat) for the admin board and "who could see this?".
 */
export class PresenceTracker {
  readonly #connections = new Map<string, number>();
  readonly #db: Db;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #process: string;
  #timer: NodeJS.Timeout | null = null;

  constructor(db: Db, log: Logger, now: () => Date, processName = 'server') {
    this.#db = db;
    this.#log = log;
    this.#now = now;
    this.#process = processName;
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
    void this.#count(mechanicId);
  }

  disconnected(mechanicId: string): void {
    const left = (this.#connections.get(mechanicId) ?? 1) - 1;
    if (left > 0) this.#connections.set(mechanicId, left);
    else this.#connections.delete(mechanicId);
    void this.#count(mechanicId);
  }

  get online(): string[] {
    return [...this.#connections.keys()];
  }

  async beat(): Promise<void> {
    await this.#touch(this.online);
    await this.#countAll();
  }

  /** This process's rows go when it stops (a crashed process's rows go stale instead). */
  async forget(): Promise<void> {
    try {
      await this.#db.$executeRaw`DELETE FROM mechanic_connections WHERE process = ${this.#process}`;
    } catch (error) {
      this.#log.warn({ err: error }, 'connection counts not cleared');
    }
  }

  async #count(mechanicId: string): Promise<void> {
    const connections = this.#connections.get(mechanicId) ?? 0;
    try {
      if (connections === 0) {
        await this.#db.$executeRaw`
          DELETE FROM mechanic_connections WHERE process = ${this.#process} AND mechanic_id = ${mechanicId}::uuid`;
      } else {
        await this.#db.$executeRaw`
          INSERT INTO mechanic_connections (process, mechanic_id, connections, seen_at)
          VALUES (${this.#process}, ${mechanicId}::uuid, ${connections}, ${this.#now()})
          ON CONFLICT (process, mechanic_id) DO UPDATE SET connections = EXCLUDED.connections, seen_at = EXCLUDED.seen_at`;
      }
    } catch (error) {
      this.#log.warn({ err: error }, 'connection count not recorded');
    }
  }

  /** Every count of this process in one statement: refreshes the live rows, drops the rest. */
  async #countAll(): Promise<void> {
    const ids = [...this.#connections.keys()];
    const counts = ids.map((id) => this.#connections.get(id) ?? 0);
    try {
      await this.#db.$executeRaw`
        WITH live AS (SELECT * FROM unnest(${ids}::uuid[], ${counts}::int[]) AS t(mechanic_id, connections)),
        gone AS (
          DELETE FROM mechanic_connections c WHERE c.process = ${this.#process}
             AND NOT EXISTS (SELECT 1 FROM live WHERE live.mechanic_id = c.mechanic_id)
        )
        INSERT INTO mechanic_connections (process, mechanic_id, connections, seen_at)
        SELECT ${this.#process}, mechanic_id, connections, ${this.#now()} FROM live
        ON CONFLICT (process, mechanic_id) DO UPDATE SET connections = EXCLUDED.connections, seen_at = EXCLUDED.seen_at`;
    } catch (error) {
      this.#log.warn({ err: error }, 'connection counts not recorded');
    }
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
