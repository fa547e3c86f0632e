// A load generator holding a share of the WebSocket connections. Subscribers speak tRPC's ws wire
// protocol directly (one JSON message to subscribe, "PING"/"PONG" keep-alive), so 10,000 of them
// stay cheap; receive times are taken as each message arrives. The Socket.IO peer's clients are
// socket.io-client sockets (websocket transport only), in load generators of their own.
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { nowMs, serve } from './ipc.ts';
import { processHandlers } from './process-handlers.ts';

const DATA_MARK = '"type":"data","data":{"id":"';

interface Group {
  sockets: WebSocket[];
  ios: Socket[];
}

/** What the Socket.IO peer emits as its `queue` event: the captured payload under a key. */
interface PeerEvent {
  id: string;
}

const groups = new Map<string, Group>();

interface PeerResume {
  socket: Socket;
  seen: { key: string; at: number }[];
  wake: () => void;
}
const peerResumes = new Map<string, PeerResume>();

function peerResume(name: string): PeerResume {
  const entry = peerResumes.get(name);
  if (!entry) throw new Error(`no resuming peer client ${name}`);
  return entry;
}

/** Resolves once `done()` holds (checked on every event) or after `timeoutMs`. */
function until(entry: PeerResume, done: () => boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (done()) return resolve();
    const finish = () => {
      clearTimeout(timer);
      entry.wake = () => {};
      resolve();
    };
    const timer = setTimeout(finish, timeoutMs);
    entry.wake = () => {
      if (done()) finish();
    };
  });
}
let receipts = new Map<string, number[]>();
let received = 0;
let sample: string | null = null;

function record(text: string, at: number): void {
  const start = text.indexOf(DATA_MARK);
  if (start < 0) return;
  const from = start + DATA_MARK.length;
  recordKey(text.slice(from, text.indexOf('"', from)), at);
  sample ??= text;
}

function recordKey(key: string, at: number): void {
  let list = receipts.get(key);
  if (!list) {
    list = [];
    receipts.set(key, list);
  }
  list.push(at);
  received += 1;
}

/** One socket.io-client socket on its own connection (no multiplexing), websocket transport only. */
function openSocketIo(url: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

function open(url: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers, perMessageDeflate: false });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) =>
      reject(new Error(`upgrade refused: ${res.statusCode}`)),
    );
  });
}

/** Subscribes `socket` to queue.onChange and resolves once the server says "started". */
function subscribe(socket: WebSocket, lastEventId: string | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('subscription not started within 30 s')), 30_000);
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      const at = nowMs();
      const text = isBinary ? data.toString('utf8') : data.toString();
      if (text === 'PING') {
        socket.send('PONG');
        return;
      }
      if (text.includes('"type":"started"')) {
        clearTimeout(timer);
        resolve();
        return;
      }
      if (text.includes('"error"')) {
        clearTimeout(timer);
        reject(new Error(`subscription error: ${text.slice(0, 300)}`));
        return;
      }
      record(text, at);
    });
    socket.send(
      JSON.stringify({
        id: 1,
        method: 'subscription',
        params: { path: 'queue.onChange', input: { lastEventId } },
      }),
    );
  });
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let index = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (index < items.length) {
      const item = items[index++] as T;
      await work(item);
    }
  });
  await Promise.all(workers);
}

function group(name: string): Group {
  let found = groups.get(name);
  if (!found) {
    found = { sockets: [], ios: [] };
    groups.set(name, found);
  }
  return found;
}

serve({
  /** cpuMark / cpuSince: what receiving costs the load generator itself. */
  ...processHandlers,
  /** Opens one tRPC subscriber per token (a mechanic's session cookie). */
  subscribe: async (args: { url: string; tokens: string[]; group: string; concurrency?: number }) => {
    const target = group(args.group);
    await pool(args.tokens, args.concurrency ?? 50, async (token) => {
      const socket = await open(args.url, { cookie: `dispatch_sid=${token}` });
      await subscribe(socket, null);
      target.sockets.push(socket);
    });
    return target.sockets.length;
  },
  /** Opens plain WebSockets to the bare broadcast server (the floor). */
  connectPlain: async (args: { url: string; count: number; group: string; concurrency?: number }) => {
    const target = group(args.group);
    await pool(
      Array.from({ length: args.count }, (_, i) => i),
      args.concurrency ?? 50,
      async () => {
        const socket = await open(args.url, {});
        socket.on('message', (data: Buffer) => record(data.toString(), nowMs()));
        target.sockets.push(socket);
      },
    );
    return target.sockets.length;
  },
  /** Opens socket.io-client sockets to the Socket.IO peer, which puts each in its room. */
  connectSocketIo: async (args: { url: string; count: number; group: string; concurrency?: number }) => {
    const target = group(args.group);
    await pool(
      Array.from({ length: args.count }, (_, i) => i),
      args.concurrency ?? 50,
      async () => {
        const socket = await openSocketIo(args.url);
        socket.on('queue', (event: PeerEvent) => recordKey(event.id, nowMs()));
        target.ios.push(socket);
      },
    );
    return target.ios.length;
  },
  close: async (args: { group: string }) => {
    const target = groups.get(args.group);
    if (!target) return 0;
    const closed = target.sockets.map(
      (socket) =>
        new Promise<void>((resolve) =>
          socket.readyState === WebSocket.CLOSED ? resolve() : socket.once('close', () => resolve()),
        ),
    );
    for (const socket of target.sockets) socket.close();
    // A client-side disconnect: the server keeps no session for it (not a recoverable reason).
    for (const socket of target.ios) socket.disconnect();
    const count = target.sockets.length + target.ios.length;
    groups.delete(args.group);
    await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, 5000))]);
    for (const socket of target.sockets) socket.terminate();
    return count;
  },
  received: () => received,
  sample: () => sample,
  /** Receive times by event key since the last drain. */
  drain: () => {
    const out = receipts;
    receipts = new Map();
    received = 0;
    return out;
  },
  /**
   * A client that missed events reconnects with its last position: time from opening the socket
   * to the last missed event, and whether they came exactly once and in order.
   */
  resume: async (args: { url: string; token: string; lastEventId: string; expect: number }) => {
    const t0 = nowMs();
    const socket = new WebSocket(args.url, {
      headers: { cookie: `dispatch_sid=${args.token}` },
      perMessageDeflate: false,
    });
    const keys: string[] = [];
    let tOpen = 0;
    let tStarted = 0;
    let tFirst = 0;
    let tLast = 0;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`resume: only ${keys.length}/${args.expect} in 30 s`)),
        30_000,
      );
      socket.once('error', reject);
      socket.once('open', () => {
        tOpen = nowMs();
        socket.send(
          JSON.stringify({
            id: 1,
            method: 'subscription',
            params: { path: 'queue.onChange', input: { lastEventId: args.lastEventId } },
          }),
        );
      });
      socket.on('message', (data: Buffer) => {
        const text = data.toString();
        if (text === 'PING') return void socket.send('PONG');
        if (text.includes('"type":"started"')) {
          tStarted = nowMs();
          return;
        }
        const start = text.indexOf(DATA_MARK);
        if (start < 0) return;
        const from = start + DATA_MARK.length;
        keys.push(text.slice(from, text.indexOf('"', from)));
        if (keys.length === 1) tFirst = nowMs();
        if (keys.length === args.expect) {
          tLast = nowMs();
          clearTimeout(timer);
          // Anything extra would arrive right behind: give it a moment to show up.
          setTimeout(resolve, 100);
        }
      });
    });
    socket.close();
    const order = keys.map((key) => BigInt(key));
    let ordered = true;
    for (let i = 1; i < order.length; i++) {
      if ((order[i - 1] as bigint) >= (order[i] as bigint)) ordered = false;
    }
    return {
      count: keys.length,
      unique: new Set(keys).size,
      ordered,
      openMs: tOpen - t0,
      startedMs: tStarted - t0,
      firstMs: tFirst - t0,
      lastMs: tLast - t0,
      subscribeToLastMs: tLast - tOpen,
    };
  },
  /**
   * Socket.IO's resume, step 1: a client joins the peer's room and waits for one event, so it
   * holds an offset (the position connection-state recovery resumes from).
   */
  peerResumeOpen: async (args: { url: string; name: string }) => {
    const socket = await openSocketIo(args.url);
    const entry: PeerResume = { socket, seen: [], wake: () => {} };
    socket.on('queue', (event: PeerEvent) => {
      entry.seen.push({ key: event.id, at: nowMs() });
      entry.wake();
    });
    peerResumes.set(args.name, entry);
    return true;
  },
  /** Step 2: once it has an event, the connection drops (the transport closes, not a disconnect()). */
  peerResumeDrop: async (args: { name: string }) => {
    const entry = peerResume(args.name);
    await until(entry, () => entry.seen.length > 0, 10_000);
    entry.socket.io.engine.close();
    entry.seen = [];
    return true;
  },
  /**
   * Step 3, after the server broadcast `expect` events to the room: the same socket reconnects.
   * Times from calling connect(); `recovered` is Socket.IO's own verdict.
   */
  peerResumeReconnect: async (args: { name: string; prefix: string; expect: number; timeoutMs: number }) => {
    const entry = peerResume(args.name);
    const t0 = nowMs();
    let tConnect = 0;
    const connected = new Promise<void>((resolve, reject) => {
      entry.socket.once('connect', () => {
        tConnect = nowMs();
        resolve();
      });
      entry.socket.once('connect_error', reject);
    });
    entry.socket.connect();
    await connected;
    const missed = () => entry.seen.filter((s) => s.key.startsWith(args.prefix));
    // Whatever is replayed arrives with the connect; then a moment for anything extra or late.
    await until(entry, () => missed().length >= args.expect, args.timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const got = missed();
    const recovered = entry.socket.recovered;
    entry.socket.disconnect();
    peerResumes.delete(args.name);
    const order = got.map((s) => Number(s.key.slice(args.prefix.length)));
    return {
      recovered,
      count: got.length,
      unique: new Set(order).size,
      ordered: order.every((n, i) => i === 0 || (order[i - 1] as number) < n),
      connectMs: tConnect - t0,
      firstMs: got.length ? (got[0] as { at: number }).at - t0 : Number.NaN,
      lastMs: got.length >= args.expect && got.length ? (got.at(-1) as { at: number }).at - t0 : Number.NaN,
    };
  },
});
process.send?.({ ready: true });
