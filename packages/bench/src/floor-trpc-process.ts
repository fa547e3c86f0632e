// The framework floors.
// Delivery: a tRPC v11 ws server (same adapter, same keep-alive) whose `queue.onChange` yields
// tracked(id, payload) to every subscriber when told to broadcast. No database, no auth, no
// visibility rule, no event log: what tRPC's per-subscriber async-iterator delivery costs by itself.
// Write path: on the same port, `session.create` over tRPC's HTTP adapter (the server's own,
// createHTTPHandler) validating the real booking input schema and answering at once, and `/bare`, a
// plain node:http handler that parses the same JSON body and answers JSON. No database, no cookie,
// no admission: what one mutation's HTTP request costs in tRPC and in Node itself on this machine.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { idempotencyKeySchema, intakeSchema } from '@dispatch/domain';
import { initTRPC, tracked } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { WebSocketServer } from 'ws';
import { z } from 'zod';
import { nowMs, serve } from './ipc.ts';
import { processHandlers } from './process-handlers.ts';

const t = initTRPC.create();
let current: { key: string; payload: unknown } | null = null;
let generation = 0;
let wake: () => void = () => {};
let next = new Promise<void>((resolve) => {
  wake = resolve;
});

const router = t.router({
  queue: t.router({
    onChange: t.procedure.subscription(async function* ({ signal }) {
      let seen = generation;
      while (!signal?.aborted) {
        if (seen === generation) await next;
        seen = generation;
        if (current) yield tracked(current.key, current.payload);
      }
    }),
  }),
  session: t.router({
    create: t.procedure
      .input(
        z.object({
          intake: intakeSchema,
          idempotencyKey: idempotencyKeySchema,
          allowAnotherOpen: z.boolean().default(false),
        }),
      )
      .mutation(({ input }) => ({
        sessionId: randomUUID(),
        assignmentId: randomUUID(),
        status: 'pending_waiver',
        idempotencyKey: input.idempotencyKey,
      })),
  }),
});

const trpcHttp = createHTTPHandler({ router, basePath: '/trpc/' });
const http = createServer((req, res) => {
  if (req.url !== '/bare') {
    trpcHttp(req, res);
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { idempotencyKey?: string };
    const answer = JSON.stringify({
      sessionId: randomUUID(),
      assignmentId: randomUUID(),
      status: 'pending_waiver',
      idempotencyKey: body.idempotencyKey ?? null,
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
  });
});
const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
applyWSSHandler({ wss, router, keepAlive: { enabled: true, pingMs: 15_000, pongWaitMs: 5_000 } });
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));

serve({
  stats: () => ({ rss: process.memoryUsage().rss }),
  ...processHandlers,
  info: () => ({ port: (http.address() as AddressInfo).port }),
  /** Every subscriber yields `payload` as event `key`; returns when the broadcast began. */
  broadcast: (args: { key: string; payload: unknown }) => {
    const t0 = nowMs();
    current = args;
    generation += 1;
    const release = wake;
    next = new Promise<void>((resolve) => {
      wake = resolve;
    });
    release();
    return t0;
  },
});
process.send?.({ ready: true });
