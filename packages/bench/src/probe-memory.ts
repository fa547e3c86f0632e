// What one idle subscriber costs the server, and where it goes: the real server (startServer with
// server-process.ts's settings, embedded PostgreSQL, run by this file as its own child so it can
// report V8's heap figures too) and the tRPC floor (floor-trpc-process.ts) each get W warm
// subscribers and a few delivered events, then N more mechanics' WebSockets with one
// `queue.onChange` each, opened from separate client processes so the server's heap holds only
// what it keeps per connection. Each round reports the RSS and heapUsed deltas after forced GC,
// per added connection, the way `pnpm bench` section (f) measures them (and heapTotal, resident
// heap pages, external, array buffers and V8's malloc). With --snapshot, one more round of each
// target takes a V8 heap snapshot before and after (its RSS is not counted: writing a snapshot
// grows the process), and prints the diff by constructor / closure name (self sizes and counts,
// per connection), the new objects by what retains them, the hidden classes made per connection
// and, with --samples, one retaining path per top row.
//
//   pnpm --filter @dispatch/bench probe:memory -- --n 3000 --rounds 2 --snapshot [--samples 20]
//     [--base /other/checkout] [--no-floor] [--warm 200] [--events 5] [--top 40] [--keep dir]
//   pnpm --filter @dispatch/bench probe:memory -- --diff before.heapsnapshot after.heapsnapshot --n N
//
// --base runs the same rounds against another checkout's server too (its own apps/server and
// dependencies), alternating with this tree's, so a change is measured side by side on the same
// database, machine and N.
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import pino from 'pino';
import { type BenchDatabase, seedUsers, startBenchDatabase } from './database.ts';
import { type Child, killChildren, serve, spawnChild } from './ipc.ts';
import { processHandlers } from './process-handlers.ts';

const argv = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 && argv[at + 1] !== undefined ? (argv[at + 1] as string) : fallback;
};
const N = Number(option('n', '3000'));
const WARM = Number(option('warm', '200'));
const ROUNDS = Number(option('rounds', '2'));
const EVENTS = Number(option('events', '5'));
/** How long the connections sit idle before the after-figures (the bench waits 3 s). */
const SETTLE_MS = Number(option('settle', '3000'));
const TOP = Number(option('top', '40'));
const SAMPLES = Number(option('samples', '0'));
/** Keeps the snapshots (moved into this folder) instead of deleting them. */
const KEEP = argv.includes('--keep') ? path.resolve(option('keep', '.')) : null;
/** Only diffs two kept snapshots: --diff before.heapsnapshot after.heapsnapshot (--n still divides). */
const DIFF = argv.includes('--diff') ? [option('diff', ''), argv[argv.indexOf('--diff') + 2] ?? ''] : null;
const SNAPSHOT = argv.includes('--snapshot');
/** Samples the server's allocations while connecting, counting what dies in the old generation. */
const ALLOCATIONS = argv.includes('--allocations');
const NO_FLOOR = argv.includes('--no-floor');
const BASE = argv.includes('--base') ? path.resolve(option('base', '')) : null;
const CLIENT_PROCS = 2;
/** Sockets each client process opens at once (the bench: 40). */
const CONCURRENCY = Number(option('concurrency', '40'));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (message: string) =>
  console.log(`[probe-memory ${new Date().toISOString().slice(11, 19)}] ${message}`);
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

interface Target {
  /** "ours", "base" or "trpc-floor". */
  name: string;
  /** The child's file, relative to ipc.ts. */
  file: string;
  env: Record<string, string>;
  trpc: boolean;
}

/** What a server child reports (the tRPC floor: rss alone). */
interface Stats {
  rss: number;
  heapUsed?: number;
  /** V8 heap pages committed, and of them resident. */
  heapTotal?: number;
  heapPhysical?: number;
  external?: number;
  arrayBuffers?: number;
  /** What V8 itself has malloc'ed outside its heap. */
  malloced?: number;
  /** Committed size of the young generation and of the old one (of heapTotal). */
  newSpace?: number;
  oldSpace?: number;
  /** Of the old generation: bytes in live objects, and free bytes on its pages. */
  oldUsed?: number;
  oldAvailable?: number;
}

interface Measure {
  target: string;
  round: number;
  rssBytes: number;
  heapBytes: number | null;
  /** The other Stats fields' deltas per connection. */
  detail: Partial<Record<keyof Stats, number>>;
  snapshot: HeapDiff | null;
}

/** As the bench does it: one `gc` call (three full collections, 50 ms apart), then the figures. */
async function gcStats(child: Child): Promise<Stats> {
  await child.call('gc');
  return child.call<Stats>('stats');
}

/**
 * A heap snapshot written by the child on SIGUSR2 (--heapsnapshot-signal) into its diagnostic dir.
 * V8 writes it on the child's main thread, so once the file is there an IPC answer means it is whole.
 */
async function snapshotOf(child: Child, dir: string): Promise<string> {
  const before = new Set(await readdir(dir));
  child.process.kill('SIGUSR2');
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`${child.name}: no heap snapshot within 120 s`);
    await sleep(100);
    const fresh = (await readdir(dir)).find((file) => file.endsWith('.heapsnapshot') && !before.has(file));
    if (!fresh) continue;
    await child.call('stats');
    const file = path.join(dir, fresh);
    let size = -1;
    for (;;) {
      const now = (await stat(file)).size;
      if (now === size) return file;
      size = now;
      await sleep(300);
    }
  }
}

async function round(
  target: Target,
  roundIndex: number,
  seeded: { customers: string[]; mechanics: string[] },
  db: BenchDatabase,
  takeSnapshot: boolean,
): Promise<Measure> {
  const diagnostics = await mkdtemp(path.join(tmpdir(), 'probe-memory-'));
  const nodeArgs = ['--expose-gc', '--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${diagnostics}`];
  const server = spawnChild(target.name, target.file, nodeArgs, {
    BENCH_DATABASE_URL: db.url,
    ...target.env,
  });
  const clients = Array.from({ length: CLIENT_PROCS }, (_, i) =>
    spawnChild(`clients-${i}`, 'clients-process.ts'),
  );
  const driver = target.trpc ? null : spawnChild('driver', 'driver-process.ts');
  try {
    await Promise.all([server.ready, driver?.ready, ...clients.map((c) => c.ready)]);
    const info = await server.call<{ url?: string; port: number }>('info');
    const httpUrl = info.url ?? `http://127.0.0.1:${info.port}`;
    const wsUrl = target.trpc ? `ws://127.0.0.1:${info.port}` : `${httpUrl.replace('http', 'ws')}/trpc`;
    const subscribe = async (group: string, tokens: string[]) => {
      const share = Math.ceil(tokens.length / CLIENT_PROCS);
      await Promise.all(
        clients.map((c, i) =>
          c.call('subscribe', {
            url: wsUrl,
            tokens: tokens.slice(i * share, (i + 1) * share),
            group,
            concurrency: CONCURRENCY,
          }),
        ),
      );
    };
    const tokens = (from: number, count: number) =>
      target.trpc ? Array(count).fill('none') : seeded.mechanics.slice(from, from + count);

    // Warm-up: the first subscribers and a few delivered events build whatever is built once.
    await subscribe('warm', tokens(0, WARM));
    if (driver) {
      await driver.call('init', { url: httpUrl, customers: seeded.customers, mechanics: seeded.mechanics });
      const booked = await driver.call<unknown[]>('book', { count: EVENTS });
      for (const one of booked) await driver.call('sign', { booked: one });
    } else {
      for (let i = 0; i < EVENTS; i++) await server.call('broadcast', { key: `warm-${i}`, payload: { i } });
    }
    await sleep(1500);

    const before = await gcStats(server);
    const snapshotBefore = takeSnapshot ? await snapshotOf(server, diagnostics) : null;
    if (snapshotBefore) await gcStats(server);
    log(`${target.name} round ${roundIndex}: connecting ${N} subscribers`);
    const sampling = ALLOCATIONS && !target.trpc && !takeSnapshot;
    if (sampling) await server.call('samplingStart');
    const t0 = Date.now();
    await subscribe('idle', tokens(WARM, N));
    const connectMs = Date.now() - t0;
    await sleep(SETTLE_MS);
    const after = await gcStats(server);
    if (sampling) {
      const summary = await server.call<{ ours: Row[]; innermost: Row[] }>('samplingStop');
      for (const [title, rows] of [
        ['by the innermost frame of ours', summary.ours],
        ['by the innermost frame', summary.innermost],
      ] as const) {
        console.log(
          `\n${target.name}: sampled bytes per connection, live or collected by a major GC, ${title}`,
        );
        for (const row of rows) console.log(`  ${(row.bytes / N).toFixed(0).padStart(10)}  ${row.key}`);
      }
    }
    const snapshotAfter = takeSnapshot ? await snapshotOf(server, diagnostics) : null;
    const detail: Measure['detail'] = {};
    for (const key of Object.keys(after) as (keyof Stats)[]) {
      const from = before[key];
      const to = after[key];
      if (typeof from === 'number' && typeof to === 'number') detail[key] = (to - from) / N;
    }
    const measure: Measure = {
      target: target.name,
      round: roundIndex,
      rssBytes: detail.rss ?? 0,
      heapBytes: detail.heapUsed ?? null,
      detail,
      snapshot: null,
    };
    const others = Object.entries(detail)
      .filter(([key]) => key !== 'rss' && key !== 'heapUsed')
      .map(([key, value]) => `${key} ${kib(value)}`)
      .join(', ');
    log(
      `${target.name} round ${roundIndex}: RSS ${kib(measure.rssBytes)}/connection` +
        (measure.heapBytes !== null ? `, heapUsed ${kib(measure.heapBytes)}/connection` : '') +
        (others ? ` (${others})` : '') +
        ` (connect ${Math.round((N * 1000) / connectMs)}/s)${takeSnapshot ? ' [snapshot round]' : ''}`,
    );
    if (snapshotBefore && snapshotAfter) {
      log(`${target.name}: reading heap snapshots`);
      measure.snapshot = diffSnapshots(await readSnapshot(snapshotBefore), await readSnapshot(snapshotAfter));
      for (const [file, when] of [
        [snapshotBefore, 'before'],
        [snapshotAfter, 'after'],
      ] as const) {
        if (KEEP) await rename(file, path.join(KEEP, `${target.name}-${roundIndex}-${when}.heapsnapshot`));
      }
    }
    await Promise.all(clients.map((c) => c.call('close', { group: 'idle' })));
    await Promise.all(clients.map((c) => c.call('close', { group: 'warm' })));
    return measure;
  } finally {
    if (!target.trpc) await server.call('stop').catch(() => {});
    for (const child of [server, driver, ...clients]) child?.process.kill();
    await Promise.all([server, driver, ...clients].map((child) => child?.exited));
    await rm(diagnostics, { recursive: true, force: true });
  }
}

// ---- Heap snapshots: the .heapsnapshot JSON, its two big arrays read as numbers, not as JSON ----

interface Snapshot {
  nodeFields: number;
  edgeFields: number;
  nodeTypes: string[];
  edgeTypes: string[];
  nodes: Uint32Array;
  edges: Uint32Array;
  strings: string[];
  /** Node offset → [script id, line, column] of a closure's source. */
  locations: Map<number, [number, number, number]>;
  /** Index of each node's first edge (node index, not offset), and one past the last. */
  firstEdge: Uint32Array;
  labels: Map<number, string>;
  scripts: Map<number, string>;
}

/** Reads the numbers of the JSON array that starts after `key` (`"nodes":[`) into a typed array. */
function numbersAfter(text: Buffer, key: string, from = 0): { values: Uint32Array; end: number } {
  const start = text.indexOf(key, from);
  if (start < 0) throw new Error(`heap snapshot without ${key}`);
  let values = new Uint32Array(1 << 20);
  let count = 0;
  let current = 0;
  let inNumber = false;
  let at = start + key.length;
  for (; at < text.length; at++) {
    const byte = text[at] as number;
    if (byte >= 48 && byte <= 57) {
      current = current * 10 + (byte - 48);
      inNumber = true;
      continue;
    }
    if (inNumber) {
      if (count === values.length) {
        const grown = new Uint32Array(values.length * 2);
        grown.set(values);
        values = grown;
      }
      values[count++] = current;
      current = 0;
      inNumber = false;
    }
    if (byte === 93) break; // ]
  }
  return { values: values.slice(0, count), end: at };
}

async function readSnapshot(file: string): Promise<Snapshot> {
  const chunks: Buffer[] = [];
  for await (const chunk of createReadStream(file)) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks);
  const nodesAt = text.indexOf('"nodes":[');
  const meta = JSON.parse(`${text.subarray(0, nodesAt).toString('utf8').replace(/,\s*$/, '')}}`) as {
    snapshot: {
      meta: { node_fields: string[]; edge_fields: string[]; node_types: [string[]]; edge_types: [string[]] };
    };
  };
  const nodes = numbersAfter(text, '"nodes":[', nodesAt);
  const edges = numbersAfter(text, '"edges":[', nodes.end);
  const locationsAt = text.indexOf('"locations":[', edges.end);
  const located =
    locationsAt >= 0 ? numbersAfter(text, '"locations":[', locationsAt).values : new Uint32Array();
  const locations = new Map<number, [number, number, number]>();
  for (let i = 0; i + 3 < located.length; i += 4) {
    locations.set(located[i] as number, [
      located[i + 1] as number,
      located[i + 2] as number,
      located[i + 3] as number,
    ]);
  }
  const stringsAt = text.indexOf('"strings":[', edges.end);
  const tail = text.subarray(stringsAt + '"strings":'.length).toString('utf8');
  const strings = JSON.parse(tail.slice(0, tail.lastIndexOf(']') + 1)) as string[];
  const m = meta.snapshot.meta;
  const nodeFields = m.node_fields.length;
  const count = nodes.values.length / nodeFields;
  const firstEdge = new Uint32Array(count + 1);
  for (let i = 0; i < count; i++)
    firstEdge[i + 1] = (firstEdge[i] as number) + (nodes.values[i * nodeFields + EDGES] as number);
  return {
    nodeFields,
    edgeFields: m.edge_fields.length,
    nodeTypes: m.node_types[0],
    edgeTypes: m.edge_types[0],
    nodes: nodes.values,
    edges: edges.values,
    strings,
    locations,
    firstEdge,
    labels: new Map(),
    scripts: new Map(),
  };
}

/** The node (offset) that `node`'s edge called `name` points to, or -1. */
function child(s: Snapshot, node: number, name: string): number {
  const index = node / s.nodeFields;
  for (let e = s.firstEdge[index] as number; e < (s.firstEdge[index + 1] as number); e++) {
    const offset = e * s.edgeFields;
    const type = s.edgeTypes[s.edges[offset] as number];
    if (type === 'element' || type === 'hidden') continue;
    if (s.strings[s.edges[offset + 1] as number] === name) return s.edges[offset + 2] as number;
  }
  return -1;
}

function nameOf(s: Snapshot, node: number): string {
  return s.strings[s.nodes[node + NAME] as number] ?? '';
}

/**
 * A closure by its function name and source line. Under tsx (esbuild's keepNames) a named arrow
 * function is wrapped in `__name(fn, "x")`, so V8 sees it as anonymous: its name is then read from
 * the `name` property that the wrapper defined.
 */
function closureLabel(s: Snapshot, node: number): string {
  let name = nameOf(s, node);
  if (!name) {
    const properties = child(s, node, 'properties');
    if (properties >= 0) {
      const index = properties / s.nodeFields;
      for (let e = s.firstEdge[index] as number; e < (s.firstEdge[index + 1] as number); e++) {
        const to = s.edges[e * s.edgeFields + 2] as number;
        const value = nameOf(s, to);
        if (
          s.nodeTypes[s.nodes[to + TYPE] as number] === 'string' &&
          !['name', 'length', 'prototype'].includes(value)
        ) {
          name = `${value}*`;
          break;
        }
      }
    }
  }
  const location = s.locations.get(node);
  if (!location) return `closure ${name || '(anonymous)'}`;
  const [scriptId, line, column] = location;
  let script = s.scripts.get(scriptId);
  if (script === undefined) {
    const shared = child(s, node, 'shared');
    let source = shared >= 0 ? child(s, shared, 'script') : -1;
    if (source < 0 && shared >= 0) source = child(s, shared, 'script_or_debug_info');
    const named = source >= 0 ? child(s, source, 'name') : -1;
    script = named >= 0 ? nameOf(s, named).split('/').slice(-2).join('/') : `script ${scriptId}`;
    s.scripts.set(scriptId, script);
  }
  return `closure ${name || '(anonymous)'} ${script}:${line + 1}:${column + 1}`;
}

// Node fields: type, name, id, self_size, edge_count, ...; edge fields: type, name_or_index, to_node.
const TYPE = 0;
const NAME = 1;
const ID = 2;
const SELF = 3;
const EDGES = 4;

/** What objects are grouped by: constructor name for objects, function name for closures. */
function keyOf(s: Snapshot, node: number): string {
  const type = s.nodeTypes[s.nodes[node + TYPE] as number] ?? '?';
  const name = s.strings[s.nodes[node + NAME] as number] ?? '';
  switch (type) {
    case 'string':
    case 'concatenated string':
    case 'sliced string':
    case 'number':
    case 'bigint':
    case 'code':
      return `(${type})`;
    case 'closure': {
      let label = s.labels.get(node);
      if (label === undefined) {
        label = closureLabel(s, node);
        s.labels.set(node, label);
      }
      return label;
    }
    case 'object':
      return name;
    default:
      return `(${type}) ${name.length > 60 ? `${name.slice(0, 57)}...` : name}`;
  }
}

interface Row {
  key: string;
  count: number;
  bytes: number;
}

interface Totals {
  byKey: Map<string, Row>;
  bytes: number;
  ids: Set<number>;
}

function totalsOf(s: Snapshot): Totals {
  const byKey = new Map<string, Row>();
  const ids = new Set<number>();
  let bytes = 0;
  for (let node = 0; node < s.nodes.length; node += s.nodeFields) {
    const key = keyOf(s, node);
    const size = s.nodes[node + SELF] as number;
    let row = byKey.get(key);
    if (!row) {
      row = { key, count: 0, bytes: 0 };
      byKey.set(key, row);
    }
    row.count += 1;
    row.bytes += size;
    bytes += size;
    ids.add(s.nodes[node + ID] as number);
  }
  return { byKey, bytes, ids };
}

/**
 * The retaining edge of every node on one shortest path from the root (breadth first, weak edges
 * skipped): for a new object, what holds it ("Context.transport", "closure send / context").
 */
function retainersOf(s: Snapshot): { parent: Int32Array; edge: Int32Array } {
  const count = s.nodes.length / s.nodeFields;
  const firstEdge = s.firstEdge;
  const parent = new Int32Array(count).fill(-1);
  const edge = new Int32Array(count).fill(-1);
  const weak = s.edgeTypes.indexOf('weak');
  const queue = new Int32Array(count);
  let head = 0;
  let tail = 0;
  queue[tail++] = 0;
  parent[0] = 0;
  while (head < tail) {
    const at = queue[head++] as number;
    for (let e = firstEdge[at] as number; e < (firstEdge[at + 1] as number); e++) {
      const offset = e * s.edgeFields;
      if (s.edges[offset] === weak) continue;
      const to = (s.edges[offset + 2] as number) / s.nodeFields;
      if (parent[to] !== -1) continue;
      parent[to] = at;
      edge[to] = offset;
      queue[tail++] = to;
    }
  }
  return { parent, edge };
}

function edgeName(s: Snapshot, offset: number): string {
  const type = s.edgeTypes[s.edges[offset] as number];
  const nameOrIndex = s.edges[offset + 1] as number;
  if (type === 'element' || type === 'hidden') return `[${nameOrIndex}]`;
  return s.strings[nameOrIndex] ?? '?';
}

interface Sample {
  node: number;
  path: string;
  edges: string;
  referrers: string[];
}

interface HeapDiff {
  bytes: number;
  rows: Row[];
  /** New objects' bytes by what holds them: "holder key .edge → key". */
  holders: Row[];
  /** For the top holder rows: one object's path from the root, and its own edges. */
  samples: Map<string, Sample>;
  /** New shapes (hidden classes) by the kind of object that has them. */
  shapes: Row[];
}

/** The last steps of `node`'s path from the root: `Key .edge Key .edge … Key`. */
function pathOf(s: Snapshot, retainers: { parent: Int32Array; edge: Int32Array }, index: number): string {
  const steps: string[] = [];
  let at = index;
  for (let depth = 0; depth < 14 && at !== 0 && (retainers.parent[at] as number) >= 0; depth++) {
    steps.unshift(`${keyOf(s, at * s.nodeFields)}`);
    steps.unshift(`.${edgeName(s, retainers.edge[at] as number)}`);
    at = retainers.parent[at] as number;
  }
  if (at !== 0) steps.unshift('…');
  return steps.join(' ');
}

function edgesOf(s: Snapshot, index: number, firstEdge: Uint32Array): string {
  const names: string[] = [];
  for (let e = firstEdge[index] as number; e < (firstEdge[index + 1] as number) && names.length < 24; e++) {
    const offset = e * s.edgeFields;
    const to = (s.edges[offset + 2] as number) / s.nodeFields;
    names.push(`${edgeName(s, offset)}=${keyOf(s, to * s.nodeFields)}`);
  }
  return names.join(', ');
}

function diffSnapshots(before: Snapshot, after: Snapshot): HeapDiff {
  const a = totalsOf(before);
  const b = totalsOf(after);
  const rows: Row[] = [];
  for (const [key, row] of b.byKey) {
    const old = a.byKey.get(key);
    rows.push({ key, count: row.count - (old?.count ?? 0), bytes: row.bytes - (old?.bytes ?? 0) });
  }
  for (const [key, row] of a.byKey)
    if (!b.byKey.has(key)) rows.push({ key, count: -row.count, bytes: -row.bytes });
  rows.sort((x, y) => y.bytes - x.bytes);
  const firstEdge = after.firstEdge;
  const retainers = retainersOf(after);
  const { parent, edge } = retainers;
  const holders = new Map<string, Row>();
  const sampleOf = new Map<string, number>();
  for (let node = 0; node < after.nodes.length; node += after.nodeFields) {
    if (a.ids.has(after.nodes[node + ID] as number)) continue;
    const index = node / after.nodeFields;
    const up = parent[index] as number;
    const via =
      up >= 0 && index !== 0
        ? `${keyOf(after, up * after.nodeFields)} .${edgeName(after, edge[index] as number)}`
        : '(unreachable)';
    const key = `${via} → ${keyOf(after, node)}`;
    let row = holders.get(key);
    if (!row) {
      row = { key, count: 0, bytes: 0 };
      holders.set(key, row);
      sampleOf.set(key, index);
    }
    row.count += 1;
    row.bytes += after.nodes[node + SELF] as number;
  }
  const sorted = [...holders.values()].sort((x, y) => y.bytes - x.bytes);
  const samples = new Map<string, Sample>();
  for (const row of sorted.slice(0, SAMPLES)) {
    const index = sampleOf.get(row.key) as number;
    samples.set(row.key, {
      node: index * after.nodeFields,
      path: pathOf(after, retainers, index),
      edges: edgesOf(after, index, firstEdge),
      referrers: [],
    });
  }
  // New hidden classes (shapes) by the objects that have them: an object that gets a shape of its
  // own per connection (a prototype, a dictionary turned fast again) costs its shape as well.
  const shapeUsers = new Map<number, number>();
  const mapType = after.nodeTypes.indexOf('object shape');
  for (let node = 0; node < after.nodes.length; node += after.nodeFields) {
    const index = node / after.nodeFields;
    for (let e = firstEdge[index] as number; e < (firstEdge[index + 1] as number); e++) {
      const offset = e * after.edgeFields;
      const to = after.edges[offset + 2] as number;
      if (after.nodes[to + TYPE] !== mapType || a.ids.has(after.nodes[to + ID] as number)) continue;
      if (edgeName(after, offset) !== 'map') continue;
      if (!shapeUsers.has(to)) shapeUsers.set(to, node);
    }
  }
  const shapes = new Map<string, Row>();
  for (const [shape, userNode] of shapeUsers) {
    const user = keyOf(after, userNode);
    let row = shapes.get(user);
    if (!row) {
      row = { key: user, count: 0, bytes: 0 };
      shapes.set(user, row);
      const index = userNode / after.nodeFields;
      samples.set(`shape of ${user}`, {
        node: userNode,
        path: pathOf(after, retainers, index),
        edges: `${edgesOf(after, index, firstEdge)}\n    shape: ${edgesOf(after, shape / after.nodeFields, firstEdge)}`,
        referrers: [],
      });
    }
    row.count += 1;
    // The shape and what hangs off it alone (descriptors, enum cache): its first path's subtree.
    row.bytes += after.nodes[shape + SELF] as number;
    const index = shape / after.nodeFields;
    for (let e = firstEdge[index] as number; e < (firstEdge[index + 1] as number); e++) {
      const to = after.edges[e * after.edgeFields + 2] as number;
      if (parent[to / after.nodeFields] === index) row.bytes += after.nodes[to + SELF] as number;
    }
  }
  // Every edge into each sampled object (its retainers beyond the first path).
  const sampled = new Map<number, string[]>();
  for (const sample of samples.values()) sampled.set(sample.node, sample.referrers);
  for (let node = 0; node < after.nodes.length; node += after.nodeFields) {
    const index = node / after.nodeFields;
    for (let e = firstEdge[index] as number; e < (firstEdge[index + 1] as number); e++) {
      const offset = e * after.edgeFields;
      const list = sampled.get(after.edges[offset + 2] as number);
      if (list && list.length < 12) list.push(`${keyOf(after, node)} .${edgeName(after, offset)}`);
    }
  }
  return {
    bytes: b.bytes - a.bytes,
    rows,
    holders: sorted,
    samples,
    shapes: [...shapes.values()].sort((x, y) => y.bytes - x.bytes),
  };
}

function printDiff(name: string, diff: HeapDiff): void {
  console.log(`\n${name}: heap snapshot diff, ${kib(diff.bytes / N)} per connection (self sizes)`);
  console.log('  bytes/conn  objects/conn  constructor / closure');
  for (const row of diff.rows.slice(0, TOP)) {
    console.log(
      `  ${(row.bytes / N).toFixed(0).padStart(10)}  ${(row.count / N).toFixed(2).padStart(12)}  ${row.key}`,
    );
  }
  console.log(`\n${name}: new objects by what retains them (first path from the root)`);
  console.log('  bytes/conn  objects/conn  holder .edge → object');
  for (const row of diff.holders.slice(0, TOP)) {
    console.log(
      `  ${(row.bytes / N).toFixed(0).padStart(10)}  ${(row.count / N).toFixed(2).padStart(12)}  ${row.key}`,
    );
  }
  console.log(`\n${name}: new hidden classes by the objects that have them (shape, descriptors, enum cache)`);
  console.log('  bytes/conn   shapes/conn  object');
  for (const row of diff.shapes.slice(0, 15)) {
    console.log(
      `  ${(row.bytes / N).toFixed(0).padStart(10)}  ${(row.count / N).toFixed(2).padStart(12)}  ${row.key}`,
    );
  }
  if (SAMPLES === 0) return;
  console.log(`\n${name}: one object of each of the top ${SAMPLES} rows above, its path and its edges`);
  for (const [key, sample] of diff.samples) {
    console.log(
      `  ${key}\n    path:  ${sample.path}\n    edges: ${sample.edges}\n    retained by: ${sample.referrers.join(', ')}`,
    );
  }
}

// ---- The run ----

const here = path.dirname(fileURLToPath(import.meta.url));
const targets: Target[] = [
  {
    name: 'ours',
    file: 'probe-memory.ts',
    env: { PROBE_MEMORY_SERVER: path.resolve(here, '../../..') },
    trpc: false,
  },
  ...(BASE
    ? [{ name: 'base', file: 'probe-memory.ts', env: { PROBE_MEMORY_SERVER: BASE }, trpc: false }]
    : []),
  ...(NO_FLOOR ? [] : [{ name: 'trpc-floor', file: 'floor-trpc-process.ts', env: {}, trpc: true }]),
];

/**
 * The server child: server-process.ts's server (the real startServer, no SPAs, warn-level logs),
 * from the checkout at `root` (this one, or --base), reporting where its memory is as well.
 */
interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

/**
 * A sampling heap profile by allocation site: each sample's bytes go to the innermost frame of
 * this repository's own code on its stack (what in our code asked for it), and to the innermost
 * frame as well.
 */
function summariseSampling(head: SamplingNode): { ours: Row[]; innermost: Row[] } {
  const ours = new Map<string, Row>();
  const innermost = new Map<string, Row>();
  const add = (map: Map<string, Row>, key: string, bytes: number) => {
    const row = map.get(key) ?? { key, count: 0, bytes: 0 };
    row.count += 1;
    row.bytes += bytes;
    map.set(key, row);
  };
  const frameOf = (node: SamplingNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    return `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
  };
  const walk = (node: SamplingNode, mine: string | null) => {
    const url = node.callFrame.url;
    const own = url.includes('/src/') && !url.includes('node_modules') ? frameOf(node) : mine;
    if (node.selfSize > 0) {
      add(ours, own ?? '(no frame of ours)', node.selfSize);
      add(innermost, frameOf(node), node.selfSize);
    }
    for (const child of node.children) walk(child, own);
  };
  walk(head, null);
  const sorted = (map: Map<string, Row>) => [...map.values()].sort((a, b) => b.bytes - a.bytes).slice(0, TOP);
  return { ours: sorted(ours), innermost: sorted(innermost) };
}

async function serveServer(root: string): Promise<void> {
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  if (!databaseUrl) throw new Error('BENCH_DATABASE_URL is required');
  const from = (file: string) => pathToFileURL(path.join(root, file)).href;
  const { loadEnv } = (await import(from('apps/server/src/env.ts'))) as typeof import('@dispatch/server/env');
  const { startServer } = (await import(
    from('apps/server/src/server.ts')
  )) as typeof import('@dispatch/server/server');
  const env = loadEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    SERVE_APPS: 'false',
    SEED_DEMO_DATA: 'false',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  });
  const server = await startServer({ env, databaseUrl, log: pino({ level: 'warn' }) });
  const inspector = new Session();
  inspector.connect();
  serve({
    info: () => ({ url: server.url, port: server.port, pid: process.pid }),
    stats: (): Stats => {
      const spaces = getHeapSpaceStatistics();
      const spaceSize = (name: string) => spaces.find((space) => space.space_name === name)?.space_size ?? 0;
      const old = spaces.find((space) => space.space_name === 'old_space');
      const memory = process.memoryUsage();
      const heap = getHeapStatistics();
      return {
        rss: memory.rss,
        heapUsed: memory.heapUsed,
        heapTotal: memory.heapTotal,
        heapPhysical: heap.total_physical_size,
        external: memory.external,
        arrayBuffers: memory.arrayBuffers,
        malloced: heap.malloced_memory,
        newSpace: spaceSize('new_space'),
        oldSpace: spaceSize('old_space'),
        oldUsed: old?.space_used_size ?? 0,
        oldAvailable: old?.space_available_size ?? 0,
      };
    },
    ...processHandlers,
    /** Samples allocations from here on, counting what a major GC collects as well (--allocations). */
    samplingStart: () =>
      inspector.post('HeapProfiler.startSampling', {
        samplingInterval: 4096,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: false,
      }),
    /** Bytes sampled by the innermost frame in this repository (or else the innermost frame). */
    samplingStop: async () => {
      const { profile } = (await inspector.post('HeapProfiler.stopSampling')) as {
        profile: { head: SamplingNode };
      };
      return summariseSampling(profile.head);
    },
    stop: async () => {
      await server.close();
      setTimeout(() => process.exit(0), 10);
      return true;
    },
  });
  process.send?.({ ready: true });
}

const serverRoot = process.env.PROBE_MEMORY_SERVER;
if (serverRoot) {
  await serveServer(serverRoot);
} else if (DIFF) {
  printDiff(
    path.basename(DIFF[1] as string),
    diffSnapshots(await readSnapshot(DIFF[0] as string), await readSnapshot(DIFF[1] as string)),
  );
} else {
  await main();
}

async function main(): Promise<void> {
  if (KEEP) await mkdir(KEEP, { recursive: true });
  const db = await startBenchDatabase();
  try {
    if (BASE) await stat(path.join(BASE, 'apps/server/src/server.ts'));
    const seeded = await seedUsers(db.url, { customers: 50, mechanics: WARM + N });
    const results: Measure[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate the order so neither side always runs first.
      const order = r % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) results.push(await round(target, r, seeded, db, false));
    }
    // Writing a snapshot grows the process by more than the connections do: its own rounds, not counted.
    const snapshots: Measure[] = [];
    if (SNAPSHOT) for (const target of targets) snapshots.push(await round(target, ROUNDS, seeded, db, true));
    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    console.log(`\nper idle subscriber, N=${N} added to ${WARM} warm, ${ROUNDS} rounds alternating:`);
    for (const target of targets) {
      const mine = results.filter((m) => m.target === target.name);
      const rss = mine.map((m) => kib(m.rssBytes)).join(' / ');
      const heaps = mine.flatMap((m) => (m.heapBytes === null ? [] : [m.heapBytes]));
      const heap = heaps.length
        ? `   heapUsed ${heaps.map(kib).join(' / ')} (median ${kib(median(heaps))})`
        : '';
      console.log(
        `  ${target.name.padEnd(10)} RSS ${rss} (median ${kib(median(mine.map((m) => m.rssBytes)))})${heap}`,
      );
    }
    for (const m of snapshots) if (m.snapshot) printDiff(m.target, m.snapshot);
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  } finally {
    killChildren();
    await db.stop();
  }
}
