// The framework floor: a tRPC v11 ws server (same adapter, same keep-alive) whose `queue.onChange`
// yields tracked(id, payload) to every subscriber when told to broadcast. No database, no auth, no
// visibility rule, no event log: what tRPC's per-subscriber async-iterator delivery costs by itself.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { initTRPC, tracked } from '@trpc/server';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { WebSocketServer } from 'ws';
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
});

const http = createServer();
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
