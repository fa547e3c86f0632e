import { encodePosition, type Position, type ResyncEvent } from '@dispatch/domain';
import { tracked } from '@trpc/server';
import { counterFor, type Metrics } from '../observability/metrics.ts';
import type { EventHub } from './hub.ts';
import type { StreamStart } from './positions.ts';
import { shared } from './shared-payload.ts';
import type { StoredEvent } from './stored-event.ts';
import { dataFrameTail, STARTED_TAIL, TEXT_FRAME } from './trpc-frame.ts';
import { payloadOf, textFrame } from './web-socket-frame.ts';

/** The socket a subscription writes to, as far as back-pressure needs it. */
interface Transport {
  /** Bytes queued on the socket and not yet sent. */
  bufferedBytes(): number;
  close(code: number, reason: string): void;
}

/** A WebSocket the live fan-out writes frames to directly (see live-fanout.ts). */
export interface LiveTransport extends Transport {
  isOpen(): boolean;
  /** Writes a whole WebSocket frame (web-socket-frame.ts), built once for every socket it goes to. */
  writeFrame(frame: Buffer): void;
  /**
   * Called first thing in a subscription's body: resolves with the head of the frames tRPC sends
   * for it (`{"id":…,`), read from its `started` frame, which tRPC sends synchronously after
   * starting the body; null when that frame did not come then (the subscription stays on the
   * pull path, which needs no id).
   */
  claimSubscriptionStart(): Promise<string | null>;
  /** Holds what is sent until the matching uncork, so a burst of frames leaves in one write. */
  cork(): void;
  uncork(): void;
}

/** What the transport needs of a WebSocket (ws's). */
export interface SocketLike {
  bufferedAmount: number;
  readyState: number;
  send(data: string | Buffer, options?: { binary?: boolean }, callback?: (error?: Error) => void): void;
  close(code: number, reason: string): void;
  terminate(): void;
  /** The extensions agreed in the handshake, comma-separated; '' when none. */
  extensions: string;
  /**
   * ws's own net.Socket (not in its typings): corked around a burst of frames, and written to
   * directly with frames built once (see SocketTransport.writeFrame).
   */
  _socket?: { cork(): void; uncork(): void; write(chunk: Buffer): boolean } | null;
}

const OPEN = 1;
const CLOSED = 3;
/** A socket that cannot even take its close frame (its reader is stalled) is dropped after this. */
const CLOSE_GRACE_MS = 1000;
const TRANSPORT = Symbol('dispatch.transport');

type WatchedSocket = SocketLike & { [TRANSPORT]: SocketTransport };

/** Every watched socket's `send`: one function for all of them, not a closure per socket. */
function sendThroughTransport(
  this: WatchedSocket,
  data: string | Buffer,
  options?: { binary?: boolean },
  callback?: (error?: Error) => void,
): void {
  this[TRANSPORT].send(data, options, callback);
}

/**
 * A WebSocket as the subscriptions on it see it. One object per connection and no closures: every
 * idle connection holds one (see packages/bench/src/probe-memory.ts), so its methods live on the
 * prototype and what tRPC sends goes through it by one shared function.
 */
export class SocketTransport implements LiveTransport {
  readonly #socket: SocketLike;
  readonly #send: SocketLike['send'];
  /** No extension was agreed, so ws frames every message as writeFrame's frames are built. */
  readonly #plain: boolean;
  /** The subscription body waiting to learn its id from its `started` frame (see LiveTransport). */
  #claim: ((head: string | null) => void) | null = null;

  /** The socket's transport: made on first use, the same one after (its `send` is wrapped once). */
  static of(socket: SocketLike): SocketTransport {
    return (socket as Partial<WatchedSocket>)[TRANSPORT] ?? new SocketTransport(socket);
  }

  private constructor(socket: SocketLike) {
    this.#socket = socket;
    this.#send = socket.send;
    this.#plain = socket.extensions === '';
    (socket as WatchedSocket)[TRANSPORT] = this;
    socket.send = sendThroughTransport;
  }

  /** A frame tRPC sends on the socket: read for a waiting claim, then sent. */
  send(data: string | Buffer, options?: { binary?: boolean }, callback?: (error?: Error) => void): void {
    const claim = this.#claim;
    if (claim && typeof data === 'string' && data.endsWith(STARTED_TAIL) && data.startsWith('{"id":')) {
      this.#claim = null;
      claim(data.slice(0, data.length - STARTED_TAIL.length));
    }
    this.#send.call(this.#socket, data, options, callback);
  }

  isOpen(): boolean {
    return this.#socket.readyState === OPEN;
  }

  /**
   * Straight to the net.Socket ws writes to: ws's sender sends every frame at once (it queues only
   * while compressing, and no extension was agreed) and keeps no per-frame state for an unmasked
   * final frame, so the bytes and their order are what ws.send would write. With an extension
   * agreed, the payload goes through ws.send instead.
   */
  writeFrame(frame: Buffer): void {
    const socket = this.#socket._socket;
    if (this.#plain && socket) socket.write(frame);
    else this.#send.call(this.#socket, payloadOf(frame), TEXT_FRAME);
  }

  claimSubscriptionStart(): Promise<string | null> {
    this.#claim?.(null);
    return new Promise((resolve) => {
      this.#claim = resolve;
      // tRPC sends `started` in the same synchronous run that started the body; later is not ours.
      queueMicrotask(() => {
        if (this.#claim !== resolve) return;
        this.#claim = null;
        resolve(null);
      });
    });
  }

  cork(): void {
    this.#socket._socket?.cork();
  }

  uncork(): void {
    this.#socket._socket?.uncork();
  }

  bufferedBytes(): number {
    return this.#socket.bufferedAmount;
  }

  close(code: number, reason: string): void {
    const socket = this.#socket;
    socket.close(code, reason);
    setTimeout(() => {
      if (socket.readyState !== CLOSED) socket.terminate();
    }, CLOSE_GRACE_MS).unref();
  }
}

/** Close code for a subscriber that stopped reading; it reconnects and resumes from its last event. */
export const TOO_SLOW_CLOSE_CODE = 4008;

export interface SlowConsumerLimits {
  /** Above this many buffered bytes the subscription pauses until the socket drains to half. */
  highWaterBytes: number;
  /** A socket that does not drain within this time is closed with TOO_SLOW_CLOSE_CODE. */
  stallMs: number;
}

export const DEFAULT_SLOW_CONSUMER_LIMITS: SlowConsumerLimits = { highWaterBytes: 1 << 20, stallMs: 10_000 };

const RESYNC: ResyncEvent = shared({ kind: 'resync', reason: 'position_unknown' });

/**
 * Older positions come from the table; if the database is briefly away (a restart, a failover)
 * the subscription waits and tries again instead of failing: the client keeps its place.
 */
async function readWithRetry(hub: EventHub, position: Position, signal: AbortSignal | undefined) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await hub.readAfter(position);
    } catch (error) {
      if (signal?.aborted || hub.stopped) return [];
      if (attempt >= 60) throw error;
      await sleep(Math.min(2000, 100 * 2 ** attempt));
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits while the socket holds more than the high-water mark; false (after closing the socket)
 * when it does not drain in time, or when the subscription ended meanwhile.
 */
async function roomToSend<T>(options: StreamOptions<T>, transport: Transport): Promise<boolean> {
  const limits = options.limits ?? DEFAULT_SLOW_CONSUMER_LIMITS;
  if (transport.bufferedBytes() <= limits.highWaterBytes) return true;
  const deadline = Date.now() + limits.stallMs;
  while (transport.bufferedBytes() > limits.highWaterBytes / 2) {
    if (options.signal?.aborted) return false;
    if (Date.now() >= deadline) {
      options.metrics.slowConsumersClosed.inc();
      transport.close(TOO_SLOW_CLOSE_CODE, 'Too slow: reconnect and resume from your last event');
      return false;
    }
    await sleep(25);
  }
  return true;
}

export interface StreamOptions<T> {
  hub: EventHub;
  /**
   * Where to start. A function is called first thing in the body, in the synchronous run that
   * starts it (where a queue subscription claims its `started` frame), and its answer awaited.
   */
  start: StreamStart | (() => Promise<StreamStart>);
  project(event: StoredEvent): T | null;
  signal: AbortSignal | undefined;
  metrics: Metrics;
  role: string;
  now: () => number;
  /** The WebSocket this subscription writes to; null when there is none (tests, createCaller). */
  transport: Transport | null;
  limits?: SlowConsumerLimits | undefined;
  /** Called for every event handed to the socket (delivery receipts); must not block or throw. */
  onDelivered?(event: StoredEvent, payload: T): void;
  /**
   * Serves the subscription from the live fan-out once it is at the head: resolves with the
   * position to pull from again (it fell behind, or ended); null when it cannot take it now.
   */
  live?(position: Position, signal: AbortSignal | undefined): Promise<Position> | null;
  /**
   * Where this subscription's frames may be written without tRPC (see writeFrames): its socket and
   * tRPC's `{"id":…,` head for it; null when there is none, and each event is yielded through tRPC.
   */
  directFrames?(): DirectFrames | null;
}

export interface DirectFrames {
  transport: LiveTransport;
  frameHead: string;
}

/**
 * Yields every event after the start that `project` lets through, as `tracked(position, payload)`,
 * then waits for more. Pull-based from one shared log: nothing is buffered per subscriber here, a
 * socket that stops draining pauses its subscription and is closed if it stays full, and resuming
 * from any position gives exactly the events missed, in order, once. The options' functions are
 * called as its methods, so a class can carry a subscription's state without a closure each.
 */
export async function* streamEvents<T>(options: StreamOptions<T>) {
  // Few locals: an idle subscription keeps this frame (its registers) for as long as it is open.
  const start = typeof options.start === 'function' ? await options.start() : options.start;
  const replayUntil = start.resumed ? options.hub.head : null;
  let position = start.from;
  options.metrics.subscribers.inc({ role: options.role });
  try {
    if (start.resync) {
      options.metrics.resyncs.inc();
      yield tracked(encodePosition(position), RESYNC);
    }
    while (!options.signal?.aborted && !options.hub.stopped) {
      const batch = await readWithRetry(options.hub, position, options.signal);
      if (batch.length === 0) {
        // At the head: the live fan-out serves the subscription if it can, else it waits here.
        const served = options.live?.(position, options.signal);
        if (served) position = await served;
        else await options.hub.waitForNewer(position, options.signal);
        continue;
      }
      const direct = options.directFrames?.() ?? null;
      if (direct) {
        for (let i = 0; i < batch.length; ) {
          if (!direct.transport.isOpen() || !(await roomToSend(options, direct.transport))) return;
          i = writeFrames(options, direct, batch, i, replayUntil);
          position = (batch[i - 1] as StoredEvent).position;
        }
        continue;
      }
      for (let i = 0; i < batch.length; i++) {
        const event = batch[i] as StoredEvent;
        position = event.position;
        const payload = options.project(event);
        if (payload === null) continue;
        if (options.transport && !(await roomToSend(options, options.transport))) return;
        counted(options, event, replayUntil !== null && position <= replayUntil);
        options.onDelivered?.(event, payload);
        yield tracked(event.cursor, payload);
      }
    }
  } finally {
    options.metrics.subscribers.dec({ role: options.role });
  }
}

/**
 * Writes the batch's events from `from` on as tRPC's own data frames straight to the socket, in one
 * corked burst, until the socket holds more than the high-water mark; returns the index reached
 * (always past `from`). A replay of a thousand missed events then costs a projection and a string
 * each instead of a pass through tRPC's iterator, its response transform and a write of its own.
 * Safe between the generator's yields: tRPC resumes the generator only after it has sent the frame
 * of the previous yield, so nothing it sends for this subscription can come between these frames.
 */
function writeFrames<T>(
  options: StreamOptions<T>,
  direct: DirectFrames,
  batch: readonly StoredEvent[],
  from: number,
  replayUntil: Position | null,
): number {
  const { transport, frameHead } = direct;
  const highWaterBytes = (options.limits ?? DEFAULT_SLOW_CONSUMER_LIMITS).highWaterBytes;
  let i = from;
  transport.cork();
  try {
    for (; i < batch.length; i++) {
      if (i > from && (i - from >= BURST || transport.bufferedBytes() > highWaterBytes)) break;
      const event = batch[i] as StoredEvent;
      const payload = options.project(event);
      if (payload === null) continue;
      counted(options, event, replayUntil !== null && event.position <= replayUntil);
      options.onDelivered?.(event, payload);
      transport.writeFrame(textFrame(frameHead + dataFrameTail(event.cursor, payload)));
    }
  } finally {
    transport.uncork();
  }
  return i;
}

/**
 * Events per corked burst: a burst leaves in one write as it ends, so the client reads and parses
 * one while the next is built, instead of waiting for a whole page of the log.
 */
const BURST = 100;

/** Counts one delivery, and the event's delivery latency the first time any subscriber gets it live. */
function counted<T>(options: StreamOptions<T>, event: StoredEvent, replayed: boolean): void {
  const { metrics } = options;
  counterFor(metrics.eventsDelivered, options.role).inc();
  if (replayed) metrics.eventsReplayed.inc();
  else observeFirstDelivery(metrics, event, options.now);
}

/** The event's delivery latency, observed once per process: at its first live delivery (pull or fan-out). */
export function observeFirstDelivery(metrics: Metrics, event: StoredEvent, now: () => number): void {
  if (event.latencyObserved) return;
  event.latencyObserved = true;
  metrics.deliveryLatency.observe(Math.max(0, now() - event.createdAt.getTime()) / 1000);
}
