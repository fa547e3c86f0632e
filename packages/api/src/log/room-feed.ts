import type { Position } from '@dispatch/domain';
import type pg from 'pg';
import type { Logger } from 'pino';
import { brief } from './brief.ts';
import { ReadLoop, type ReadPage } from './reader.ts';

/**
 * The order of room writers: the room_messages insert trigger (migration 20261201150000_room_chat)
 * takes transaction-scoped advisory lock 42420002, draws the position and notifies ROOM_CHANNEL
 * with the session id; a room_reads change notifies the same channel. Its own key (the event
 * log's is 42420001, EVENT_ORDER_LOCK): chat never waits for dispatch, nor dispatch for chat.
 */
export const ROOM_CHANNEL = 'room_messages';

/** One committed room message as the log reads it (the photo's bytes stay in room_photos). */
export interface RoomMessageRow {
  id: string;
  position: Position;
  sessionId: string;
  authorId: string;
  authorName: string;
  clientKey: string;
  body: string;
  createdAt: Date;
  photoId: string | null;
  photoType: string | null;
  photoBytes: number | null;
}

interface Row {
  id: string;
  position: string;
  session_id: string;
  author_id: string;
  author_name: string;
  client_key: string;
  body: string;
  created_at: Date;
  photo_id: string | null;
  photo_type: string | null;
  photo_bytes: number | null;
}

const COLUMNS = `m.id, m.position::text AS position, m.session_id, m.author_id, u.display_name AS author_name,
  m.client_key, m.body, m.created_at, m.photo_id, p.content_type AS photo_type, p.byte_size AS photo_bytes
  FROM room_messages m JOIN users u ON u.id = m.author_id LEFT JOIN room_photos p ON p.id = m.photo_id`;

/** Positions are commit-ordered, so reading `position > last` never skips a message. */
const READ_ALL_SQL = `SELECT ${COLUMNS} WHERE m.position > $1::bigint ORDER BY m.position LIMIT $2`;
const READ_ROOM_SQL = `SELECT ${COLUMNS} WHERE m.session_id = $1::uuid AND m.position > $2::bigint
  ORDER BY m.position LIMIT $3`;
const READ_ONE_SQL = `SELECT ${COLUMNS} WHERE m.id = $1::uuid`;
const HEAD_SQL = 'SELECT coalesce(max(position), 0)::text AS position FROM room_messages';

function fromRow(row: Row): RoomMessageRow {
  return {
    id: row.id,
    position: BigInt(row.position),
    sessionId: row.session_id,
    authorId: row.author_id,
    authorName: row.author_name,
    clientKey: row.client_key,
    body: row.body,
    createdAt: row.created_at,
    photoId: row.photo_id,
    photoType: row.photo_type,
    photoBytes: row.photo_bytes,
  };
}

const readAll: ReadPage<RoomMessageRow> = async (pool, after, limit) => {
  const { rows } = await pool.query<Row>(READ_ALL_SQL, [after.toString(), limit]);
  return rows.map(fromRow);
};

/**
 * One subscriber's interest in a room: `dirty` is set by anything that happened in the room since
 * the subscriber last cleared it, so a notification that lands while it reads is never lost.
 */
export interface RoomWatch {
  dirty: boolean;
  /** Resolves when the room changes, `signal` aborts, the feed stops, or after `timeoutMs`. */
  wait(signal: AbortSignal | undefined, timeoutMs: number): Promise<void>;
  close(): void;
}

/**
 * The rooms' side of the event hub (one per process, fed by the hub's one LISTEN connection):
 * a notification on ROOM_CHANNEL wakes that room's subscribers at once and asks the read loop to
 * read the new messages of every room (for alerts, and to wake rooms whose notification was lost);
 * the hub's poll and a LISTEN reconnect do the same. Subscribers read their own room by position.
 */
export class RoomFeed {
  readonly #pool: pg.Pool;
  readonly #log: Logger;
  readonly #reader: ReadLoop<RoomMessageRow>;
  readonly #watches = new Map<string, Set<WatchImpl>>();
  readonly #onMessages = new Set<(messages: readonly RoomMessageRow[]) => void>();
  #head: Position = 0n;
  #started = false;
  #stopped = false;

  constructor(options: { pool: pg.Pool; log: Logger }) {
    this.#pool = options.pool;
    this.#log = options.log;
    this.#reader = new ReadLoop<RoomMessageRow>({
      pool: this.#pool,
      log: this.#log,
      head: () => this.#head,
      deliver: (messages) => this.#deliver(messages),
      read: readAll,
      what: 'room messages',
    });
  }

  /** The newest message this process has read. */
  get head(): Position {
    return this.#head;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  async start(): Promise<void> {
    const { rows } = await this.#pool.query<{ position: string }>(HEAD_SQL);
    this.#head = BigInt(rows[0]?.position ?? '0');
    this.#started = true;
  }

  stop(): Promise<void> {
    this.#stopped = true;
    this.wakeAll();
    return this.#reader.stop();
  }

  /** A ROOM_CHANNEL notification (payload: the session id). */
  notified(sessionId: string): void {
    this.#wake(sessionId);
    this.poll();
  }

  /** Sessions whose assignment changed (the hub's events): their rooms' subscribers re-read. */
  sessionsChanged(sessionIds: readonly string[]): void {
    for (const sessionId of new Set(sessionIds)) this.#wake(sessionId);
  }

  /** Read what is new (the hub's poll, a notification). */
  poll(): void {
    if (this.#started && !this.#stopped) this.#reader.request();
  }

  /** Wakes every subscriber (the LISTEN connection came back: notifications may have been missed). */
  wakeAll(): void {
    for (const sessionId of this.#watches.keys()) this.#wake(sessionId);
    this.poll();
  }

  /** Resolves once every message committed before the call has been read. */
  catchUp(): Promise<void> {
    return this.#reader.catchUp();
  }

  /** Called with every batch of newly read messages, in order (alerts). */
  onMessages(listener: (messages: readonly RoomMessageRow[]) => void): () => void {
    this.#onMessages.add(listener);
    return () => this.#onMessages.delete(listener);
  }

  /** One room's messages after `after`, in position order. */
  async readRoom(sessionId: string, after: Position, limit: number): Promise<RoomMessageRow[]> {
    const { rows } = await this.#pool.query<Row>(READ_ROOM_SQL, [sessionId, after.toString(), limit]);
    return rows.map(fromRow);
  }

  /** One message by id (a sender reads back what it wrote). */
  async readOne(id: string): Promise<RoomMessageRow | null> {
    const { rows } = await this.#pool.query<Row>(READ_ONE_SQL, [id]);
    return rows[0] ? fromRow(rows[0]) : null;
  }

  watch(sessionId: string): RoomWatch {
    const watch = new WatchImpl(
      () => {
        const set = this.#watches.get(sessionId);
        set?.delete(watch);
        if (set?.size === 0) this.#watches.delete(sessionId);
      },
      () => this.#stopped,
    );
    const set = this.#watches.get(sessionId) ?? new Set();
    set.add(watch);
    this.#watches.set(sessionId, set);
    return watch;
  }

  /** Subscribers currently watching a room (tests check none is left behind). */
  get watching(): number {
    let count = 0;
    for (const set of this.#watches.values()) count += set.size;
    return count;
  }

  #wake(sessionId: string): void {
    for (const watch of this.#watches.get(sessionId) ?? []) watch.touch();
  }

  #deliver(messages: RoomMessageRow[]): void {
    const last = messages.at(-1);
    if (last) this.#head = last.position;
    for (const sessionId of new Set(messages.map((m) => m.sessionId))) this.#wake(sessionId);
    for (const listener of this.#onMessages) {
      try {
        listener(messages);
      } catch (error) {
        this.#log.error({ err: brief(error) }, 'room message listener failed');
      }
    }
  }
}

class WatchImpl implements RoomWatch {
  dirty = true;
  #wake: (() => void) | null = null;

  constructor(
    readonly close: () => void,
    readonly stopped: () => boolean,
  ) {}

  touch(): void {
    this.dirty = true;
    this.#wake?.();
  }

  wait(signal: AbortSignal | undefined, timeoutMs: number): Promise<void> {
    if (this.dirty || signal?.aborted || this.stopped()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.#wake = null;
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#wake = done;
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
