import { comparePositions, type Position, START_POSITION } from '@dispatch/domain';
import pg from 'pg';
import type { Logger } from 'pino';
import { EVENTS_CHANNEL } from '../core/record-event.ts';
import { HEAD_SQL, type HeadRow, headOf } from './head.ts';
import { EVENT_COLUMNS, type EventRow, fromRow, type StoredEvent } from './stored-event.ts';

export interface EventHubOptions {
  connectionString: string;
  log: Logger;
  /** Events kept in memory for fast catch-up; older positions are read from the table. */
  memoryCapacity?: number;
  /** Safety re-read when no notification came (a lost NOTIFY, a LISTEN reconnect). */
  pollIntervalMs?: number;
  /** Re-read delay while a committed event waits behind an older running transaction. */
  blockedRetryMs?: number;
}

/** Rows visible to the reader's snapshot and written by transactions older than every running one. */
const READ_SQL = `SELECT ${EVENT_COLUMNS} FROM assignment_events
  WHERE (tx_id, id) > ($1::text::xid8, $2::bigint)
    AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY tx_id, id LIMIT $3`;
const READ_RANGE_SQL = `SELECT ${EVENT_COLUMNS} FROM assignment_events
  WHERE (tx_id, id) > ($1::text::xid8, $2::bigint) AND (tx_id, id) <= ($3::text::xid8, $4::bigint)
  ORDER BY tx_id, id LIMIT $5`;
const BLOCKED_SQL = `SELECT EXISTS (SELECT 1 FROM assignment_events
  WHERE (tx_id, id) > ($1::text::xid8, $2::bigint)
    AND tx_id >= pg_snapshot_xmin(pg_current_snapshot())) AS blocked`;
const READ_BATCH = 1000;

/** A database error as a log field: message and code, not the client object pg attaches to it. */
function brief(error: unknown): { message: string; code?: string } {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? { message: error.message, code } : { message: error.message };
}

/**
 * One per process. A LISTEN connection wakes it; it then reads the event table from its position,
 * only below the oldest running transaction, so a commit can never land behind what it has read.
 * Subscribers pull from its memory (or the table, for older positions) by position.
 */
export class EventHub {
  readonly #pool: pg.Pool;
  readonly #log: Logger;
  readonly #capacity: number;
  readonly #pollIntervalMs: number;
  readonly #blockedRetryMs: number;
  #listener: pg.Client | null = null;
  #memory: StoredEvent[] = [];
  /** Everything after this position and up to the head is in #memory. */
  #memoryBase: Position = START_POSITION;
  #head: Position = START_POSITION;
  #waiters = new Set<() => void>();
  #reading: Promise<void> | null = null;
  #readAgain = false;
  #timer: NodeJS.Timeout | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  #stopped = false;
  #listenerConnected = false;
  #reconnects = 0;
  #onEvents = new Set<(events: readonly StoredEvent[]) => void>();
  #lastCaughtUpAt = 0;

  constructor(options: EventHubOptions) {
    this.#pool = new pg.Pool({ connectionString: options.connectionString, max: 4 });
    this.#pool.on('error', (error) => options.log.warn({ err: brief(error) }, 'event reader pool error'));
    this.#log = options.log;
    this.#capacity = options.memoryCapacity ?? 50_000;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.#blockedRetryMs = options.blockedRetryMs ?? 5;
  }

  get head(): Position {
    return this.#head;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  get listenerConnected(): boolean {
    return this.#listenerConnected;
  }

  get listenerReconnects(): number {
    return this.#reconnects;
  }

  /** When a read last reached the end of the table (ms since epoch); 0 before the first. */
  get lastCaughtUpAt(): number {
    return this.#lastCaughtUpAt;
  }

  async start(): Promise<void> {
    const { rows } = await this.#pool.query<HeadRow>(HEAD_SQL);
    const head = headOf(rows);
    this.#head = head;
    this.#memoryBase = head;
    await this.#connectListener();
    this.#timer = setInterval(() => this.#requestRead(), this.#pollIntervalMs);
    this.#timer.unref();
    this.#requestRead();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#wakeAll();
    await this.#reading;
    await this.#listener?.end().catch(() => {});
    await this.#pool.end();
  }

  /** Called with every batch of newly read events, in order (metrics, dispatch). */
  onEvents(listener: (events: readonly StoredEvent[]) => void): () => void {
    this.#onEvents.add(listener);
    return () => this.#onEvents.delete(listener);
  }

  /** Events after `from`, in order, at most `limit`; empty when the caller is at the head. */
  async readAfter(from: Position, limit = READ_BATCH): Promise<StoredEvent[]> {
    if (comparePositions(from, this.#head) >= 0) return [];
    if (comparePositions(from, this.#memoryBase) >= 0) {
      const start = this.#firstAfter(from);
      return this.#memory.slice(start, start + limit);
    }
    const base = this.#memoryBase;
    const { rows } = await this.#pool.query<EventRow>(READ_RANGE_SQL, [
      from.tx.toString(),
      from.id.toString(),
      base.tx.toString(),
      base.id.toString(),
      limit,
    ]);
    return rows.map(fromRow);
  }

  /** Resolves once the head has moved past `position`, or when `signal` aborts or the hub stops. */
  waitForNewer(position: Position, signal?: AbortSignal): Promise<void> {
    if (this.#stopped || comparePositions(this.#head, position) > 0 || signal?.aborted)
      return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.#waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.#waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  get subscriberCount(): number {
    return this.#waiters.size;
  }

  /** Reads the table now; resolves once everything committed before the call is in memory. */
  async catchUp(): Promise<void> {
    this.#requestRead();
    while (this.#reading) await this.#reading;
  }

  #firstAfter(position: Position): number {
    let low = 0;
    let high = this.#memory.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const event = this.#memory[mid];
      if (event && comparePositions(event.position, position) <= 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  #requestRead(): void {
    if (this.#stopped) return;
    if (this.#reading) {
      this.#readAgain = true;
      return;
    }
    this.#reading = this.#readLoop().finally(() => {
      this.#reading = null;
    });
  }

  async #readLoop(): Promise<void> {
    do {
      this.#readAgain = false;
      try {
        await this.#readOnce();
      } catch (error) {
        this.#log.warn({ err: brief(error) }, 'reading the event table failed; will retry');
        this.#scheduleRetry(250);
        return;
      }
    } while (this.#readAgain && !this.#stopped);
  }

  async #readOnce(): Promise<void> {
    for (;;) {
      const from = this.#head;
      const { rows } = await this.#pool.query<EventRow>(READ_SQL, [
        from.tx.toString(),
        from.id.toString(),
        READ_BATCH,
      ]);
      if (rows.length > 0) this.#append(rows.map(fromRow));
      if (rows.length < READ_BATCH) break;
    }
    this.#lastCaughtUpAt = Date.now();
    const head = this.#head;
    const { rows } = await this.#pool.query<{ blocked: boolean }>(BLOCKED_SQL, [
      head.tx.toString(),
      head.id.toString(),
    ]);
    if (rows[0]?.blocked) this.#scheduleRetry(this.#blockedRetryMs);
  }

  #scheduleRetry(ms: number): void {
    if (this.#retryTimer || this.#stopped) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#requestRead();
    }, ms);
  }

  #append(events: StoredEvent[]): void {
    const last = events.at(-1);
    if (!last) return;
    this.#memory.push(...events);
    this.#head = last.position;
    const excess = this.#memory.length - this.#capacity;
    if (excess > 0) {
      const dropped = this.#memory.splice(0, excess);
      const newBase = dropped.at(-1);
      if (newBase) this.#memoryBase = newBase.position;
    }
    for (const listener of this.#onEvents) listener(events);
    this.#wakeAll();
  }

  #wakeAll(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  async #connectListener(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#pool.options.connectionString });
    client.on('notification', () => this.#requestRead());
    client.on('error', (error) => {
      this.#log.warn({ err: brief(error) }, 'LISTEN connection lost; reconnecting');
      this.#onListenerLost(client);
    });
    client.on('end', () => this.#onListenerLost(client));
    await client.connect();
    await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    this.#listener = client;
    this.#listenerConnected = true;
  }

  #onListenerLost(client: pg.Client): void {
    if (this.#listener !== client || this.#stopped) return;
    this.#listener = null;
    this.#listenerConnected = false;
    this.#reconnects += 1;
    const retry = async (delay: number): Promise<void> => {
      if (this.#stopped) return;
      try {
        await this.#connectListener();
        this.#requestRead();
      } catch (error) {
        this.#log.warn({ err: brief(error) }, 'LISTEN reconnect failed');
        setTimeout(() => void retry(Math.min(delay * 2, 5000)), delay).unref();
      }
    };
    setTimeout(() => void retry(100), 100).unref();
  }
}
