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
}

/** The one statement the writer needs: a pg Pool or Client. */
interface Queryable {
  query(sql: string, params?: unknown[]): Promise<{ rowCount: number | null }>;
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

const INSERT_SQL = `INSERT INTO delivery_receipts (session_id, mechanic_id, channel, position, version, process, at)
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bigint[], $5::int[], $6::text[], $7::timestamptz[])`;

/** Deletes in slices so a big backlog never holds a long lock or a long transaction. */
const PRUNE_SQL = `DELETE FROM delivery_receipts WHERE id IN (
  SELECT id FROM delivery_receipts WHERE at < now() - make_interval(days => $1::int) LIMIT 10000)`;

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
  /** Recently recorded keys (insertion order = age): a re-read snapshot is not a new delivery. */
  readonly #recent = new Set<string>();
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
    if (this.#stopped || !this.enabled) return;
    if (receipt.channel === 'delivered' && !this.#firstTime(receipt)) return;
    if (this.#buffer.length >= this.#maxBuffered) {
      this.#metrics.dropped.inc({ why: 'buffer_full' });
      return;
    }
    this.#buffer.push(receipt);
    this.#metrics.buffered.set(this.#buffer.length);
    if (this.#buffer.length >= this.#batchRows) void this.flush();
  }

  /** A delivery of the same card version on this process was recorded already (a snapshot re-read, a replay). */
  #firstTime(r: Receipt): boolean {
    const key = `${r.mechanicId}|${r.sessionId}|${r.version ?? r.position ?? ''}`;
    if (this.#recent.has(key)) return false;
    this.#recent.add(key);
    if (this.#recent.size > this.#dedupeEntries) {
      const oldest = this.#recent.values().next().value;
      if (oldest !== undefined) this.#recent.delete(oldest);
    }
    return true;
  }

  /** Writes everything buffered so far; resolves when it is written (or dropped). */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#buffer.length === 0) return;
    this.#flushing = this.#write().finally(() => {
      this.#flushing = null;
    });
    await this.#flushing;
    if (this.#buffer.length >= this.#batchRows) await this.flush();
  }

  async #write(): Promise<void> {
    const batch = this.#buffer.splice(0, this.#batchRows);
    this.#metrics.buffered.set(this.#buffer.length);
    try {
      await this.#pool.query(INSERT_SQL, [
        batch.map((r) => r.sessionId),
        batch.map((r) => r.mechanicId),
        batch.map((r) => r.channel),
        batch.map((r) => (r.position === null ? null : r.position.toString())),
        batch.map((r) => r.version),
        batch.map((r) => r.process),
        batch.map((r) => r.at.toISOString()),
      ]);
      for (const r of batch) this.#metrics.written.inc({ channel: r.channel });
    } catch (error) {
      this.#metrics.dropped.inc({ why: 'write_failed' }, batch.length);
      this.#log.warn(
        { err: error instanceof Error ? error.message : error, rows: batch.length },
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
        const { rowCount } = await this.#pool.query(PRUNE_SQL, [this.#retentionDays]);
        total += rowCount ?? 0;
        if (!rowCount || rowCount < 10_000 || this.#stopped) break;
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
