import type { ReceiptChannel } from '@dispatch/domain';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';

/** One receipt: ids, a position or version, a channel, a process and a time. No customer details. */
export interface Receipt {
  sessionId: string;
  mechanicId: string;
  channel: ReceiptChannel;
  position: bigint | null;
  version: number | null;
  process: string | null;
  at: Date;
}

/** What records receipts; delivery only ever calls `record`, which never blocks and never throws. */
export interface ReceiptSink {
  /** This process's name, written on what it delivers and sends. */
  readonly process: string;
  record(receipt: Receipt): void;
  /**
   * A `delivered` receipt without building one: the live fan-out calls it once per mechanic for
   * every card it writes, so it costs a Set lookup and an array push, nothing more.
   */
  delivered(sessionId: string, position: bigint, version: number, mechanicId: string): void;
}

/** The one statement the writer needs: a pg Pool or Client. */
interface Queryable {
  query(sql: string, params?: unknown[]): Promise<{ rowCount: number | null; rows: unknown[] }>;
}

export interface ReceiptWriterOptions {
  pool: Queryable;
  process: string;
  log: Logger;
  registry?: Registry;
  /** Receipts older than this are deleted by `prune` (0 records nothing at all). */
  retentionDays: number;
  /** Flush at least this often... */
  flushIntervalMs?: number;
  /** ...or as soon as this many are buffered. */
  batchRows?: number;
  /** Receipts beyond this many waiting to be written are dropped (and counted), never waited for. */
  maxBuffered?: number;
  /** How often old receipts are pruned. */
  pruneIntervalMs?: number;
  /** Same receipt (channel, mechanic, session, version, process) recorded again within the window: skipped. */
  dedupeEntries?: number;
}

const INSERT_SQL = `INSERT INTO delivery_receipt_rows (session_id, mechanic_id, channel, position, version, process, at)
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bigint[], $5::int[], $6::text[], $7::timestamptz[])`;

/** One row per delivered event: its mechanics as an array literal each (unnest takes no ragged arrays). */
const INSERT_BATCHES_SQL = `INSERT INTO delivery_batches (session_id, position, version, process, at, mechanic_ids)
  SELECT s, p, v, pr, a, m::uuid[]
    FROM unnest($1::uuid[], $2::bigint[], $3::int[], $4::text[], $5::timestamptz[], $6::text[]) AS x(s, p, v, pr, a, m)`;

/** Deletes in slices so a big backlog never holds a long lock or a long transaction. */
const PRUNE_SQL = `WITH rows AS (
    DELETE FROM delivery_receipt_rows WHERE id IN (
      SELECT id FROM delivery_receipt_rows WHERE at < now() - make_interval(days => $1::int) LIMIT 10000)
    RETURNING 1
  ), batches AS (
    DELETE FROM delivery_batches WHERE id IN (
      SELECT id FROM delivery_batches WHERE at < now() - make_interval(days => $1::int) LIMIT 1000)
    RETURNING cardinality(mechanic_ids) AS n
  )
  SELECT (SELECT count(*) FROM rows)::int AS rows, (SELECT count(*) FROM batches)::int AS batches,
         ((SELECT count(*) FROM rows) + (SELECT coalesce(sum(n), 0) FROM batches))::int AS receipts`;

/** The mechanics one event was delivered to on this process, since the last write. */
interface DeliveryBatch {
  sessionId: string;
  position: bigint;
  version: number;
  at: Date;
  mechanicIds: string[];
}

function receiptMetrics(registry: Registry | undefined) {
  const registers = registry ? [registry] : [];
  const reuse = <M>(name: string, make: () => M): M =>
    (registry?.getSingleMetric(name) as M | undefined) ?? make();
  return {
    written: reuse(
      'dispatch_receipts_written_total',
      () =>
        new Counter({
          name: 'dispatch_receipts_written_total',
          help: 'Delivery receipts written, by channel',
          labelNames: ['channel'] as const,
          registers,
        }),
    ),
    dropped: reuse(
      'dispatch_receipts_dropped_total',
      () =>
        new Counter({
          name: 'dispatch_receipts_dropped_total',
          help: 'Delivery receipts not written: buffer_full (delivery never waits for them) or write_failed',
          labelNames: ['why'] as const,
          registers,
        }),
    ),
    buffered: reuse(
      'dispatch_receipts_buffered',
      () =>
        new Gauge({
          name: 'dispatch_receipts_buffered',
          help: 'Delivery receipts waiting for the next batch insert',
          registers,
        }),
    ),
    pruned: reuse(
      'dispatch_receipts_pruned_total',
      () =>
        new Counter({
          name: 'dispatch_receipts_pruned_total',
          help: 'Delivery receipts deleted because they were older than the retention',
          registers,
        }),
    ),
  };
}

/**
 * Buffers receipts in memory and writes them in batches, one multi-row INSERT per batch, on its
 * own connection: delivery and mutations never wait for a receipt. A full buffer or a failed write
 * drops receipts and counts them (`dispatch_receipts_dropped_total`); nothing is retried, because a
 * receipt is evidence for a person asking "why", not state anything depends on.
 */
export class ReceiptWriter implements ReceiptSink {
  readonly process: string;
  readonly #pool: Queryable;
  readonly #log: Logger;
  readonly #retentionDays: number;
  readonly #batchRows: number;
  readonly #maxBuffered: number;
  readonly #flushIntervalMs: number;
  readonly #pruneIntervalMs: number;
  readonly #dedupeEntries: number;
  readonly #metrics: ReturnType<typeof receiptMetrics>;
  #buffer: Receipt[] = [];
  #batches: DeliveryBatch[] = [];
  /** The batch the last delivery went to: the fan-out hands one event to many mechanics in a row. */
  #current: DeliveryBatch | null = null;
  #bufferedIds = 0;
  /**
   * Who was already handed each recent card version on this process (insertion order = age): a
   * re-read snapshot, a replay or a second tab is not a new delivery. Bounded by `dedupeEntries`.
   */
  readonly #recent = new Map<string, Set<string>>();
  #recentEntries = 0;
  #lastSession = '';
  #lastVersion = -1;
  #lastSeen: Set<string> | null = null;
  #flushQueued = false;
  #flushing: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #pruneTimer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(options: ReceiptWriterOptions) {
    this.process = options.process;
    this.#pool = options.pool;
    this.#log = options.log;
    this.#retentionDays = options.retentionDays;
    this.#batchRows = options.batchRows ?? 500;
    this.#maxBuffered = options.maxBuffered ?? 20_000;
    this.#flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.#pruneIntervalMs = options.pruneIntervalMs ?? 3_600_000;
    this.#dedupeEntries = options.dedupeEntries ?? 50_000;
    this.#metrics = receiptMetrics(options.registry);
  }

  /** Whether receipts are kept at all (RECEIPT_RETENTION_DAYS=0 turns them off). */
  get enabled(): boolean {
    return this.#retentionDays > 0;
  }

  start(): void {
    if (!this.enabled) return;
    this.#timer = setInterval(() => void this.flush(), this.#flushIntervalMs);
    this.#timer.unref();
    this.#pruneTimer = setInterval(() => void this.prune(), this.#pruneIntervalMs);
    this.#pruneTimer.unref();
    void this.prune();
  }

  record(receipt: Receipt): void {
    if (receipt.channel === 'delivered' && receipt.position !== null && receipt.version !== null) {
      this.delivered(receipt.sessionId, receipt.position, receipt.version, receipt.mechanicId);
      return;
    }
    if (this.#stopped || !this.enabled) return;
    if (this.#full()) return;
    this.#buffer.push(receipt);
    this.#wroteOne();
  }

  delivered(sessionId: string, position: bigint, version: number, mechanicId: string): void {
    if (this.#stopped || !this.enabled) return;
    if (!this.#firstTime(sessionId, version, mechanicId)) return;
    if (this.#full()) return;
    let batch = this.#current;
    if (!batch || batch.sessionId !== sessionId || batch.version !== version || batch.position !== position) {
      batch = { sessionId, position, version, at: new Date(), mechanicIds: [] };
      this.#batches.push(batch);
      this.#current = batch;
    }
    batch.mechanicIds.push(mechanicId);
    this.#bufferedIds += 1;
    this.#wroteOne();
  }

  #full(): boolean {
    if (this.#buffer.length + this.#bufferedIds < this.#maxBuffered) return false;
    this.#metrics.dropped.inc({ why: 'buffer_full' });
    return true;
  }

  /** A full batch is written now (once: a flush already under way takes what arrives meanwhile). */
  #wroteOne(): void {
    if (this.#flushQueued || this.#buffer.length + this.#bufferedIds < this.#batchRows) return;
    this.#flushQueued = true;
    void this.flush().finally(() => {
      this.#flushQueued = false;
    });
  }

  /** Whether this mechanic is handed this card version on this process for the first time. */
  #firstTime(sessionId: string, version: number, mechanicId: string): boolean {
    let seen = this.#lastSeen;
    // The fan-out hands one card to many mechanics in a row: no key is built for those.
    if (!seen || this.#lastSession !== sessionId || this.#lastVersion !== version) {
      const key = `${sessionId}|${version}`;
      seen = this.#recent.get(key) ?? null;
      if (!seen) {
        seen = new Set();
        this.#recent.set(key, seen);
      }
      this.#lastSession = sessionId;
      this.#lastVersion = version;
      this.#lastSeen = seen;
    }
    if (seen.has(mechanicId)) return false;
    seen.add(mechanicId);
    this.#recentEntries += 1;
    while (this.#recentEntries > this.#dedupeEntries && this.#recent.size > 1) {
      const [oldestKey, oldest] = this.#recent.entries().next().value as [string, Set<string>];
      this.#recent.delete(oldestKey);
      this.#recentEntries -= oldest.size;
      if (oldest === this.#lastSeen) this.#lastSeen = null;
    }
    return true;
  }

  /** Writes everything buffered so far; resolves when it is written (or dropped). */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#buffer.length === 0 && this.#batches.length === 0) return;
    this.#flushing = this.#write().finally(() => {
      this.#flushing = null;
    });
    await this.#flushing;
    if (this.#buffer.length + this.#bufferedIds >= this.#batchRows) await this.flush();
  }

  async #write(): Promise<void> {
    const rows = this.#buffer.splice(0, this.#batchRows);
    const batches = this.#batches;
    const ids = this.#bufferedIds;
    this.#batches = [];
    this.#current = null;
    this.#bufferedIds = 0;
    this.#metrics.buffered.set(this.#buffer.length);
    try {
      if (rows.length > 0) {
        await this.#pool.query(INSERT_SQL, [
          rows.map((r) => r.sessionId),
          rows.map((r) => r.mechanicId),
          rows.map((r) => r.channel),
          rows.map((r) => (r.position === null ? null : r.position.toString())),
          rows.map((r) => r.version),
          rows.map((r) => r.process),
          rows.map((r) => r.at.toISOString()),
        ]);
        const byChannel = new Map<string, number>();
        for (const r of rows) byChannel.set(r.channel, (byChannel.get(r.channel) ?? 0) + 1);
        for (const [channel, n] of byChannel) this.#metrics.written.inc({ channel }, n);
      }
      if (batches.length > 0) {
        await this.#pool.query(INSERT_BATCHES_SQL, [
          batches.map((b) => b.sessionId),
          batches.map((b) => b.position.toString()),
          batches.map((b) => b.version),
          batches.map(() => this.process),
          batches.map((b) => b.at.toISOString()),
          batches.map((b) => `{${b.mechanicIds.join(',')}}`),
        ]);
        this.#metrics.written.inc({ channel: 'delivered' }, ids);
      }
    } catch (error) {
      this.#metrics.dropped.inc({ why: 'write_failed' }, rows.length + ids);
      this.#log.warn(
        { err: error instanceof Error ? error.message : error, rows: rows.length + ids },
        'receipts not written',
      );
    }
  }

  /** Deletes receipts older than the retention; returns how many. */
  async prune(): Promise<number> {
    if (!this.enabled) return 0;
    let total = 0;
    try {
      for (;;) {
        const { rows } = await this.#pool.query(PRUNE_SQL, [this.#retentionDays]);
        const done = (rows[0] as { rows: number; batches: number; receipts: number } | undefined) ?? {
          rows: 0,
          batches: 0,
          receipts: 0,
        };
        total += done.receipts;
        if ((done.rows < 10_000 && done.batches < 1000) || this.#stopped) break;
      }
    } catch (error) {
      this.#log.warn({ err: error instanceof Error ? error.message : error }, 'receipt pruning failed');
    }
    if (total > 0) this.#metrics.pruned.inc(total);
    return total;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#pruneTimer) clearInterval(this.#pruneTimer);
    await this.flush();
    this.#stopped = true;
  }
}
