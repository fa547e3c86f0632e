import type { Position } from '@dispatch/domain';
import type pg from 'pg';
import type { Logger } from 'pino';
import { brief } from './brief.ts';
import { EVENT_COLUMNS, type EventRow, fromRow, type StoredEvent } from './stored-event.ts';

/** Committed events after a position. No visibility horizon is needed: positions are commit-ordered. */
const READ_SQL = `SELECT ${EVENT_COLUMNS} FROM assignment_events
  WHERE position > $1::bigint ORDER BY position LIMIT $2`;
export const READ_RANGE_SQL = `SELECT ${EVENT_COLUMNS} FROM assignment_events
  WHERE position > $1::bigint AND position <= $2::bigint ORDER BY position LIMIT $3`;
export const READ_BATCH = 1000;

/** One page of committed rows after a position, in position order. */
export type ReadPage<T> = (pool: pg.Pool, after: Position, limit: number) => Promise<T[]>;

/** The assignment event log's page (the hub's reader). */
export const readEventPage: ReadPage<StoredEvent> = async (pool, after, limit) => {
  const { rows } = await pool.query<EventRow>(READ_SQL, [after.toString(), limit]);
  return rows.map(fromRow);
};

/**
 * Reads a commit-ordered table from the head forward whenever asked (a notification, a poll, a
 * reconnect): requests while a read runs coalesce into one more read, and a failed read retries
 * shortly. The event hub reads assignment_events with it, the room feed room_messages.
 */
export class ReadLoop<T = StoredEvent> {
  readonly #pool: pg.Pool;
  readonly #log: Logger;
  readonly #head: () => Position;
  readonly #deliver: (events: T[]) => void;
  readonly #read: ReadPage<T>;
  readonly #what: string;
  #reading: Promise<void> | null = null;
  #again = false;
  #retryTimer: NodeJS.Timeout | null = null;
  #stopped = false;
  #lastCaughtUpAt = 0;

  constructor(options: {
    pool: pg.Pool;
    log: Logger;
    head: () => Position;
    deliver: (events: T[]) => void;
    read: ReadPage<T>;
    /** Named in the warning when a read fails. */
    what?: string;
  }) {
    this.#pool = options.pool;
    this.#log = options.log;
    this.#head = options.head;
    this.#deliver = options.deliver;
    this.#read = options.read;
    this.#what = options.what ?? 'the event table';
  }

  /** When a read last reached the end of the table (ms since epoch); 0 before the first. */
  get lastCaughtUpAt(): number {
    return this.#lastCaughtUpAt;
  }

  request(): void {
    if (this.#stopped) return;
    if (this.#reading) {
      this.#again = true;
      return;
    }
    this.#reading = this.#loop().finally(() => {
      this.#reading = null;
    });
  }

  /** Resolves once everything committed before the call has been read. */
  async catchUp(): Promise<void> {
    this.request();
    while (this.#reading) await this.#reading;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    await this.#reading;
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      try {
        await this.#readToEnd();
      } catch (error) {
        this.#log.warn({ err: brief(error) }, `reading ${this.#what} failed; will retry`);
        this.#retryLater(250);
        return;
      }
    } while (this.#again && !this.#stopped);
  }

  async #readToEnd(): Promise<void> {
    for (;;) {
      const rows = await this.#read(this.#pool, this.#head(), READ_BATCH);
      if (rows.length > 0) this.#deliver(rows);
      if (rows.length < READ_BATCH) break;
    }
    this.#lastCaughtUpAt = Date.now();
  }

  #retryLater(ms: number): void {
    if (this.#retryTimer || this.#stopped) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.request();
    }, ms);
  }
}
