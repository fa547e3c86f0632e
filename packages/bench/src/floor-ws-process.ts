// The bare-WebSocket floor: a plain `ws` server that sends one given message to every client.
// No database, no auth, no per-subscriber filtering: what any broadcast over ws costs at the least.
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { nowMs, serve } from './ipc.ts';
import { processHandlers } from './process-handlers.ts';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
await new Promise<void>((resolve) => wss.once('listening', () => resolve()));

serve({
  info: () => ({ port: (wss.address() as AddressInfo).port }),
  clients: () => wss.clients.size,
  /** Sends `message` to every client; returns the time the loop started (the floor's "commit"). */
  broadcast: (args: { message: string }) => {
    const t0 = nowMs();
    for (const client of wss.clients) client.send(args.message);
    return t0;
  },
  stats: () => ({ rss: process.memoryUsage().rss }),
  ...processHandlers,
});
process.send?.({ ready: true });
