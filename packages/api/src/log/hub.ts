import type { LegacyPosition, Position } from '@dispatch/domain';
import pg from 'pg';
import type { Logger } from 'pino';
import { AUTH_REVOKED_CHANNEL, CALL_SIGNALS_CHANNEL, EVENT_ORDER_LOCK, EVENTS_CHANNEL } from './append.ts';
import { brief } from './brief.ts';
import { HEAD_SQL, type HeadRow, headOf } from './head.ts';
import { Listener } from './listener.ts';
import { READ_BATCH, READ_RANGE_SQL, ReadLoop, readEventPage } from './reader.ts';
import { ROOM_CHANNEL, RoomFeed } from './room-feed.ts';
import { type EventRow, fromRow, type StoredEvent } from './stored-event.ts';
import { EventWindow } from './window.ts';

export interface EventHubOptions {
  connectionString: string;
  log: Logger;
  /** Events kept in memory for fast catch-up; older positions are read from the table. */
  memoryCapacity?: number;
  /** Safety re-read when no notification came (a lost NOTIFY, a LISTEN reconnect). */
  pollIntervalMs?: number;
}

/**
 * One per process: the LISTEN connection wakes the read loop, which appends what it reads to the
 * in-memory window and wakes the subscribers waiting for newer events. Subscribers pull from the
 * window (or the table, for older positions) by position.
 */
export class EventHub {
  readonly #pool: pg.Pool;
  readonly #log: Logger;
  readonly #capacity: number;
  readonly #pollIntervalMs: number;
  readonly #listener: Listener;
  readonly #reader: ReadLoop;
  #window = new EventWindow(0n, 1);
  #waiters = new Set<() => void>();
  #onEvents = new Set<(events: readonly StoredEvent[]) => void>();
  #onNotice = new Map<string, Set<(payload: string) => void>>();
  #onReconnect = new Set<() => void>();
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  #started = false;
  /** The newest position this process committed and has yet to append (see committed()). */
  #pendingLocal: Position = 0n;
  /** The session rooms' messages, woken by the same LISTEN connection and poll. */
  readonly rooms: RoomFeed;

  constructor(options: EventHubOptions) {
    this.#pool = new pg.Pool({ connectionString: options.connectionString, max: 4 });
    this.#pool.on('error', (error) => options.log.warn({ err: brief(error) }, 'event reader pool error'));
    this.#log = options.log;
    this.#capacity = options.memoryCapacity ?? 50_000;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.#reader = new ReadLoop({
      pool: this.#pool,
      log: this.#log,
      head: () => this.#window.head,
      // An event this process committed may have been appended already (committed()).
      deliver: (events) => this.#appendNew(events),
      read: readEventPage,
    });
    this.rooms = new RoomFeed({ pool: this.#pool, log: this.#log });
    this.#listener = new Listener({
      connectionString: options.connectionString,
      channels: [EVENTS_CHANNEL, AUTH_REVOKED_CHANNEL, ROOM_CHANNEL, CALL_SIGNALS_CHANNEL],
      log: this.#log,
      onNotification: (channel, payload) => {
        if (channel === EVENTS_CHANNEL && !this.#holds(payload)) this.#reader.request();
        else if (channel === ROOM_CHANNEL) this.rooms.notified(payload);
        for (const handler of this.#onNotice.get(channel) ?? []) handler(payload);
      },
      onReconnect: () => {
        this.#reader.request();
        this.rooms.wakeAll();
        for (const handler of this.#onReconnect) handler();
      },
    });
  }

  get head(): Position {
    return this.#window.head;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  get listenerConnected(): boolean {
    return this.#listener.connected;
  }

  get listenerReconnects(): number {
    return this.#listener.reconnects;
  }

  /** When a read last reached the end of the table (ms since epoch); 0 before the first. */
  get lastCaughtUpAt(): number {
    return this.#reader.lastCaughtUpAt;
  }

  async start(): Promise<void> {
    const { rows } = await this.#pool.query<HeadRow>(HEAD_SQL);
    this.#window = new EventWindow(headOf(rows), this.#capacity);
    await this.rooms.start();
    await this.#listener.start();
    this.#timer = setInterval(() => {
      this.#reader.request();
      this.rooms.poll();
    }, this.#pollIntervalMs);
    this.#timer.unref();
    this.#started = true;
    this.#reader.request();
  }

  /**
   * An event this process just committed in an autocommit statement (log/committed.ts): appended
   * on the next turn of the event loop, after the mutation's answer has been written, when it is
   * the next position here, so its delivery skips the NOTIFY and the read; any other position
   * (another process committed in between and this one has not read it yet) asks the reader.
   * Safe because positions are drawn in commit order: when it is head + 1, everything below it
   * has been read already, and nothing below it can still commit.
   */
  committed(row: EventRow): void {
    if (!this.#started || this.#stopped) return;
    const position = BigInt(row.position);
    if (position > this.#pendingLocal) this.#pendingLocal = position;
    setImmediate(() => {
      if (this.#stopped) return;
      const head = this.#window.head;
      if (position !== head + 1n) {
        if (position > head) this.#reader.request();
        return;
      }
      // Built only when appended: the reader may have brought this event in first. A row that
      // cannot be built is read from the table instead, never thrown out of a timer.
      let event: StoredEvent;
      try {
        event = fromRow(row);
      } catch (error) {
        this.#log.warn({ err: brief(error) }, 'committed event not usable; reading it');
        this.#reader.request();
        return;
      }
      this.#append([event]);
    });
  }

  /**
   * Whether a notification's payload (the trigger sends the position) needs no read: a position
   * already held, or one at or below a commit of this process about to be appended, whose own
   * turn asks the reader if anything below it is missing. The notification usually arrives in the
   * same turn as the statement's answer, before that append.
   */
  #holds(payload: string): boolean {
    if (!/^[0-9]{1,19}$/.test(payload)) return false;
    const position = BigInt(payload);
    return position <= this.#window.head || position <= this.#pendingLocal;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#wakeAll();
    await this.#reader.stop();
    await this.rooms.stop();
    await this.#listener.stop();
    await this.#pool.end();
  }

  /** Called with every batch of newly read events, in order (metrics, dispatch, alerts). */
  onEvents(listener: (events: readonly StoredEvent[]) => void): () => void {
    this.#onEvents.add(listener);
    return () => this.#onEvents.delete(listener);
  }

  /** Called with the payload of every notification on `channel` (one of the hub's channels). */
  onNotice(
    channel: typeof AUTH_REVOKED_CHANNEL | typeof CALL_SIGNALS_CHANNEL,
    handler: (payload: string) => void,
  ): () => void {
    const handlers = this.#onNotice.get(channel) ?? new Set();
    handlers.add(handler);
    this.#onNotice.set(channel, handlers);
    return () => handlers.delete(handler);
  }

  /** Called after the LISTEN connection came back: notifications sent meanwhile were missed. */
  onListenerReconnect(handler: () => void): () => void {
    this.#onReconnect.add(handler);
    return () => this.#onReconnect.delete(handler);
  }

  /** Events after `from`, in order, at most `limit`; empty when the caller is at the head. */
  async readAfter(from: Position, limit = READ_BATCH): Promise<StoredEvent[]> {
    if (from >= this.#window.head) return [];
    const inMemory = this.#window.after(from, limit);
    if (inMemory) return inMemory;
    const { rows } = await this.#pool.query<EventRow>(READ_RANGE_SQL, [
      from.toString(),
      this.#window.base.toString(),
      limit,
    ]);
    return rows.map(fromRow);
  }

  /** Resolves once the head has moved past `position`, or when `signal` aborts or the hub stops. */
  waitForNewer(position: Position, signal?: AbortSignal): Promise<void> {
    if (this.#stopped || this.#window.head > position || signal?.aborted) return Promise.resolve();
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

  /** Subscriptions currently waiting for newer events (tests check none is left behind). */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** Reads the table now; resolves once everything committed before the call is in memory. */
  catchUp(): Promise<void> {
    return this.#reader.catchUp();
  }

  /** The position of an event named by a position from before commit order, or null if none. */
  async findLegacy(legacy: LegacyPosition): Promise<Position | null> {
    const { rows } = await this.#pool.query<{ position: string }>(
      'SELECT position::text AS position FROM assignment_events WHERE tx_id = $1::text::xid8 AND id = $2::bigint',
      [legacy.tx.toString(), legacy.id.toString()],
    );
    return rows[0] ? BigInt(rows[0].position) : null;
  }

  /**
   * Seconds since the oldest committed event this process has not read yet was written (0 when
   * it is caught up), and how many writers are waiting on the event order right now.
   */
  async deliveryHealth(): Promise<{ lagSeconds: number; writersWaiting: number }> {
    const { rows } = await this.#pool.query<{ lag: number | null; waiting: number }>(
      `SELECT (SELECT extract(epoch FROM clock_timestamp() - created_at)::float8 FROM assignment_events
                WHERE position > $1::bigint ORDER BY position LIMIT 1) AS lag,
              (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
                AND classid = 0 AND objid = $2 AND objsubid = 1
                AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) AS waiting`,
      [this.#window.head.toString(), EVENT_ORDER_LOCK],
    );
    const row = rows[0];
    return { lagSeconds: Math.max(0, row?.lag ?? 0), writersWaiting: row?.waiting ?? 0 };
  }

  #appendNew(events: StoredEvent[]): void {
    const head = this.#window.head;
    const first = events.findIndex((event) => event.position > head);
    if (first === 0) this.#append(events);
    else if (first > 0) this.#append(events.slice(first));
  }

  #append(events: StoredEvent[]): void {
    this.#window.append(events);
    // A session's state change can open, close or move its room: its subscribers re-judge access.
    this.rooms.sessionsChanged(events.map((event) => event.sessionId));
    for (const listener of this.#onEvents) {
      try {
        listener(events);
      } catch (error) {
        this.#log.error({ err: brief(error) }, 'event listener failed');
      }
    }
    this.#wakeAll();
  }

  #wakeAll(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }
}
