// The peer: a Socket.IO v4 server, what most Node teams would pick for this, broadcasting the same
// payload to a room holding every connected client, with connection-state recovery on (the
// default in-memory adapter keeps every broadcast for `maxDisconnectionDuration` and replays the
// missed ones to a client that comes back within it). A second server with a short window shows
// what happens to a client that comes back too late.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { nowMs, serve } from './ipc.ts';
import { processHandlers } from './process-handlers.ts';

const ROOM = 'mechanics';
/** Socket.IO's documented default, stated explicitly. */
const WINDOW_MS = 2 * 60 * 1000;
/** The second server's window, short enough to step past within the bench. */
const SHORT_WINDOW_MS = 1000;

async function listen(maxDisconnectionDuration: number) {
  const http = createServer();
  const io = new Server(http, {
    connectionStateRecovery: { maxDisconnectionDuration, skipMiddlewares: true },
    perMessageDeflate: false,
    serveClient: false,
  });
  io.on('connection', (socket) => {
    // A recovered socket has its rooms back already.
    if (!socket.recovered) socket.join(ROOM);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { io, port: (http.address() as AddressInfo).port };
}

const main = await listen(WINDOW_MS);
const short = await listen(SHORT_WINDOW_MS);
const pick = (which?: 'short') => (which === 'short' ? short : main).io;

serve({
  info: () => ({
    port: main.port,
    shortPort: short.port,
    windowMs: WINDOW_MS,
    shortWindowMs: SHORT_WINDOW_MS,
  }),
  /** Clients in the room (a disconnected one leaves it until it is recovered). */
  roomSize: (args: { server?: 'short' }) => pick(args.server).sockets.adapter.rooms.get(ROOM)?.size ?? 0,
  /** Emits `{ id: key, data: payload }` to the room; returns when the broadcast began. */
  broadcast: (args: { key: string; payload: unknown }) => {
    const t0 = nowMs();
    main.io.to(ROOM).emit('queue', { id: args.key, data: args.payload });
    return t0;
  },
  /** Emits `count` events keyed `${prefix}${i}` (the events a resuming client misses). */
  burst: (args: { prefix: string; count: number; payload: unknown; server?: 'short' }) => {
    const io = pick(args.server);
    for (let i = 0; i < args.count; i++)
      io.to(ROOM).emit('queue', { id: `${args.prefix}${i}`, data: args.payload });
    return args.count;
  },
  stats: () => ({ rss: process.memoryUsage().rss }),
  ...processHandlers,
});
process.send?.({ ready: true });
