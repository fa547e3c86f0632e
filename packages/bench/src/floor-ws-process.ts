// The bare-WebSocket floor: a plain `ws` server that sends one given message to every client.
// No database, no auth, no per-subscriber filtering: what any broadcast over ws costs at the least.
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { nowMs, serve } from './ipc.ts';
import { processHandlers } from './process-handlers.ts';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
await new Promise<void>((resolve) => wss.once('listening', () => resolve()));

function sendToAll(message: string): void {
  for (const client of wss.clients) client.send(message);
}

serve({
  info: () => ({ port: (wss.address() as AddressInfo).port }),
  clients: () => wss.clients.size,
  /** Sends `message` to every client; returns the time the loop started (the floor's "commit"). */
  broadcast: (args: { message: string }) => {
    const t0 = nowMs();
    sendToAll(args.message);
    return t0;
  },
  /**
   * Sends `count` messages to every client at `rate` per second, message k with `key` replaced by
   * `${prefix}${k}`; returns each one's due time. The due time is the floor's "commit": a broadcast
   * that starts late because the one before is still being written counts the wait, as ours
   * counts the time an event waits behind the fan-out of the one before.
   */
  broadcastPaced: async (args: {
    message: string;
    key: string;
    prefix: string;
    count: number;
    rate: number;
  }) => {
    const parts = args.message.split(args.key);
    const origin = nowMs() + 20;
    const due: number[] = [];
    for (let k = 0; k < args.count; k++) {
      const at = origin + (k * 1000) / args.rate;
      const wait = at - nowMs();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      sendToAll(parts.join(`${args.prefix}${k}`));
      due.push(at);
    }
    return due;
  },
  stats: () => ({ rss: process.memoryUsage().rss }),
  ...processHandlers,
});
process.send?.({ ready: true });
