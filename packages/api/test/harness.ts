import { seed } from '@dispatch/db';
import { createTestDatabase, type TestDatabase } from '@dispatch/db/testing';
import type { DispatchMode, IntakeInput, SessionType, Viewer } from '@dispatch/domain';
import { TRPCError } from '@trpc/server';
import pino from 'pino';
import { AuthSessions } from '../src/auth/auth-sessions.ts';
import type { ApiConfig, Context, Services, SignedInUser } from '../src/context.ts';
import { Admission } from '../src/errors/admission.ts';
import { EventHub } from '../src/log/hub.ts';
import { createMetrics } from '../src/observability/metrics.ts';
import { appRouter } from '../src/root.ts';
import { memoryRateLimiter } from '../src/security/rate-limit.ts';
import { createCallerFactory } from '../src/trpc.ts';

export const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const createCaller = createCallerFactory(appRouter);

export interface TestApi {
  database: TestDatabase;
  services: Services;
  hub: EventHub;
  /** A tRPC caller acting as the given user (by email), or anonymous. */
  as(email: string | null): Promise<ReturnType<typeof createCaller>>;
  user(email: string): Promise<SignedInUser>;
  /** Lets tests move time (offer deadlines, queue timeouts). */
  clock: { now: Date };
  close(): Promise<void>;
}

export async function createTestApi(config: Partial<ApiConfig> = {}): Promise<TestApi> {
  const database = await createTestDatabase();
  await seed(database.db);
  // Most tests accept many requests with the same few mechanics; capacity has its own tests.
  await database.db.mechanic.updateMany({ data: { virtualCapacity: 1000 } });
  const hub = new EventHub({ connectionString: database.url, log, pollIntervalMs: 200 });
  await hub.start();
  const clock = { now: new Date() };
  const services: Services = {
    db: database.db,
    hub,
    auth: new AuthSessions(database.db, hub, () => clock.now),
    admission: new Admission({ concurrency: 5, queue: 1000, maxWaitMs: 30_000 }),
    log,
    now: () => clock.now,
    // Limits have their own tests; here fixtures book far more than a person would.
    rateLimiter: memoryRateLimiter({
      logIn: 10_000,
      signUp: 10_000,
      createSession: 10_000,
      roomMessage: 10_000,
    }),
    metrics: createMetrics('test'),
    config: {
      dispatchMode: 'broadcast' as DispatchMode,
      offerTimeoutMs: 30_000,
      queueTimeoutMs: 15 * 60_000,
      allowedOrigins: [],
      ...config,
    },
  };
  const users = new Map<string, SignedInUser>();
  const user = async (email: string): Promise<SignedInUser> => {
    const cached = users.get(email);
    if (cached) return cached;
    const row = await database.db.user.findUniqueOrThrow({ where: { email }, include: { mechanic: true } });
    const viewer: Viewer =
      row.role === 'mechanic' && row.mechanic
        ? { role: 'mechanic', userId: row.id, kind: row.mechanic.kind, workshopId: row.mechanic.workshopId }
        : { role: row.role === 'admin' ? 'admin' : 'customer', userId: row.id };
    const signedIn = {
      id: row.id,
      email: row.email,
      displayName: row.displayName,
      viewer,
      authSessionId: 'test',
      expiresAt: new Date(Date.now() + 86_400_000),
    };
    users.set(email, signedIn);
    return signedIn;
  };
  const as = async (email: string | null) => {
    const ctx: Context = {
      ...services,
      user: email ? await user(email) : null,
      meta: {
        requestId: `test-${Math.random().toString(36).slice(2, 10)}`,
        ip: '127.0.0.1',
        userAgent: 'vitest',
        secure: false,
      },
      setCookie: () => {},
      transport: null,
    };
    return createCaller(ctx);
  };
  return {
    database,
    services,
    hub,
    as,
    user,
    clock,
    close: async () => {
      await hub.stop();
      await database.drop();
    },
  };
}

let keyCounter = 0;
export function idempotencyKey(): string {
  keyCounter += 1;
  return `key_${process.pid}_${keyCounter}_${Math.random().toString(36).slice(2, 8)}`;
}

export function intake(overrides: Partial<IntakeInput> = {}): IntakeInput {
  return {
    customerName: 'Ana Ortiz',
    vehicleYear: 2014,
    vehicleMake: 'Honda',
    vehicleModel: 'Civic',
    concern: 'Grinding noise when braking at low speed',
    sessionType: 'video',
    plan: 'paid',
    urgent: false,
    // Asked for in-person and urgent requests; optional (and harmless) for the rest.
    callbackPhone: '+44 20 7946 0958',
    ...overrides,
  };
}

/** A valid completion for a session of this type (a diagnostic one needs its findings). */
export function completion(sessionType: SessionType) {
  return {
    outcome: 'resolved' as const,
    note: 'Sorted out together.',
    findings:
      sessionType === 'diagnostic'
        ? {
            checked: 'Warning lights and codes',
            suspectedCause: 'Loose sensor plug',
            advice: 'Reseat the plug',
          }
        : null,
  };
}

/** Collects what an async iterable yields until `until` holds or the timeout passes. */
export async function collect<T>(
  iterable: AsyncIterable<T>,
  until: (items: T[]) => boolean,
  timeoutMs = 5000,
): Promise<T[]> {
  const items: T[] = [];
  const iterator = iterable[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  try {
    while (!until(items)) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const next = await Promise.race([
        iterator.next(),
        new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), remaining)),
      ]);
      if (next === 'timeout' || next.done) break;
      items.push(next.value);
    }
  } finally {
    void iterator.return?.();
  }
  return items;
}

/** The tRPC error a call fails with; any other outcome fails the test. */
export async function errorOf(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}
