import { randomUUID } from 'node:crypto';
import { type Db, preparedStatement, queryPrepared } from '@dispatch/db';
import { parsePosition } from '@dispatch/domain';
import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import webpush from 'web-push';
import type { Services } from '../context.ts';
import type { ReceiptSink } from '../observability/receipts.ts';
import {
  type PlannedPush,
  type PlanSettings,
  type PushEvent,
  type PushMechanic,
  planPushes,
} from './plan.ts';
import { DEFAULT_VAPID_SUBJECT, type VapidKeys, vapidKeys } from './vapid.ts';

export interface PushSenderOptions {
  db: Db;
  log: Logger;
  settings: PlanSettings;
  now?: () => Date;
  /** Written into each claim: which process sent it. */
  instanceId?: string;
  /** Where the push metrics are registered (the process's /metrics registry). */
  registry?: Registry;
  vapidSubject?: string;
  /** Pushes in flight at once (each is one HTTPS request to a push service). */
  concurrency?: number;
  /** Back-off before each retry of a failed push (not 404/410); its length is the retry count. */
  retryDelaysMs?: readonly number[];
  requestTimeoutMs?: number;
  /** Where a sent alert's receipt (push_sent, by this process) goes. */
  receipts?: ReceiptSink;
}

/** One row of the push sender's mechanics query, before the load is folded into `PushMechanic`. */
type PushMechanicRow = Omit<PushMechanic, 'load'> & { virtualLoad: number; inPersonLoad: number };

// Both run for every event the sender sees, so they are prepared statements (queryPrepared).
/** Mechanics with a push device, with their availability and accepted load (for planPushes). */
const PUSH_MECHANICS = preparedStatement(
  'push_mechanics',
  `SELECT m.user_id AS "userId", m.kind::text AS kind, m.workshop_id AS "workshopId",
          m.availability::text AS availability, m.virtual_capacity AS "virtualCapacity",
          COALESCE(l.virtual, 0)::int AS "virtualLoad", COALESCE(l.in_person, 0)::int AS "inPersonLoad"
     FROM mechanics m
     LEFT JOIN LATERAL (
       SELECT count(*) FILTER (WHERE s.type <> 'in_person') AS virtual,
              count(*) FILTER (WHERE s.type = 'in_person') AS in_person
         FROM session_assignments a JOIN sessions s ON s.id = a.session_id
        WHERE a.mechanic_id = m.user_id AND a.status = 'accepted'
     ) l ON true
    WHERE EXISTS (SELECT 1 FROM push_subscriptions s WHERE s.user_id = m.user_id)`,
);
const DEVICES_OF_USERS = preparedStatement(
  'push_devices_of_users',
  `SELECT id, user_id AS "userId", endpoint, p256dh, auth, focused_until AS "focusedUntil"
     FROM push_subscriptions WHERE user_id = ANY($1::uuid[])`,
);

interface Device {
  id: string;
  userId: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  focusedUntil: Date | null;
}

interface Job {
  /** The claim key: the event's position, or a caller's key for pushes not caused by one event. */
  event: { position: string; assignmentId: string | null; sessionId?: string; createdAt: Date };
  push: PlannedPush;
  device: Device;
  attempt: number;
}

/** What `hub.onEvents` offers; the sender depends on nothing else of the event log. */
export interface EventSource<E> {
  onEvents(listener: (events: readonly E[]) => void): () => void;
}

function pushMetrics(registry: Registry | undefined) {
  const registers = registry ? [registry] : [];
  const reuse = <M>(name: string, make: () => M): M =>
    (registry?.getSingleMetric(name) as M | undefined) ?? make();
  return {
    sent: reuse(
      'dispatch_push_sent_total',
      () =>
        new Counter({
          name: 'dispatch_push_sent_total',
          help: 'Pushes accepted by a push service, by kind (alert, retract, customer)',
          labelNames: ['kind'] as const,
          registers,
        }),
    ),
    failed: reuse(
      'dispatch_push_failed_total',
      () =>
        new Counter({
          name: 'dispatch_push_failed_total',
          help: 'Push attempts that failed, by kind and outcome (retry, gave_up, gone)',
          labelNames: ['kind', 'outcome'] as const,
          registers,
        }),
    ),
    latency: reuse(
      'dispatch_push_latency_seconds',
      () =>
        new Histogram({
          name: 'dispatch_push_latency_seconds',
          help: 'From the event being committed to its push being accepted by the push service',
          buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
          registers,
        }),
    ),
  };
}

/**
 * Sends Web Push from the event log, outside any writing transaction: `handle` only queues the
 * committed events and returns, so the hub's delivery to sockets never waits for a push service.
 * Events are planned in commit order (see `planPushes`); for each (device, event) a claim row is
 * inserted first and only the process whose insert succeeded sends, so with any number of server
 * processes reading the same log each device gets each push exactly once. 404/410 delete the
 * subscription; other failures are retried with back-off and counted.
 */
export class PushSender {
  readonly #db: Db;
  readonly #log: Logger;
  readonly #settings: PlanSettings;
  readonly #now: () => Date;
  readonly #instanceId: string;
  readonly #subject: string;
  readonly #concurrency: number;
  readonly #retryDelaysMs: readonly number[];
  readonly #timeoutMs: number;
  readonly #metrics: ReturnType<typeof pushMetrics>;
  readonly #receipts: ReceiptSink | null;
  readonly #queue: PushEvent[] = [];
  readonly #retries = new Set<ReturnType<typeof setTimeout>>();
  #draining: Promise<void> | null = null;
  #inFlight = 0;
  #stopped = false;
  #idleWaiters: (() => void)[] = [];
  /** Signed VAPID headers per push service origin: an ES256 signature per push would double the cost. */
  readonly #vapidHeaders = new Map<string, { authorization: string; renewAt: number }>();
  /** Successful sends whose receipts are written in one statement per batch. */
  #sentReceipts: { subscriptionId: string; position: string; attempts: number }[] = [];

  constructor(options: PushSenderOptions) {
    this.#db = options.db;
    this.#log = options.log;
    this.#settings = options.settings;
    this.#now = options.now ?? (() => new Date());
    this.#instanceId = options.instanceId ?? randomUUID();
    this.#subject = options.vapidSubject ?? DEFAULT_VAPID_SUBJECT;
    this.#concurrency = options.concurrency ?? 64;
    this.#retryDelaysMs = options.retryDelaysMs ?? [1_000, 5_000, 30_000];
    this.#timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#metrics = pushMetrics(options.registry);
    this.#receipts = options.receipts ?? null;
  }

  /** Queues committed events; never blocks and never throws. */
  handle(events: readonly PushEvent[]): void {
    if (this.#stopped || events.length === 0) return;
    this.#queue.push(...events);
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = null;
      this.#notifyIdle();
    });
  }

  /** Resolves once every queued event was planned and every send (not retries pending) settled. */
  idle(): Promise<void> {
    if (!this.#draining && this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#retries) clearTimeout(timer);
    this.#retries.clear();
    await this.idle();
  }

  #notifyIdle(): void {
    if (this.#draining || this.#inFlight > 0) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0 && !this.#stopped) {
      const event = this.#queue.shift() as PushEvent;
      try {
        await this.#process(event);
      } catch (error) {
        this.#log.warn({ err: error, position: event.position }, 'push planning failed');
      }
    }
  }

  /**
   * A push to every device of one user that no event of the log causes (say, "you were set away"
   * by the dispatcher). `claimKey` plays the event position's part: one send per device and key.
   */
  async notifyUser(
    userId: string,
    payload: PlannedPush['payload'],
    claimKey: string,
    ttlSeconds = 3600,
    { kind = 'notice', topic = 'availability' }: { kind?: PlannedPush['kind']; topic?: string } = {},
  ): Promise<void> {
    const devices = await this.#db.$queryRaw<Device[]>`
      SELECT id, user_id AS "userId", endpoint, p256dh, auth, focused_until AS "focusedUntil"
        FROM push_subscriptions WHERE user_id = ${userId}::uuid`;
    const push: PlannedPush = { userId, kind, payload, ttlSeconds, urgency: 'high', topic, devices: 'all' };
    const event = { position: claimKey, assignmentId: null, createdAt: this.#now() };
    const jobs = devices.map((device) => ({ event, push, device, attempt: 0 }));
    if (jobs.length === 0) return;
    const claimed = await this.#claim(jobs);
    await this.#runAll(
      jobs.filter((job) => claimed.has(job.device.id)),
      await vapidKeys(this.#db, this.#subject),
    );
  }

  async #process(event: PushEvent): Promise<void> {
    const rows = await queryPrepared<PushMechanicRow>(this.#db, PUSH_MECHANICS, []);
    const mechanics: PushMechanic[] = rows.map(({ virtualLoad, inPersonLoad, ...m }) => ({
      ...m,
      load: { virtual: virtualLoad, inPerson: inPersonLoad },
    }));
    const now = this.#now();
    const planned = planPushes(event, mechanics, this.#settings, now);
    if (planned.length === 0) return;
    const devices = await queryPrepared<Device>(this.#db, DEVICES_OF_USERS, [planned.map((p) => p.userId)]);
    const alerted = planned.some((p) => p.devices === 'alerted')
      ? new Set(
          (
            await this.#db.$queryRaw<{ id: string }[]>`
              SELECT subscription_id AS id FROM push_deliveries
               WHERE assignment_id = ${event.assignmentId}::uuid AND kind = 'alert' AND status <> 'gone'`
          ).map((row) => row.id),
        )
      : new Set<string>();
    const jobs: Job[] = [];
    for (const push of planned) {
      for (const device of devices) {
        if (device.userId !== push.userId) continue;
        if (push.devices === 'unfocused' && device.focusedUntil && device.focusedUntil > now) continue;
        if (push.devices === 'alerted' && !alerted.has(device.id)) continue;
        jobs.push({ event, push, device, attempt: 0 });
      }
    }
    if (jobs.length === 0) return;
    const claimed = await this.#claim(jobs);
    const mine = jobs.filter((job) => claimed.has(job.device.id));
    const keys = await vapidKeys(this.#db, this.#subject);
    // Sends run concurrently (bounded); the next event waits only for this one's sends to start
    // in order, so a device's alert is always sent before the retraction that follows it.
    await this.#runAll(mine, keys);
  }

  /** Inserts one claim per (device, event); returns the devices this process won. */
  async #claim(jobs: Job[]): Promise<Set<string>> {
    const rows = await this.#db.$queryRaw<{ id: string }[]>`
      INSERT INTO push_deliveries (subscription_id, event_position, assignment_id, kind, claimed_by)
      SELECT s, ${jobs[0]?.event.position ?? ''}, ${jobs[0]?.event.assignmentId ?? null}::uuid, k,
             ${this.#instanceId}
        FROM unnest(${jobs.map((j) => j.device.id)}::uuid[], ${jobs.map((j) => j.push.kind)}::text[]) AS t(s, k)
      ON CONFLICT DO NOTHING
      RETURNING subscription_id AS id`;
    return new Set(rows.map((row) => row.id));
  }

  async #runAll(jobs: Job[], keys: VapidKeys): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < jobs.length && !this.#stopped) {
        const job = jobs[next++] as Job;
        await this.#send(job, keys);
      }
    };
    this.#inFlight += 1;
    try {
      await Promise.all(Array.from({ length: Math.min(this.#concurrency, jobs.length) }, worker));
      await this.#flushReceipts();
    } catch (error) {
      this.#log.warn({ err: error }, 'push receipts not recorded');
    } finally {
      this.#inFlight -= 1;
      this.#notifyIdle();
    }
  }

  async #send(job: Job, keys: VapidKeys): Promise<void> {
    const { push, device, event } = job;
    this.#inFlight += 1;
    let outcome: 'sent' | 'gone' | 'retry' | 'failed';
    let detail: string | null = null;
    try {
      const now = this.#now();
      // A push that waited (retries) is sent with what is left of its window, or not at all.
      const ttl =
        push.kind === 'alert' && push.payload.kind === 'alert'
          ? Math.floor((push.payload.actionableUntil - now.getTime()) / 1000)
          : push.ttlSeconds;
      if (ttl <= 0) {
        outcome = 'failed';
        detail = 'no longer actionable';
      } else {
        const request = webpush.generateRequestDetails(
          { endpoint: device.endpoint, keys: { p256dh: device.p256dh, auth: device.auth } },
          JSON.stringify(push.payload),
          {
            TTL: ttl,
            urgency: push.urgency,
            topic: push.topic,
            contentEncoding: 'aes128gcm',
          },
        );
        const response = await fetch(request.endpoint, {
          method: 'POST',
          headers: {
            ...(request.headers as Record<string, string>),
            Authorization: this.#authorization(device.endpoint, keys),
          },
          body: request.body ? new Uint8Array(request.body) : null,
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) outcome = 'sent';
        else if (response.status === 404 || response.status === 410) outcome = 'gone';
        else {
          outcome = 'retry';
          detail = `push service answered ${response.status}`;
        }
      }
    } catch (error) {
      outcome = 'retry';
      detail = error instanceof Error ? error.message : String(error);
    }
    try {
      await this.#record(job, outcome, detail);
    } catch (error) {
      this.#log.warn({ err: error }, 'push receipt not recorded');
    } finally {
      this.#inFlight -= 1;
      this.#notifyIdle();
    }
    if (outcome === 'sent') {
      this.#metrics.sent.inc({ kind: push.kind });
      if (push.payload.kind === 'alert' && event.sessionId) {
        this.#receipts?.record({
          sessionId: event.sessionId,
          mechanicId: push.userId,
          channel: 'push_sent',
          position: parsePosition(event.position),
          version: push.payload.version,
          process: this.#receipts.process,
          at: new Date(),
        });
      }
      this.#metrics.latency.observe((Date.now() - event.createdAt.getTime()) / 1000);
    }
  }

  #authorization(endpoint: string, keys: VapidKeys): string {
    const audience = new URL(endpoint).origin;
    const nowMs = Date.now();
    const cached = this.#vapidHeaders.get(audience);
    if (cached && cached.renewAt > nowMs) return cached.authorization;
    // Valid 12 h (push services accept up to 24 h); renewed an hour before it runs out.
    const expiresAt = Math.floor(nowMs / 1000) + 12 * 3600;
    const headers = webpush.getVapidHeaders(
      audience,
      keys.subject,
      keys.publicKey,
      keys.privateKey,
      'aes128gcm',
      expiresAt,
    );
    const authorization = String(headers.Authorization);
    this.#vapidHeaders.set(audience, { authorization, renewAt: (expiresAt - 3600) * 1000 });
    return authorization;
  }

  /** Writes the receipts of successful sends collected so far, two statements for any number. */
  async #flushReceipts(): Promise<void> {
    const batch = this.#sentReceipts;
    if (batch.length === 0) return;
    this.#sentReceipts = [];
    const ids = batch.map((r) => r.subscriptionId);
    await this.#db.$executeRaw`
      UPDATE push_deliveries d SET status = 'sent', attempts = u.a, sent_at = now(), last_error = NULL
        FROM unnest(${ids}::uuid[], ${batch.map((r) => r.position)}::text[], ${batch.map((r) => r.attempts)}::int[]) AS u(s, p, a)
       WHERE d.subscription_id = u.s AND d.event_position = u.p`;
    await this.#db
      .$executeRaw`UPDATE push_subscriptions SET last_success_at = now() WHERE id = ANY(${ids}::uuid[])`;
  }

  async #record(job: Job, outcome: 'sent' | 'gone' | 'retry' | 'failed', detail: string | null) {
    const { device, event, push } = job;
    const attempts = job.attempt + 1;
    if (outcome === 'sent') {
      await this.#db.$transaction([
        this.#db.pushDelivery.update({
          where: {
            subscriptionId_eventPosition: { subscriptionId: device.id, eventPosition: event.position },
          },
          data: { status: 'sent', attempts, sentAt: this.#now(), lastError: null },
        }),
        this.#db.pushSubscription.update({ where: { id: device.id }, data: { lastSuccessAt: this.#now() } }),
      ]);
      return;
    }
    if (outcome === 'gone') {
      this.#metrics.failed.inc({ kind: push.kind, outcome: 'gone' });
      // The browser unsubscribed or the subscription expired: forget the device (its receipts go too).
      await this.#db.pushSubscription.deleteMany({ where: { id: device.id } });
      this.#log.info({ subscriptionId: device.id }, 'push subscription gone, removed');
      return;
    }
    const delay = this.#retryDelaysMs[job.attempt];
    const retry = outcome === 'retry' && delay !== undefined && !this.#stopped;
    this.#metrics.failed.inc({ kind: push.kind, outcome: retry ? 'retry' : 'gave_up' });
    await this.#db.pushDelivery.updateMany({
      where: { subscriptionId: device.id, eventPosition: event.position },
      data: { status: retry ? 'pending' : 'failed', attempts, lastError: detail?.slice(0, 500) ?? null },
    });
    if (!retry) {
      this.#log.warn({ subscriptionId: device.id, error: detail }, 'push given up');
      return;
    }
    const timer = setTimeout(() => {
      this.#retries.delete(timer);
      void this.#retry({ ...job, attempt: attempts });
    }, delay);
    timer.unref?.();
    this.#retries.add(timer);
  }

  async #retry(job: Job): Promise<void> {
    if (this.#stopped) return;
    // An alert is not retried once its request was retracted on that device.
    if (job.push.kind === 'alert' && job.event.assignmentId) {
      const retracted = await this.#db.pushDelivery.count({
        where: { subscriptionId: job.device.id, assignmentId: job.event.assignmentId, kind: 'retract' },
      });
      if (retracted > 0) return;
    }
    await this.#runAll([job], await vapidKeys(this.#db, this.#subject));
  }
}

/**
 * The one call the server makes: a sender fed by the hub, with the process's settings and metrics.
 * `toPushEvent` adapts the log's event type (today's StoredEvent, tomorrow's) to `PushEvent`.
 */
export function startPushSender<E>(
  services: Pick<Services, 'db' | 'log' | 'config' | 'now' | 'receipts'> & {
    metrics?: { registry: Registry };
  },
  hub: EventSource<E>,
  toPushEvent: (event: E) => PushEvent | null,
  options: Partial<PushSenderOptions> = {},
): { sender: PushSender; stop(): Promise<void> } {
  const sender = new PushSender({
    db: services.db,
    log: services.log.child({ part: 'push' }),
    settings: {
      dispatchMode: services.config.dispatchMode,
      offerTimeoutMs: services.config.offerTimeoutMs,
      queueTimeoutMs: services.config.queueTimeoutMs,
    },
    now: services.now,
    ...(services.metrics ? { registry: services.metrics.registry } : {}),
    // Sent alerts are receipted wherever this process records receipts.
    ...(services.receipts ? { receipts: services.receipts } : {}),
    ...options,
  });
  const unsubscribe = hub.onEvents((events) =>
    sender.handle(events.map(toPushEvent).filter((event): event is PushEvent => event !== null)),
  );
  return {
    sender,
    stop: async () => {
      unsubscribe();
      await sender.stop();
    },
  };
}
