// A load generator holding a share of the WebSocket connections. Subscribers speak tRPC's ws wire
// protocol directly (one JSON message to subscribe, "PING"/"PONG" keep-alive), so 10,000 of them
// stay cheap; receive times are taken as each message arrives.
import WebSocket from 'ws';
import { nowMs, serve } from './ipc.ts';

const DATA_MARK = '"type":"data","data":{"id":"';

interface Group {
  sockets: WebSocket[];
}

const groups = new Map<string, Group>();
let receipts = new Map<string, number[]>();
let received = 0;
let sample: string | null = null;

function record(text: string, at: number): void {
  const start = text.indexOf(DATA_MARK);
  if (start < 0) return;
  const from = start + DATA_MARK.length;
  const key = text.slice(from, text.indexOf('"', from));
  let list = receipts.get(key);
  if (!list) {
    list = [];
    receipts.set(key, list);
  }
  list.push(at);
  received += 1;
  sample ??= text;
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
    found = { sockets: [] };
    groups.set(name, found);
  }
  return found;
}

serve({
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
    const count = target.sockets.length;
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
});
process.send?.({ ready: true });
