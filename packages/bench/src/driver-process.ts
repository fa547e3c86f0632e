// The mutation load generator: typed tRPC clients over HTTP, one per user, with their session cookie,
// the way the apps call the API.
import type { AppRouter } from '@dispatch/api';
import { createTRPCClient, createTRPCUntypedClient, httpLink, TRPCClientError } from '@trpc/client';
import { nowMs, serve } from './ipc.ts';

type Client = ReturnType<typeof createTRPCClient<AppRouter>>;

let url = '';
let customerTokens: string[] = [];
let mechanicTokens: string[] = [];
const clients = new Map<string, Client>();
let nextCustomer = 0;

function clientFor(token: string): Client {
  let client = clients.get(token);
  if (!client) {
    client = createTRPCClient<AppRouter>({
      links: [httpLink({ url: `${url}/trpc`, headers: { cookie: `dispatch_sid=${token}` } })],
    });
    clients.set(token, client);
  }
  return client;
}

const intake = {
  customerName: 'Bench Customer',
  vehicleYear: 2018,
  vehicleMake: 'Toyota',
  vehicleModel: 'Corolla',
  concern: 'Check engine light came on this morning',
  sessionType: 'video' as const,
  workshopId: null,
  plan: 'free' as const,
  urgent: false,
};

let keyCounter = 0;
function idempotencyKey(): string {
  keyCounter += 1;
  return `bench-${process.pid}-${Date.now()}-${keyCounter}`;
}

/** Customers rotate so no one customer hits the per-customer create rate limit. */
function customerToken(): string {
  const token = customerTokens[nextCustomer % customerTokens.length] as string;
  nextCustomer += 1;
  return token;
}

interface Booked {
  sessionId: string;
  assignmentId: string;
  token: string;
}

async function book(): Promise<Booked> {
  const token = customerToken();
  const details = await clientFor(token).session.create.mutate({
    intake,
    idempotencyKey: idempotencyKey(),
    allowAnotherOpen: true,
  });
  return { sessionId: details.sessionId, assignmentId: details.assignmentId, token };
}

function sign(booked: Booked) {
  return clientFor(booked.token).waiver.sign.mutate({
    sessionId: booked.sessionId,
    signerName: 'Bench Customer',
    consent: true,
    waiverVersion: currentWaiverVersion,
  });
}

let currentWaiverVersion = '';

async function pool<T>(items: T[], concurrency: number, work: (item: T, index: number) => Promise<void>) {
  let index = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (index < items.length) {
        const i = index++;
        await work(items[i] as T, i);
      }
    }),
  );
}

function errorCode(error: unknown): string {
  if (error instanceof TRPCClientError) return String(error.data?.code ?? error.message);
  return error instanceof Error ? error.message : String(error);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

serve({
  /** (Re)points the driver at a server; clients made for an earlier one are dropped. */
  init: async (args: { url: string; customers: string[]; mechanics: string[] }) => {
    url = args.url;
    clients.clear();
    customerTokens = args.customers;
    mechanicTokens = args.mechanics;
    currentWaiverVersion = (await clientFor(customerTokens[0] as string).waiver.current.query()).version;
    return currentWaiverVersion;
  },
  /** Books `count` free sessions (pending_waiver), ready to be signed later. */
  book: async (args: { count: number }) => {
    const out: Booked[] = [];
    await pool(
      Array.from({ length: args.count }, (_, i) => i),
      8,
      async () => {
        out.push(await book());
      },
    );
    return out;
  },
  /** Signs one booked session; returns when the request was sent and answered. */
  sign: async (args: { booked: Booked }) => {
    const sent = nowMs();
    await sign(args.booked);
    return { sent, answered: nowMs() };
  },
  /** Signs the given sessions open-loop at `rate` per second. */
  signPaced: async (args: { booked: Booked[]; rate: number }) => {
    const start = nowMs();
    const results: { sent: number; answered: number; error?: string }[] = [];
    await Promise.all(
      args.booked.map(async (booked, i) => {
        const due = start + (i * 1000) / args.rate;
        const wait = due - nowMs();
        if (wait > 0) await sleep(wait);
        const sent = nowMs();
        try {
          await sign(booked);
          results.push({ sent, answered: nowMs() });
        } catch (error) {
          results.push({ sent, answered: nowMs(), error: errorCode(error) });
        }
      }),
    );
    return results;
  },
  /**
   * Full flows (create, sign, accept by a mechanic) started open-loop at `rate` per second for
   * `durationMs`; every mutation's response time is recorded.
   */
  flows: async (args: { rate: number; durationMs: number; mechanicFrom: number; mechanicCount: number }) => {
    const latencies: Record<'create' | 'sign' | 'accept', number[]> = { create: [], sign: [], accept: [] };
    const errors: Record<string, number> = {};
    let completed = 0;
    let started = 0;
    let lastDone = 0;
    const total = Math.round((args.rate * args.durationMs) / 1000);
    const start = nowMs();
    const timed = async <T>(kind: keyof typeof latencies, run: () => Promise<T>): Promise<T> => {
      const t0 = nowMs();
      const value = await run();
      latencies[kind].push(nowMs() - t0);
      return value;
    };
    const one = async (i: number) => {
      const due = start + (i * 1000) / args.rate;
      const wait = due - nowMs();
      if (wait > 0) await sleep(wait);
      started += 1;
      try {
        const booked = await timed('create', book);
        await timed('sign', () => sign(booked));
        const mechanic = mechanicTokens[args.mechanicFrom + (i % args.mechanicCount)] as string;
        await timed('accept', () =>
          clientFor(mechanic).assignment.accept.mutate({ assignmentId: booked.assignmentId }),
        );
        completed += 1;
        lastDone = nowMs();
      } catch (error) {
        const code = errorCode(error);
        errors[code] = (errors[code] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: total }, (_, i) => one(i)));
    return { started, completed, errors, wallMs: lastDone - start, latencies };
  },
  /**
   * Bookings sent open-loop at `rate` per second for `durationMs` to a write-path floor (the tRPC
   * floor process): `trpc` through a tRPC client to its `session.create`, `bare` as a plain JSON
   * POST to its node:http handler. The same body as a real booking; every response time recorded.
   */
  floorCalls: async (args: { url: string; kind: 'trpc' | 'bare'; rate: number; durationMs: number }) => {
    const trpc = createTRPCUntypedClient({ links: [httpLink({ url: `${args.url}/trpc` })] });
    const call = (input: { intake: typeof intake; idempotencyKey: string }) =>
      args.kind === 'trpc'
        ? trpc.mutation('session.create', input)
        : fetch(`${args.url}/bare`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(input),
          }).then((response) => response.json());
    const latencies: number[] = [];
    let errors = 0;
    const total = Math.round((args.rate * args.durationMs) / 1000);
    const start = nowMs();
    await Promise.all(
      Array.from({ length: total }, async (_, i) => {
        const wait = start + (i * 1000) / args.rate - nowMs();
        if (wait > 0) await sleep(wait);
        const t0 = nowMs();
        try {
          await call({ intake, idempotencyKey: idempotencyKey() });
          latencies.push(nowMs() - t0);
        } catch {
          errors += 1;
        }
      }),
    );
    return { latencies, errors, wallMs: nowMs() - start };
  },
  /** Warms each mechanic's HTTP connection so the accept race is not a connect race. */
  warm: async (args: { mechanics: number[] }) => {
    await Promise.all(args.mechanics.map((m) => clientFor(mechanicTokens[m] as string).auth.me.query()));
    return true;
  },
  /** Every given mechanic accepts the same queued request at the same instant. */
  contend: async (args: { mechanics: number[] }) => {
    const booked = await book();
    await sign(booked);
    await sleep(50);
    const results: { ok: boolean; code: string; ms: number }[] = [];
    const fire = args.mechanics.map((m) => clientFor(mechanicTokens[m] as string));
    const t0 = nowMs();
    await Promise.all(
      fire.map(async (client) => {
        const sent = nowMs();
        try {
          await client.assignment.accept.mutate({ assignmentId: booked.assignmentId });
          results.push({ ok: true, code: 'OK', ms: nowMs() - sent });
        } catch (error) {
          results.push({ ok: false, code: errorCode(error), ms: nowMs() - sent });
        }
      }),
    );
    return { assignmentId: booked.assignmentId, results, spreadMs: nowMs() - t0 };
  },
});
process.send?.({ ready: true });
