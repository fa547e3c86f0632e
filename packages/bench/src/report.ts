import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
// BENCHMARKS.md and the latency chart, generated from one run's results.
import { fmt, type Summary, summarise } from './stats.ts';

/** One size's latency samples (ms) by kind, and CPU µs per delivery in each sending process. */
interface DeliveryRow {
  size: number;
  events: number;
  ours: number[];
  floor: number[];
  trpcFloor: number[];
  /** The Socket.IO peer (absent in runs from before it existed). */
  peer?: number[];
  missed: number;
  connectMs: number;
  /** CPU µs per delivery in each sending process (ours includes the sign mutations). */
  cpuUs: { ours: number; bare: number; trpc: number; peer?: number };
  /** Load generators' CPU µs per message received: raw ws (ours and two floors), socket.io-client. */
  clientCpuUs?: { ws: number; peer: number };
}

interface FlowStep {
  rate: number;
  result: {
    started: number;
    completed: number;
    errors: Record<string, number>;
    wallMs: number;
    latencies: Record<'create' | 'sign' | 'accept', number[]>;
  };
  cpu: {
    /** Summed over every server process (the cluster primary and its workers). */
    serverMsPerMutation: number;
    serverSystemShare: number;
    postgresMsPerMutation: number;
    wallMs: number;
  };
}

/** A Socket.IO client's reconnect after missing events (times from calling connect()). */
interface PeerResumeRun {
  recovered: boolean;
  count: number;
  unique: number;
  ordered: boolean;
  connectMs: number;
  firstMs: number;
  lastMs: number;
}

export interface Results {
  quick: boolean;
  profile: boolean;
  started: string;
  finished: string;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    node: string;
    platform: string;
    loadBefore: number[];
    loadAfter: number[];
    othersBefore?: string[];
    othersAfter?: string[];
    postgres: string;
    fdLimit: string;
  };
  command: string;
  pg: {
    latency: number[];
    commitRates: Record<
      'plain' | 'notify' | 'coalesced' | 'eventsUnordered' | 'eventsOrdered',
      { commitsPerSecond: number; p99Ms: number; notifies: number }
    >;
  };
  delivery: DeliveryRow[];
  memory: {
    connections: number;
    added: number;
    serverRssBefore: number;
    serverRssAfter: number;
    perConnectionBytes: number;
    heapPerConnectionBytes: number;
    floorPerConnectionBytes: number;
    trpcPerConnectionBytes: number;
    peerPerConnectionBytes?: number;
    idleCpuCores: number;
    floorIdleCpuCores: number;
    peerIdleCpuCores?: number;
    idleWindowMs: number;
    connectPerSecond: number;
    peerConnectPerSecond?: number;
  } | null;
  fanout: {
    rate: number;
    events: number;
    subscribers: number;
    delivered: number;
    expected: number;
    seconds: number;
    latencies: number[];
    signErrors: number;
    serverUsPerDelivery: number;
    serverCores: number;
    /** The bare-ws floor's latencies for as many messages at the same rate to as many clients (absent in older raw files). */
    floorLatencies?: number[];
  }[];
  flows: FlowStep[];
  /** The write path's framework floors at the (d) steps' call rates (absent in older raw files). */
  writeFloors?: {
    kind: 'trpc' | 'bare';
    flowRate: number;
    callsPerSecond: number;
    cpuMsPerCall: number;
    latencies: number[];
    errors: number;
  }[];
  statements: { mutations: number; total: number; top: { query: string; calls: number; meanMs: number }[] };
  contention: {
    assignmentId: string;
    results: { ok: boolean; code: string; ms: number }[];
    spreadMs: number;
    acceptEvents: number;
    status: string;
  }[];
  resume: {
    missed: number;
    runs: {
      count: number;
      unique: number;
      ordered: boolean;
      openMs: number;
      startedMs: number;
      firstMs: number;
      lastMs: number;
      subscribeToLastMs: number;
    }[];
    /** The same case for Socket.IO's connection-state recovery. */
    peer?: {
      windowMs: number;
      shortWindowMs: number;
      runs: PeerResumeRun[];
      /** Back after its (short) window had passed. */
      expired: PeerResumeRun | null;
    };
  };
  /** (a) at 1,000 and (d) again with SERVER_PROCESSES=2 (cluster primary and two workers). */
  twoProcesses?: {
    processes: number;
    workerPids: number;
    delivery: DeliveryRow;
    flows: FlowStep[];
  } | null;
}

const pass = (ok: boolean) => (ok ? '✅ met' : '❌ missed');
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

/** Hand-written analysis (profiles, proposed fixes) appended after the generated tables. */
const findingsFile = fileURLToPath(new URL('../FINDINGS.md', import.meta.url));
const findings = existsSync(findingsFile) ? readFileSync(findingsFile, 'utf8') : '';

export function renderReport(r: Results, chartPath: string): { markdown: string; svg: string } {
  const pgSummary = summarise(r.pg.latency);
  const lines: string[] = [];
  const push = (...more: string[]) => lines.push(...more);
  const mid = r.delivery.find((d) => d.size === 1000) ?? r.delivery.at(-1);

  push(
    '# Benchmarks',
    '',
    '<!-- Generated by `pnpm bench` (packages/bench). Do not edit by hand: re-run it. -->',
    '',
    `Run ${r.started} → ${r.finished} with \`${r.command}\`${r.quick ? ' (quick smoke mode: small sizes, not comparable)' : ''}.`,
    '',
    `Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB.toFixed(1)} GiB RAM, ${r.machine.platform}, ` +
      `Node ${r.machine.node}, PostgreSQL ${r.machine.postgres} (embedded, fsync on, track_commit_timestamp on), ` +
      `ulimit -n ${r.machine.fdLimit}. Load average before ${r.machine.loadBefore.map((l) => l.toFixed(2)).join(' / ')}, ` +
      `after ${r.machine.loadAfter.map((l) => l.toFixed(2)).join(' / ')}. ` +
      (r.machine.othersBefore
        ? `Other workloads running at the start: ${r.machine.othersBefore.join(', ') || 'none seen'}; at the end: ` +
          `${r.machine.othersAfter?.join(', ') || 'none seen'}. `
        : '') +
      'The machine is shared and noisy; compare the ratios, which were measured side by side in this run.',
    '',
    'Processes: PostgreSQL; the server under test (`startServer` from `@dispatch/server`, one process, no SPAs); ' +
      'a bare `ws` broadcast server (the floor); two subscriber load generators holding the WebSockets (raw tRPC ws ' +
      'protocol, `queue.onChange`, one session cookie per mechanic); one mutation driver (typed `@trpc/client` over HTTP, ' +
      'one session cookie per user); a Socket.IO server (the peer, connection-state recovery on) and two more load ' +
      'generators holding its socket.io-client connections. All mechanics are virtual-only and every request is a ' +
      'video session, so every connected mechanic is eligible for every request. Everything shares the same cores.',
    '',
    "**Latency clock.** An event's start is its **commit time** as PostgreSQL records it (`track_commit_timestamp`, " +
      "`pg_xact_commit_timestamp(xmin)` of the `assignment_events` row); its end is the wall-clock time the subscriber's " +
      "process handled the WebSocket message. Both are this machine's clock. For the bare-ws floor the start is the moment " +
      'its broadcast loop began; for the PostgreSQL floor it is the commit time of a transaction that inserted a row and ' +
      'called `pg_notify`, and the end is when a LISTENing client got the notification.',
    '',
    '## Targets',
    '',
    row(['', 'target', 'measured', '']),
    row(['---', '---', '---', '---']),
  );
  if (mid) {
    const s = summarise(mid.ours);
    const f = summarise(mid.floor);
    push(
      row([`(a) p50 at ${mid.size} mechanics`, '≤ 10 ms', `${fmt(s.p50)} ms`, pass(s.p50 <= 10)]),
      row([`(a) p99 at ${mid.size} mechanics`, '≤ 50 ms', `${fmt(s.p99)} ms`, pass(s.p99 <= 50)]),
      row([
        `(a) p99 vs bare-ws floor at ${mid.size}`,
        '≤ 2×',
        `${fmt(s.p99 / f.p99, 2)}× (${fmt(s.p99)} / ${fmt(f.p99)} ms)`,
        pass(s.p99 / f.p99 <= 2),
      ]),
      row([
        `(a) CPU per delivery vs bare ws at ${mid.size}`,
        '≤ 1.5×',
        `${fmt(mid.cpuUs.ours / mid.cpuUs.bare, 2)}× (${fmt(mid.cpuUs.ours)} / ${fmt(mid.cpuUs.bare)} µs, ours incl. the mutations)`,
        pass(mid.cpuUs.ours / mid.cpuUs.bare <= 1.5),
      ]),
    );
  }
  const bestFan = [...r.fanout].sort((a, b) => b.delivered / b.seconds - a.delivered / a.seconds)[0];
  // The issue's bar: p99 within 1.5× the bare-ws floor's p99 at the same rate (older raw files,
  // without the floor at the same rate, are judged by p99 ≤ 200 ms, the bar they were run against).
  const floorP99Of = (f: Results['fanout'][number]) =>
    f.floorLatencies?.length ? summarise(f.floorLatencies).p99 : null;
  const fanMeetsLatency = (f: Results['fanout'][number]) => {
    const p99 = summarise(f.latencies).p99;
    const floorP99 = floorP99Of(f);
    return floorP99 === null ? p99 <= 200 : p99 <= 1.5 * floorP99;
  };
  const fanPassing = r.fanout.filter(
    (f) => fanMeetsLatency(f) && f.delivered >= f.expected && f.delivered / f.seconds >= 25_000,
  );
  const bestFanPassing = [...fanPassing].sort((a, b) => b.delivered / b.seconds - a.delivered / a.seconds)[0];
  if (bestFan) {
    const chosen = bestFanPassing ?? bestFan;
    const rate = chosen.delivered / chosen.seconds;
    const p99 = summarise(chosen.latencies).p99;
    const floorP99 = floorP99Of(chosen);
    push(
      row([
        `(c) deliveries/s at ${chosen.subscribers.toLocaleString('en-US')} subscribers, p99`,
        floorP99 === null
          ? '≥ 25,000/s at p99 ≤ 200 ms'
          : '≥ 25,000/s at p99 ≤ 1.5× bare ws at the same rate',
        floorP99 === null
          ? `${fmt(rate)}/s at p99 ${fmt(p99)} ms (${chosen.rate} events/s)`
          : `${fmt(rate)}/s at p99 ${fmt(p99)} ms, ${fmt(p99 / floorP99, 2)}× bare ws's ${fmt(floorP99)} ms (${chosen.rate} events/s)`,
        pass(rate >= 25_000 && fanMeetsLatency(chosen)),
      ]),
    );
  }
  const flowRows = r.flows.map((f) => {
    const all = [...f.result.latencies.create, ...f.result.latencies.sign, ...f.result.latencies.accept];
    return { f, s: summarise(all), achieved: (f.result.completed * 1000) / f.result.wallMs };
  });
  const sustained = flowRows.filter(
    (x) => x.s.p99 <= 50 && x.f.result.completed >= 0.95 * x.f.result.started && x.achieved >= 0.9 * x.f.rate,
  );
  const bestFlow = sustained.sort((a, b) => b.achieved - a.achieved)[0];
  push(
    row([
      '(d) full flows/s with p99 mutation ≤ 50 ms',
      '≥ 500/s',
      bestFlow ? `${fmt(bestFlow.achieved)}/s (p99 ${fmt(bestFlow.s.p99)} ms)` : 'no step met p99 ≤ 50 ms',
      pass((bestFlow?.achieved ?? 0) >= 500),
    ]),
  );
  // CPU per mutation where it is least diluted by idle time and least inflated by overload: the
  // step with the lowest server CPU per mutation among those that completed what was offered.
  const cheapest = [...flowRows]
    .filter((x) => x.f.result.completed >= 0.95 * x.f.result.started)
    .sort((a, b) => a.f.cpu.serverMsPerMutation - b.f.cpu.serverMsPerMutation)[0];
  if (cheapest) {
    push(
      row([
        '(d) server CPU per mutation',
        '≤ 0.5 ms',
        `${fmt(cheapest.f.cpu.serverMsPerMutation, 2)} ms (at ${cheapest.f.rate} flows/s)`,
        pass(cheapest.f.cpu.serverMsPerMutation <= 0.5),
      ]),
      row([
        '(d) PostgreSQL CPU per mutation',
        '≤ 0.5 ms',
        `${fmt(cheapest.f.cpu.postgresMsPerMutation, 2)} ms (at ${cheapest.f.rate} flows/s)`,
        pass(cheapest.f.cpu.postgresMsPerMutation <= 0.5),
      ]),
    );
  }
  const winnersOk = r.contention.every(
    (c) => c.results.filter((x) => x.ok).length === 1 && c.acceptEvents === 1,
  );
  const contentionLat = summarise(r.contention.flatMap((c) => c.results.map((x) => x.ms)));
  push(
    row([
      '(e) 100 simultaneous accepts',
      'exactly one winner',
      `${r.contention.map((c) => c.results.filter((x) => x.ok).length).join(', ')} winner(s) in ${r.contention.length} rounds; p99 ${fmt(contentionLat.p99)} ms`,
      pass(winnersOk),
    ]),
  );
  if (r.memory) {
    push(
      row([
        `(f) memory per idle subscriber at ${r.memory.connections.toLocaleString('en-US')}`,
        '≤ 15 KiB',
        `${fmt(r.memory.perConnectionBytes / 1024)} KiB`,
        pass(r.memory.perConnectionBytes <= 15 * 1024),
      ]),
      row([
        `(f) idle CPU at ${r.memory.connections.toLocaleString('en-US')}`,
        '(report)',
        `${fmt(r.memory.idleCpuCores * 100, 2)} % of a core`,
        '',
      ]),
    );
  }
  const resumeSummary = summarise(r.resume.runs.map((x) => x.lastMs));
  const resumeOk = r.resume.runs.every(
    (x) => x.count === r.resume.missed && x.unique === x.count && x.ordered,
  );
  push(
    row([
      `(g) resume after missing ${r.resume.missed.toLocaleString('en-US')} events`,
      'median ≤ 25 ms, all once and in order',
      `median ${fmt(resumeSummary.p50)} ms, max ${fmt(resumeSummary.max)} ms (${resumeOk ? 'all once, in order' : 'GAP OR DUPLICATE'})`,
      pass(resumeSummary.p50 <= 25 && resumeOk),
    ]),
    '',
    '## (a) Notification latency and (b) its floors',
    '',
    `From the commit of \`waiver.sign\` to receipt at every connected mechanic's \`queue.onChange\`. Each event was followed ` +
      'by the same message (a captured `queue.onChange` frame) broadcast by the bare `ws` server to the same number of ' +
      'clients, and by the same payload yielded as `tracked(id, payload)` by a minimal tRPC ws server (same adapter and ' +
      'keep-alive, no database, no auth, no filter: the framework alone) to the same number of subscribers, so all three ' +
      'were measured alternately under the same load.',
    '',
    `![Latency distribution](${chartPath})`,
    '',
    row([
      'mechanics',
      'events',
      'deliveries',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'max ms',
      'bare-ws p50 / p99 / max',
      'tRPC-alone p50 / p99 / max',
      'p99 ÷ bare-ws p99',
      'p99 ÷ tRPC-alone p99',
      'p50 ÷ PG floor p50',
      'missing',
    ]),
    row(Array(13).fill('---')),
  );
  for (const d of r.delivery) {
    const s = summarise(d.ours);
    const f = summarise(d.floor);
    const tf = summarise(d.trpcFloor);
    push(
      row([
        d.size.toLocaleString('en-US'),
        d.events,
        s.n.toLocaleString('en-US'),
        fmt(s.p50),
        fmt(s.p95),
        fmt(s.p99),
        fmt(s.max),
        `${fmt(f.p50)} / ${fmt(f.p99)} / ${fmt(f.max)}`,
        `${fmt(tf.p50)} / ${fmt(tf.p99)} / ${fmt(tf.max)}`,
        `${fmt(s.p99 / f.p99, 2)}×`,
        `${fmt(s.p99 / tf.p99, 2)}×`,
        `${fmt(s.p50 / pgSummary.p50, 2)}×`,
        d.missed,
      ]),
    );
  }
  push(
    '',
    'CPU per delivery in the sending process (µs; ours includes the `waiver.sign` mutations themselves):',
    '',
    row(['mechanics', 'ours', 'tRPC alone', 'bare ws', 'ours ÷ bare ws']),
    row(Array(5).fill('---')),
    ...r.delivery.map((d) =>
      row([
        d.size.toLocaleString('en-US'),
        fmt(d.cpuUs.ours),
        fmt(d.cpuUs.trpc),
        fmt(d.cpuUs.bare),
        `${fmt(d.cpuUs.ours / d.cpuUs.bare, 2)}×`,
      ]),
    ),
    ...peerLatency(r),
    '',
    `PostgreSQL floor (commit → NOTIFY → LISTEN, ${pgSummary.n} round trips, one at a time): p50 ${fmt(pgSummary.p50, 2)} ms, ` +
      `p95 ${fmt(pgSummary.p95, 2)} ms, p99 ${fmt(pgSummary.p99, 2)} ms, max ${fmt(pgSummary.max, 2)} ms. ` +
      'Our pipeline cannot beat the sum of the two floors: PostgreSQL wakes the hub, then every subscriber is written to ' +
      'like the bare-ws server writes to its clients.',
    '',
    'For comparison (from the issue, other systems and machines): a hosted realtime service documents median 46 ms and ' +
      'p99 159 ms for database-originated broadcasts, with no delivery guarantee; a managed pub/sub service claims a ' +
      '37 ms global median.',
    '',
    '## (c) Fan-out throughput',
    '',
    row([
      'subscribers',
      'events/s offered',
      'events',
      'deliveries',
      'deliveries/s',
      'p50 ms',
      'p99 ms',
      'max ms',
      'server CPU µs/delivery',
      'server cores busy',
      'bare ws, same rate: p50 / p99 / max ms',
      'p99 ÷ bare-ws p99',
    ]),
    row(Array(12).fill('---')),
  );
  for (const f of r.fanout) {
    const s = summarise(f.latencies);
    const floor = f.floorLatencies?.length ? summarise(f.floorLatencies) : null;
    push(
      row([
        f.subscribers.toLocaleString('en-US'),
        f.rate,
        f.events,
        `${f.delivered.toLocaleString('en-US')} / ${f.expected.toLocaleString('en-US')}`,
        fmt(f.delivered / f.seconds),
        fmt(s.p50),
        fmt(s.p99),
        fmt(s.max),
        fmt(f.serverUsPerDelivery),
        fmt(f.serverCores, 2),
        floor ? `${fmt(floor.p50)} / ${fmt(floor.p99)} / ${fmt(floor.max)}` : 'not measured',
        floor ? `${fmt(s.p99 / floor.p99, 2)}×` : '',
      ]),
    );
  }
  push(
    '',
    'Deliveries/s = events × subscribers delivered ÷ (last receipt − first commit). After each rate the bare-ws floor ' +
      'sent as many messages (the same captured frame) at the same rate to as many clients of its own; its latency ' +
      "runs from each message's due time, so a broadcast that starts late behind the one before counts the wait, as " +
      'ours counts from the commit. For scale (other hardware): a ' +
      'dedicated Go realtime server reported ~500,000 messages/s to 1M connections on ~40 CPUs at p99 200 ms, i.e. ' +
      '~12,500 messages/s per CPU.',
    '',
    '## (d) Write throughput',
    '',
    'Full flows (customer `session.create` → `waiver.sign` → mechanic `assignment.accept`, each an HTTP tRPC mutation, ' +
      'each one write statement: versioned update, session status and event insert, whose trigger orders and notifies it) started open-loop at the ' +
      'offered rate, with 10 mechanics subscribed. Response times are per mutation, at the client.',
    '',
    row([
      'offered flows/s',
      'completed',
      'achieved flows/s',
      'create p99 ms',
      'sign p99 ms',
      'accept p99 ms',
      'all p50 ms',
      'all p99 ms',
      'server CPU ms/mutation',
      'PostgreSQL CPU ms/mutation',
      'errors',
    ]),
    row(Array(11).fill('---')),
  );
  for (const { f, s, achieved } of flowRows) {
    push(
      row([
        f.rate,
        `${f.result.completed} / ${f.result.started}`,
        fmt(achieved),
        fmt(summarise(f.result.latencies.create).p99),
        fmt(summarise(f.result.latencies.sign).p99),
        fmt(summarise(f.result.latencies.accept).p99),
        fmt(s.p50),
        fmt(s.p99),
        fmt(f.cpu.serverMsPerMutation, 2),
        fmt(f.cpu.postgresMsPerMutation, 2),
        Object.keys(f.result.errors).length ? JSON.stringify(f.result.errors).replaceAll('|', '/') : '0',
      ]),
    );
  }
  if (r.writeFloors?.length) {
    push(
      '',
      "**The write path's framework floors**, measured right after the steps above at the same call rates " +
        '(3 calls per flow): the same booking body sent to `session.create` on a tRPC server using the same HTTP ' +
        'adapter (`createHTTPHandler`) and the real input schema, answering at once with no database, cookie or ' +
        'admission, and as a JSON POST to a bare `node:http` handler. Server CPU per call is `process.cpuUsage()` ' +
        "of each server process; ours is the step's server CPU per mutation, which also pays for the events each " +
        'mutation causes (log read, fan-out to the 10 subscribed mechanics, receipts, alerts). Our server answers a ' +
        "plain mutation without the adapter's Request/Response conversion (`apps/server/src/http/trpc-mutations.ts`), " +
        'so the bare `node:http` column is the floor it is built on and the tRPC column what that conversion costs.',
      '',
      row([
        'calls/s',
        'ours CPU ms/mutation',
        'tRPC HTTP floor CPU ms/call',
        'bare node:http CPU ms/call',
        'ours ÷ tRPC floor',
        'tRPC floor ÷ bare',
        'floor p50 / p99 ms (tRPC, bare)',
      ]),
      row(Array(7).fill('---')),
    );
    for (const flowRate of [...new Set(r.writeFloors.map((w) => w.flowRate))]) {
      const trpc = r.writeFloors.find((w) => w.kind === 'trpc' && w.flowRate === flowRate);
      const bare = r.writeFloors.find((w) => w.kind === 'bare' && w.flowRate === flowRate);
      if (!trpc || !bare) continue;
      const step = r.flows.find((f) => f.rate === flowRate);
      const ts = summarise(trpc.latencies);
      const bs = summarise(bare.latencies);
      push(
        row([
          trpc.callsPerSecond,
          step ? fmt(step.cpu.serverMsPerMutation, 2) : '(not offered)',
          fmt(trpc.cpuMsPerCall, 3),
          fmt(bare.cpuMsPerCall, 3),
          step ? `${fmt(step.cpu.serverMsPerMutation / trpc.cpuMsPerCall, 1)}×` : '',
          `${fmt(trpc.cpuMsPerCall / bare.cpuMsPerCall, 1)}×`,
          `${fmt(ts.p50)} / ${fmt(ts.p99)}, ${fmt(bs.p50)} / ${fmt(bs.p99)}` +
            (trpc.errors + bare.errors ? ` (${trpc.errors + bare.errors} errors)` : ''),
        ]),
      );
    }
  }
  const { plain, notify, coalesced, eventsUnordered, eventsOrdered } = r.pg.commitRates;
  push(
    '',
    '**Where NOTIFY is the limit.** PostgreSQL alone on this machine, 16 connections, each transaction one INSERT:',
    '',
    row(['', 'commits/s', 'commit p99 ms', 'NOTIFYs sent']),
    row(Array(4).fill('---')),
    row(['no NOTIFY', fmt(plain.commitsPerSecond), fmt(plain.p99Ms), '0']),
    row([
      '`pg_notify` inside every transaction (today)',
      fmt(notify.commitsPerSecond),
      fmt(notify.p99Ms),
      notify.notifies.toLocaleString('en-US'),
    ]),
    row([
      'no NOTIFY in the transaction; one connection sends a coalesced `pg_notify` after commits (proposed)',
      fmt(coalesced.commitsPerSecond),
      fmt(coalesced.p99Ms),
      coalesced.notifies.toLocaleString('en-US'),
    ]),
    '',
    'A transaction that called `pg_notify` takes a database-wide lock at commit and holds it through its WAL flush, so ' +
      'notifying commits are serialized and lose group commit. A full flow is three notifying commits, so NOTIFY alone ' +
      `caps flows/s at ${fmt(notify.commitsPerSecond / 3)} here (the issue cites ~600 notifying commits/s on one database); ` +
      `with coalesced notifications the cap moves to ${fmt(coalesced.commitsPerSecond / 3)}. See the findings below.`,
    '',
    '**What ordering event writers costs.** Positions are drawn in commit order: the event insert trigger takes one ' +
      'advisory lock held to commit (docs/DESIGN.md, "Positions"). Side by side, 16 connections, each an autocommit ' +
      'INSERT of one event row that also notifies:',
    '',
    row(['', 'appends/s', 'p99 ms']),
    row(Array(3).fill('---')),
    row([
      'serial id, no ordering (before)',
      fmt(eventsUnordered.commitsPerSecond),
      fmt(eventsUnordered.p99Ms),
    ]),
    row(['commit-ordered position (now)', fmt(eventsOrdered.commitsPerSecond), fmt(eventsOrdered.p99Ms)]),
    '',
    `Ordered appends run at ${fmt((100 * eventsOrdered.commitsPerSecond) / Math.max(1, eventsUnordered.commitsPerSecond))} % ` +
      'of the unordered rate: notifying commits were already serialized on the NOTIFY lock, so the order lock adds ' +
      'little beyond it.',
    '',
    `SQL statements sent during the write-throughput steps (pg_stat_statements, including the subscribers' hub reads and ` +
      `the dispatcher): ${r.statements.total.toLocaleString('en-US')} for ${r.statements.mutations.toLocaleString('en-US')} ` +
      `mutations, **${fmt(r.statements.total / Math.max(1, r.statements.mutations))} per mutation**. Most frequent:`,
    '',
    row(['calls', 'calls per mutation', 'mean ms', 'statement']),
    row(Array(4).fill('---')),
    ...r.statements.top
      .slice(0, 15)
      .map((q) =>
        row([
          q.calls.toLocaleString('en-US'),
          fmt(q.calls / Math.max(1, r.statements.mutations), 2),
          fmt(q.meanMs, 3),
          `\`${q.query.replaceAll('|', '/').replaceAll('`', "'")}\``,
        ]),
      ),
    '',
    '## (e) Accept contention',
    '',
    row([
      'round',
      'winners',
      'conflicts',
      'other',
      'accept events',
      'final status',
      'p50 ms',
      'p99 ms',
      'max ms',
    ]),
    row(Array(9).fill('---')),
  );
  r.contention.forEach((c, i) => {
    const s = summarise(c.results.map((x) => x.ms));
    push(
      row([
        i + 1,
        c.results.filter((x) => x.ok).length,
        c.results.filter((x) => x.code === 'CONFLICT').length,
        c.results.filter((x) => !x.ok && x.code !== 'CONFLICT').length,
        c.acceptEvents,
        c.status,
        fmt(s.p50),
        fmt(s.p99),
        fmt(s.max),
      ]),
    );
  });
  if (r.memory) {
    const m = r.memory;
    push(
      '',
      '## (f) Idle subscribers',
      '',
      row(['', 'server under test', 'tRPC alone', 'bare-ws floor', 'Socket.IO (recovery on)']),
      row(Array(5).fill('---')),
      row(['connections', ...Array(4).fill(m.connections.toLocaleString('en-US'))]),
      row([
        `RSS delta ÷ ${m.added.toLocaleString('en-US')} added connections`,
        `${fmt(m.perConnectionBytes / 1024)} KiB`,
        `${fmt(m.trpcPerConnectionBytes / 1024)} KiB`,
        `${fmt(m.floorPerConnectionBytes / 1024)} KiB`,
        kib(m.peerPerConnectionBytes),
      ]),
      row([
        'of which V8 heap in use ÷ added connections',
        `${fmt(m.heapPerConnectionBytes / 1024)} KiB`,
        '',
        '',
        '',
      ]),
      row([
        'server RSS before → after',
        `${fmt(m.serverRssBefore / 2 ** 20)} → ${fmt(m.serverRssAfter / 2 ** 20)} MiB`,
        '',
        '',
        '',
      ]),
      row([
        `idle CPU over ${m.idleWindowMs / 1000} s`,
        `${fmt(m.idleCpuCores * 100, 2)} % of a core`,
        'not measured',
        `${fmt(m.floorIdleCpuCores * 100, 2)} %`,
        m.peerIdleCpuCores === undefined ? 'not measured' : `${fmt(m.peerIdleCpuCores * 100, 2)} %`,
      ]),
      row([
        'connect (+ subscribe) rate',
        `${fmt(m.connectPerSecond)}/s`,
        '',
        '',
        m.peerConnectPerSecond === undefined ? '' : `${fmt(m.peerConnectPerSecond)}/s`,
      ]),
      '',
      "RSS measured after a forced GC in each process. The server pings every connection after 15 s of silence (tRPC's keep-alive protocol, run from one timer for all sockets: apps/server/src/ws/keep-alive.ts) and " +
        'refreshes presence; the bare-ws floor does neither; Socket.IO pings every 25 s (its default heartbeat). For scale: ' +
        'the Go realtime server above used ~30 KB per connection.',
      ...(m.peerPerConnectionBytes === undefined
        ? []
        : [
            '',
            `**Memory per idle connection, ours ÷ Socket.IO: ${fmt(m.perConnectionBytes / m.peerPerConnectionBytes, 2)}×** ` +
              `(${fmt(m.perConnectionBytes / 1024)} / ${fmt(m.peerPerConnectionBytes / 1024)} KiB). A Socket.IO connection ` +
              'here holds the engine.io socket and its ws, the namespace socket and its room membership; ours also holds ' +
              "the session, the subscriber's visibility state, presence and delivery bookkeeping.",
          ]),
    );
  }
  push(
    '',
    '## (g) Resume',
    '',
    `A mechanic disconnected; ${r.resume.missed.toLocaleString('en-US')} events it may see were committed (requests queued, ` +
      'then taken by others); it reconnected with its last position. Times from opening the new WebSocket.',
    '',
    row(['run', 'events', 'unique', 'in order', 'socket open ms', 'first event ms', 'last event ms']),
    row(Array(7).fill('---')),
  );
  r.resume.runs.forEach((x, i) => {
    push(
      row([i + 1, x.count, x.unique, x.ordered ? 'yes' : 'NO', fmt(x.openMs), fmt(x.firstMs), fmt(x.lastMs)]),
    );
  });
  push(
    '',
    'For comparison: a managed pub/sub service documents a 2-minute resume window; here any position still in the ' +
      'event table can be resumed.',
    '',
    ...peerResume(r),
    ...twoProcesses(r),
  );
  if (findings) push(findings.trim(), '');
  return { markdown: `${lines.join('\n')}\n`, svg: chart(r, pgSummary) };
}

/** Load generators holding each kind of client (run.ts CLIENT_PROCS). */
const PEER_LOAD_GENERATORS = 2;
const kib = (bytes: number | undefined) =>
  bytes === undefined ? 'not measured' : `${fmt(bytes / 1024)} KiB`;
const ratio = (a: number, b: number) => `${fmt(a / b, 2)}×`;
const triple = (s: Summary) => `${fmt(s.p50)} / ${fmt(s.p99)} / ${fmt(s.max)}`;

/** (a) against Socket.IO: latency and CPU per delivery, ours ÷ theirs, at each size. */
function peerLatency(r: Results): string[] {
  const rows = r.delivery.filter((d) => d.peer?.length);
  if (rows.length === 0) return [];
  return [
    '',
    '**Against Socket.IO (the peer).** The same payload emitted by a Socket.IO 4 server ' +
      "(`io.to(room).emit('queue', { id, data })`, `connectionStateRecovery` on, default in-memory adapter, no " +
      'compression) to a room holding as many socket.io-client clients: websocket transport only (no HTTP ' +
      'long-polling, no upgrade), one connection per client (`forceNew`), held by two load generators of their own. ' +
      'Measured alternately with the rows above: every event of ours was followed by the bare-ws, tRPC-alone and ' +
      "Socket.IO broadcasts, each sent once the one before had reached every client. Socket.IO's clock starts when " +
      "its emit began (ours at the commit, so ours also carries PostgreSQL's NOTIFY hop) and stops when the " +
      "client's event handler ran (after socket.io-client decoded the packet). CPU is the sending process's over " +
      'the whole window, ÷ its deliveries (ours includes the `waiver.sign` mutations).',
    '',
    row([
      'clients',
      'ours p50 / p99 / max ms',
      'Socket.IO p50 / p99 / max ms',
      'p50 ÷',
      'p99 ÷',
      'max ÷',
      'CPU µs/delivery ours',
      'Socket.IO',
      'CPU ÷',
      'client CPU µs/event: raw ws / socket.io-client',
      'est. ms socket.io-client adds to the last receipt',
    ]),
    row(Array(11).fill('---')),
    ...rows.map((d) => {
      const s = summarise(d.ours);
      const p = summarise(d.peer ?? []);
      const peerCpu = d.cpuUs.peer ?? Number.NaN;
      return row([
        d.size.toLocaleString('en-US'),
        triple(s),
        triple(p),
        ratio(s.p50, p.p50),
        ratio(s.p99, p.p99),
        ratio(s.max, p.max),
        fmt(d.cpuUs.ours),
        fmt(peerCpu),
        ratio(d.cpuUs.ours, peerCpu),
        d.clientCpuUs ? `${fmt(d.clientCpuUs.ws)} / ${fmt(d.clientCpuUs.peer)}` : 'not measured',
        d.clientCpuUs
          ? fmt(((d.clientCpuUs.peer - d.clientCpuUs.ws) * d.size) / PEER_LOAD_GENERATORS / 1000)
          : '',
      ]);
    }),
    '',
    "The ÷ columns are ours divided by Socket.IO's: below 1× we are faster or cheaper, above 1× slower or dearer. " +
      "**Client side.** Our subscribers and the floors' clients are raw `ws` sockets that find the event id in the " +
      'text; socket.io-client decodes each packet (Engine.IO, then Socket.IO, then JSON) before its handler runs. ' +
      'The client CPU column is what receiving cost the load generators (their CPU ÷ the events they received). A ' +
      "load generator handles its clients' messages one after another, so the difference × clients per load " +
      `generator (each kind's clients are split over ${PEER_LOAD_GENERATORS}) is roughly what socket.io-client adds ` +
      "to Socket.IO's max, " +
      "with the cores free: the last column. Measured with clients as cheap as ours, Socket.IO's latency would be " +
      'lower by about that much.',
  ];
}

/** (g) for Socket.IO: what connection-state recovery gives back, within its window and past it. */
function peerResume(r: Results): string[] {
  const p = r.resume.peer;
  if (!p) return [];
  const line = (label: string, x: PeerResumeRun) =>
    row([
      label,
      x.recovered ? 'yes' : 'no',
      `${x.count} / ${r.resume.missed}`,
      x.unique,
      x.count === 0 ? '–' : x.ordered ? 'yes' : 'NO',
      fmt(x.connectMs),
      fmt(x.firstMs),
      fmt(x.lastMs),
    ]);
  const ours = summarise(r.resume.runs.map((x) => x.lastMs));
  const theirs = summarise(p.runs.map((x) => x.lastMs));
  const window = (ms: number) => (ms >= 60_000 ? `${fmt(ms / 60_000, 0)} min` : `${fmt(ms / 1000, 0)} s`);
  return [
    "**Socket.IO, the same case.** A socket.io-client client of the peer's room received one event (so it holds an " +
      'offset), then its connection dropped (the transport closed under it, as on a network loss: a `disconnect()` ' +
      `is not recoverable); the server emitted ${r.resume.missed.toLocaleString('en-US')} events to the room (as many ` +
      "as ours missed) and the same client reconnected. Times from calling `connect()`; `recovered` is Socket.IO's own " +
      'verdict. The server sends the missed events with its CONNECT answer and socket.io-client hands them over just ' +
      "before it reports `connect`, so 'connected' comes last. Its recovery window (`maxDisconnectionDuration`) is " +
      `${window(p.windowMs)}, the default; the last row is a second server in the same process with a ` +
      `${window(p.shortWindowMs)} window, reconnected after it had passed.`,
    '',
    row([
      'run',
      'recovered',
      'events',
      'unique',
      'in order',
      'connected ms',
      'first event ms',
      'last event ms',
    ]),
    row(Array(8).fill('---')),
    ...p.runs.map((x, i) => line(String(i + 1), x)),
    ...(p.expired ? [line(`past a ${window(p.shortWindowMs)} window`, p.expired)] : []),
    '',
    `Last missed event, median: ours ${fmt(ours.p50)} ms, Socket.IO ${fmt(theirs.p50)} ms (ours ÷ Socket.IO ` +
      `${ratio(ours.p50, theirs.p50)}). With the default in-memory adapter Socket.IO keeps the session and every ` +
      'broadcast of the last window in the memory of the one process that sent them (the Redis Streams adapter, for ' +
      'one, keeps them in Redis instead). Past the window, after a restart, or on another process the session is ' +
      'gone: the client gets a new id, its rooms are joined afresh and none of the missed events come, and the ' +
      'application has to fetch the state itself; a client that has received no event yet holds no offset and is ' +
      'never recovered either. Ours resumes from the position in the event table, on whichever process and however ' +
      'long ago.',
    '',
  ];
}

/** (j) the server under test as one process and as two (SERVER_PROCESSES=2), side by side. */
function twoProcesses(r: Results): string[] {
  const two = r.twoProcesses;
  const one = two && r.delivery.find((d) => d.size === two.delivery.size);
  if (!two || !one) return [];
  const latencyRow = (label: string, d: DeliveryRow) => {
    const s = summarise(d.ours);
    const f = summarise(d.floor);
    return row([
      label,
      d.events,
      s.n.toLocaleString('en-US'),
      fmt(s.p50),
      fmt(s.p95),
      fmt(s.p99),
      fmt(s.max),
      triple(f),
      fmt(d.cpuUs.ours),
      d.missed,
    ]);
  };
  const achieved = (f: FlowStep) => (f.result.completed * 1000) / f.result.wallMs;
  const all = (f: FlowStep) => [
    ...f.result.latencies.create,
    ...f.result.latencies.sign,
    ...f.result.latencies.accept,
  ];
  const byRate = new Map(two.flows.map((f) => [f.rate, f]));
  const rates = [...new Set([...r.flows.map((f) => f.rate), ...two.flows.map((f) => f.rate)])].sort(
    (a, b) => a - b,
  );
  const oneByRate = new Map(r.flows.map((f) => [f.rate, f]));
  const cell = (f: FlowStep | undefined, value: (f: FlowStep) => string) => (f ? value(f) : 'not run');
  const errors = (f: FlowStep) =>
    Object.keys(f.result.errors).length ? JSON.stringify(f.result.errors).replaceAll('|', '/') : '0';
  const sustained = (steps: FlowStep[]) => {
    const ok = steps.filter(
      (f) =>
        f.result.completed >= 0.95 * f.result.started &&
        achieved(f) >= 0.9 * f.rate &&
        summarise(all(f)).p99 <= 50,
    );
    return ok.length ? Math.max(...ok.map(achieved)) : 0;
  };
  const bothRan = rates.filter((rate) => oneByRate.has(rate) && byRate.has(rate));
  const meanCpu = (steps: Map<number, FlowStep>) =>
    bothRan.reduce((sum, rate) => sum + (steps.get(rate)?.cpu.serverMsPerMutation ?? 0), 0) /
    Math.max(1, bothRan.length);
  const p99One = summarise(one.ours).p99;
  const p99Two = summarise(two.delivery.ours).p99;
  const bestOne = sustained(r.flows);
  const bestTwo = sustained(two.flows);
  const topOne = Math.max(0, ...r.flows.map(achieved));
  const topTwo = Math.max(0, ...two.flows.map(achieved));
  const better = (lowerIsBetter: boolean, a: number, b: number) =>
    a === b ? 'neither' : (lowerIsBetter ? a < b : a > b) ? '1 process' : `${two.processes} processes`;
  return [
    `## (j) One server process or ${two.processes === 2 ? 'two' : two.processes}`,
    '',
    `The server under test started through its cluster path (\`SERVER_PROCESSES=${two.processes}\`: the real ` +
      `\`apps/server/src/main.ts\` as the cluster primary, which forks ${two.processes} workers sharing one port and ` +
      'hands them connections round robin) and measured with the same procedure as the single process in (a) and ' +
      `(d): ${two.delivery.size.toLocaleString('en-US')} subscribers with the floors interleaved event by event, ` +
      'then full flows at the same offered rates ' +
      'with 10 subscribers. CPU per delivery and per mutation sum the primary and every worker ' +
      '(`process.cpuUsage()` of each, over the cluster IPC). The single-process rows are the ones of (a) and (d) ' +
      'above; the two-process phase runs after (g), on a database holding more rows, and both share the same ' +
      `${r.machine.cpus} cores with PostgreSQL and the load generators.`,
    '',
    row([
      'server processes',
      'events',
      'deliveries',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'max ms',
      'bare-ws p50 / p99 / max (same window)',
      'CPU µs/delivery, all processes',
      'missing',
    ]),
    row(Array(10).fill('---')),
    latencyRow('1', one),
    latencyRow(String(two.processes), two.delivery),
    '',
    row([
      'offered flows/s',
      'achieved, 1',
      `achieved, ${two.processes}`,
      'p99 ms, 1',
      `p99 ms, ${two.processes}`,
      'server CPU ms/mutation, 1',
      `server CPU ms/mutation, ${two.processes}`,
      'PostgreSQL CPU ms/mutation, 1',
      `PostgreSQL CPU ms/mutation, ${two.processes}`,
      'errors, 1',
      `errors, ${two.processes}`,
    ]),
    row(Array(11).fill('---')),
    ...rates.map((rate) => {
      const a = oneByRate.get(rate);
      const b = byRate.get(rate);
      return row([
        rate,
        cell(a, (f) => fmt(achieved(f))),
        cell(b, (f) => fmt(achieved(f))),
        cell(a, (f) => fmt(summarise(all(f)).p99)),
        cell(b, (f) => fmt(summarise(all(f)).p99)),
        cell(a, (f) => fmt(f.cpu.serverMsPerMutation, 2)),
        cell(b, (f) => fmt(f.cpu.serverMsPerMutation, 2)),
        cell(a, (f) => fmt(f.cpu.postgresMsPerMutation, 2)),
        cell(b, (f) => fmt(f.cpu.postgresMsPerMutation, 2)),
        cell(a, errors),
        cell(b, errors),
      ]);
    }),
    '',
    `Best on this run: latency at ${two.delivery.size.toLocaleString('en-US')}, **${better(true, p99One, p99Two)}** (p99 ${fmt(p99One)} vs ${fmt(p99Two)} ms); ` +
      // Neither step met p99 ≤ 50 ms (a loaded machine, or --quick): the highest rate reached decides.
      `write throughput, **${bestOne || bestTwo ? better(false, bestOne, bestTwo) : better(false, topOne, topTwo)}** (highest achieved rate with p99 ≤ 50 ms ` +
      `${fmt(bestOne)} vs ${fmt(bestTwo)} flows/s; highest achieved at all ${fmt(topOne)} vs ${fmt(topTwo)}); ` +
      `server CPU per mutation, **${better(true, meanCpu(oneByRate), meanCpu(byRate))}** (mean over the rates both ran, ` +
      `${fmt(meanCpu(oneByRate), 2)} vs ${fmt(meanCpu(byRate), 2)} ms). Each process has its own event hub, so every ` +
      'event is read and fanned out once per process.',
    '',
  ];
}

const dashAttr = (dash: boolean | 'dot' | 'dashdot') =>
  dash === 'dot'
    ? ' stroke-dasharray="1.5,2.5"'
    : dash === 'dashdot'
      ? ' stroke-dasharray="8,3,2,3"'
      : dash
        ? ' stroke-dasharray="6,3"'
        : '';

const COLORS = ['#1f77b4', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

/** Latency CDFs (log-scale x): ours, the floors and Socket.IO per size, and the PostgreSQL floor. */
function chart(r: Results, pg: Summary): string {
  const width = 760;
  const height = 480;
  const m = { left: 60, right: 200, top: 30, bottom: 50 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const series: { label: string; values: number[]; color: string; dash: boolean | 'dot' | 'dashdot' }[] = [];
  r.delivery.forEach((d, i) => {
    const color = COLORS[i % COLORS.length] as string;
    series.push({
      label: `ours, ${d.size.toLocaleString('en-US')} mechanics`,
      values: d.ours,
      color,
      dash: false,
    });
    series.push({
      label: `bare ws, ${d.size.toLocaleString('en-US')} clients`,
      values: d.floor,
      color,
      dash: true,
    });
    series.push({
      label: `tRPC alone, ${d.size.toLocaleString('en-US')}`,
      values: d.trpcFloor,
      color,
      dash: 'dot',
    });
    if (d.peer?.length)
      series.push({
        label: `Socket.IO, ${d.size.toLocaleString('en-US')}`,
        values: d.peer,
        color,
        dash: 'dashdot',
      });
  });
  series.push({ label: 'PostgreSQL NOTIFY', values: r.pg.latency, color: '#7f7f7f', dash: false });
  const all = series.flatMap((s) => s.values).filter((v) => v > 0);
  let lo = pg.min || 1;
  let hi = 1;
  for (const v of all) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  lo = Math.max(0.05, lo);
  const lx0 = Math.floor(Math.log10(lo));
  const lx1 = Math.ceil(Math.log10(hi));
  const x = (v: number) => m.left + ((Math.log10(Math.max(v, 10 ** lx0)) - lx0) / (lx1 - lx0)) * plotW;
  const y = (p: number) => m.top + (1 - p) * plotH;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${m.left}" y="18" font-size="13" font-weight="bold">Delivery latency, commit → receipt (CDF, log scale)</text>`,
  );
  for (let e = lx0; e <= lx1; e++) {
    for (const k of [1, 2, 5]) {
      const v = k * 10 ** e;
      if (v < 10 ** lx0 || v > 10 ** lx1) continue;
      const px = x(v);
      parts.push(`<line x1="${px}" y1="${m.top}" x2="${px}" y2="${m.top + plotH}" stroke="#eee"/>`);
      parts.push(
        `<text x="${px}" y="${m.top + plotH + 14}" text-anchor="middle">${v >= 1 ? v : v.toFixed(Math.max(0, -e))}</text>`,
      );
    }
  }
  for (const p of [0, 0.25, 0.5, 0.75, 0.95, 0.99, 1]) {
    parts.push(`<line x1="${m.left}" y1="${y(p)}" x2="${m.left + plotW}" y2="${y(p)}" stroke="#eee"/>`);
    parts.push(`<text x="${m.left - 6}" y="${y(p) + 4}" text-anchor="end">p${Math.round(p * 100)}</text>`);
  }
  parts.push(
    `<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
    `<text x="${m.left + plotW / 2}" y="${height - 12}" text-anchor="middle">milliseconds</text>`,
  );
  series.forEach((s, i) => {
    const sorted = Float64Array.from(s.values).sort();
    if (sorted.length === 0) return;
    const step = Math.max(1, Math.floor(sorted.length / 400));
    const points: string[] = [];
    for (let k = 0; k < sorted.length; k += step)
      points.push(`${x(sorted[k] as number).toFixed(1)},${y((k + 1) / sorted.length).toFixed(1)}`);
    points.push(`${x(sorted[sorted.length - 1] as number).toFixed(1)},${y(1).toFixed(1)}`);
    parts.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="1.8"${dashAttr(s.dash)} points="${points.join(' ')}"/>`,
    );
    const ly = m.top + 10 + i * 16;
    const lx = m.left + plotW + 12;
    parts.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dashAttr(s.dash)}/>`,
      `<text x="${lx + 30}" y="${ly + 4}">${s.label}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
