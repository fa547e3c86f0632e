import { HEARTBEAT_INTERVAL_MS } from '@dispatch/api';
import type { Db } from '@dispatch/db';
import type { Logger } from 'pino';

/**
 * Counts this process's open connections per mechanic and refreshes their `last_seen_at`, so a
 * mechanic whose every connection died reads as offline within a minute, on any process. The
 * counts themselves go to `mechanic_connections` (one row per process and mechanic, refreshed by
 * the same heartbeat) for the admin board and "who could see this?".
 *
 * Writes go one at a time, in order, and what changes while one is under way goes out together in
 * the next: a socket that opens when nothing is being written is recorded at once, and a burst of
 * reconnects (a deploy, a network blip) costs a few statements instead of two per socket, and not
 * the garbage of each (see packages/bench/src/probe-memory.ts --allocations).
 */
export class PresenceTracker {
  readonly #connections = new Map<string, number>();
  /** Mechanics whose count changed since the last write, and those of them who connected. */
  readonly #changed = new Set<string>();
  readonly #arrived = new Set<string>();
  readonly #db: Db;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #process: string;
  #timer: NodeJS.Timeout | null = null;
  /** The last write queued; each runs after the one before and never rejects. */
  #writes: Promise<void> = Promise.resolve();
  #writeQueued = false;
  #stopped = false;

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

  /** No more writes after this; what is under way finishes (forget() waits for it). */
  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
  }

  connected(mechanicId: string): void {
    this.#connections.set(mechanicId, (this.#connections.get(mechanicId) ?? 0) + 1);
    this.#arrived.add(mechanicId);
    this.#changed.add(mechanicId);
    this.#queueChanges();
  }

  disconnected(mechanicId: string): void {
    const left = (this.#connections.get(mechanicId) ?? 1) - 1;
    if (left > 0) this.#connections.set(mechanicId, left);
    else this.#connections.delete(mechanicId);
    this.#changed.add(mechanicId);
    this.#queueChanges();
  }

  get online(): string[] {
    return [...this.#connections.keys()];
  }

  /** The heartbeat: every online mechanic's `last_seen_at`, and every count of this process. */
  beat(): Promise<void> {
    return this.#queue(async () => {
      await this.#touch(this.online);
      await this.#countAll();
    });
  }

  /** This process's rows go when it stops (a crashed process's rows go stale instead). */
  forget(): Promise<void> {
    return this.#queue(async () => {
      try {
        await this.#db.$executeRaw`DELETE FROM mechanic_connections WHERE process = ${this.#process}`;
      } catch (error) {
        this.#log.warn({ err: error }, 'connection counts not cleared');
      }
    }, true);
  }

  #queue(write: () => Promise<void>, evenStopped = false): Promise<void> {
    this.#writes = this.#writes
      .then(() => (this.#stopped && !evenStopped ? undefined : write()))
      .catch((error: unknown) => this.#log.warn({ err: error }, 'presence write failed'));
    return this.#writes;
  }

  /** Queues one write of everything that changes until it starts. */
  #queueChanges(): void {
    if (this.#writeQueued || this.#stopped) return;
    this.#writeQueued = true;
    void this.#queue(async () => {
      this.#writeQueued = false;
      const arrived = [...this.#arrived];
      const changed = [...this.#changed];
      this.#arrived.clear();
      this.#changed.clear();
      await this.#touch(arrived);
      await this.#count(changed);
    });
  }

  /** The counts of these mechanics in one statement: live ones upserted, the rest deleted. */
  async #count(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const live = ids.filter((id) => this.#connections.has(id));
    const gone = ids.filter((id) => !this.#connections.has(id));
    const counts = live.map((id) => this.#connections.get(id) ?? 0);
    try {
      await this.#db.$executeRaw`
        WITH live AS (SELECT * FROM unnest(${live}::uuid[], ${counts}::int[]) AS t(mechanic_id, connections)),
        gone AS (
          DELETE FROM mechanic_connections WHERE process = ${this.#process} AND mechanic_id = ANY(${gone}::uuid[])
        )
        INSERT INTO mechanic_connections (process, mechanic_id, connections, seen_at)
        SELECT ${this.#process}, mechanic_id, connections, ${this.#now()} FROM live
        ON CONFLICT (process, mechanic_id) DO UPDATE SET connections = EXCLUDED.connections, seen_at = EXCLUDED.seen_at`;
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
