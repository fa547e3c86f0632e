// The bare-WebSocket floor: a plain `ws` server that sends one given message to every client.
// No database, no auth, no per-subscriber filtering: what any broadcast over ws costs at the least.
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { nowMs, serve } from './ipc.ts';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
await new Promise<void>((resolve) => wss.once('listening', () => resolve()));

let cpuMark = process.cpuUsage();
let wallMark = performance.now();

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
  gc: async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    for (let i = 0; i < 3; i++) {
      gc?.();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return Boolean(gc);
  },
  cpuMark: () => {
    cpuMark = process.cpuUsage();
    wallMark = performance.now();
    return true;
  },
  cpuSince: () => {
    const used = process.cpuUsage(cpuMark);
    const wall = performance.now() - wallMark;
    return {
      userMs: used.user / 1000,
      systemMs: used.system / 1000,
      cores: (used.user + used.system) / 1000 / wall,
    };
  },
});
process.send?.({ ready: true });
