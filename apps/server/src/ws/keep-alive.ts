import type { WebSocket, WebSocketServer } from 'ws';

/**
 * tRPC's keep-alive protocol (the server sends "PING" after `pingMs` without a message from the
 * client, and ends the socket if nothing comes within `pongWaitMs` of it; the client answers
 * "PONG"), run for every socket from one timer, as ws recommends for detecting broken
 * connections. tRPC's own (handleKeepAlive in its ws adapter) gives each socket a Timeout and
 * five closures, about 0.7 KiB that every idle connection held. A PING or the end can come up to
 * one tick later than the exact times.
 */
export interface KeepAliveOptions {
  pingMs: number;
  pongWaitMs: number;
  /** How often the sockets are looked at. */
  tickMs?: number;
}

const HEARD = Symbol('dispatch.keepAlive.heard');
const PINGED = Symbol('dispatch.keepAlive.pinged');
/** A kept-alive socket: when the client was last heard, and when its unanswered PING went (or 0). */
type Watched = WebSocket & { [HEARD]: number; [PINGED]: number };

/** Whole milliseconds since the process started: small integers, stored in the socket itself. */
const clock = () => Math.floor(performance.now());

/** Every watched socket's 'message' listener: one function for all of them (`this` is the socket). */
function heard(this: Watched): void {
  this[HEARD] = clock();
  this[PINGED] = 0;
}

export class KeepAlive {
  readonly #wss: WebSocketServer;
  readonly #pingMs: number;
  readonly #pongWaitMs: number;
  readonly #timer: NodeJS.Timeout;

  constructor(wss: WebSocketServer, options: KeepAliveOptions) {
    this.#wss = wss;
    this.#pingMs = options.pingMs;
    this.#pongWaitMs = options.pongWaitMs;
    this.#timer = setInterval(() => this.#sweep(), options.tickMs ?? 1000);
    this.#timer.unref();
  }

  add(socket: WebSocket): void {
    const watched = socket as Watched;
    watched[HEARD] = clock();
    watched[PINGED] = 0;
    socket.on('message', heard as (this: WebSocket) => void);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #sweep(): void {
    const now = clock();
    // The server's set of open sockets (ws's clientTracking), which it keeps anyway.
    for (const socket of this.#wss.clients as Set<Partial<Watched> & WebSocket>) {
      const lastHeard = socket[HEARD];
      if (lastHeard === undefined || socket.readyState !== socket.OPEN) continue;
      const pinged = socket[PINGED] ?? 0;
      if (pinged === 0) {
        if (now - lastHeard < this.#pingMs) continue;
        socket.send('PING');
        socket[PINGED] = Math.max(now, 1);
      } else if (now - pinged >= this.#pongWaitMs) {
        socket.terminate();
      }
    }
  }
}
