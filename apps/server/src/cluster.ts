// One server process per core on one port (node:cluster): the primary prepares the database and
// forks; each worker is an ordinary server process on the shared database, exactly like separate
// processes behind a load balancer (delivery, claims, rate limits and revocation are all per
// database, not per process). The primary itself serves nothing.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

/** What a worker tells the primary once its server listens. */
interface Ready {
  kind: 'ready';
  url: string;
}

export interface RunningCluster {
  /** The URL the workers listen on (the same port for all). */
  url: string;
  /** Stops every worker (each drains its sockets and requests), then resolves. */
  close(): Promise<void>;
}

/** A worker that dies is replaced after this pause (doubled per quick death, at most 30 s). */
const RESPAWN_BASE_MS = 500;
const RESPAWN_MAX_MS = 30_000;
/** A worker that lived this long before dying counts as healthy: the pause starts over. */
const HEALTHY_AFTER_MS = 60_000;

export function isClusterWorker(): boolean {
  return cluster.isWorker;
}

/** In a worker: tells the primary it is listening. */
export function reportReady(url: string): void {
  process.send?.({ kind: 'ready', url } satisfies Ready);
}

/**
 * Forks `count` workers of this same program with `workerEnv` added to the environment and
 * resolves once every one listens. A worker that dies later is replaced, with back-off.
 */
export function startCluster(
  count: number,
  workerEnv: Record<string, string>,
  log: Logger,
  processName?: string,
): Promise<RunningCluster> {
  let stopping = false;
  let respawnMs = RESPAWN_BASE_MS;
  const bornAt = new Map<Worker, number>();
  const slots = new Map<Worker, number>();
  const fork = (slot: number) => {
    const worker = cluster.fork({
      ...workerEnv,
      SERVER_WORKER_SLOT: String(slot),
      // Each process keeps its own name in metrics, logs and push claims.
      ...(processName ? { PROCESS_NAME: `${processName}-${slot + 1}` } : {}),
    });
    bornAt.set(worker, Date.now());
    slots.set(worker, slot);
    return worker;
  };

  return new Promise((resolve, reject) => {
    let url: string | null = null;
    const waiting = new Set<Worker>();
    const onMessage = (worker: Worker, message: unknown) => {
      if ((message as Partial<Ready>)?.kind !== 'ready') return;
      url ??= (message as Ready).url;
      log.info({ worker: worker.process.pid }, 'worker listening');
      if (waiting.delete(worker) && waiting.size === 0 && url) resolve({ url, close });
    };
    cluster.on('message', onMessage);
    cluster.on('exit', (worker, code, signal) => {
      const slot = slots.get(worker) ?? 0;
      slots.delete(worker);
      const lived = Date.now() - (bornAt.get(worker) ?? Date.now());
      bornAt.delete(worker);
      if (stopping) return;
      if (waiting.has(worker)) {
        // Never came up: the same failure would repeat, so start-up fails with it.
        stopping = true;
        reject(new Error(`a server process exited during start-up (${signal ?? `exit ${code}`})`));
        void close();
        return;
      }
      respawnMs = lived > HEALTHY_AFTER_MS ? RESPAWN_BASE_MS : Math.min(respawnMs * 2, RESPAWN_MAX_MS);
      log.warn({ worker: worker.process.pid, code, signal, respawnMs }, 'server process died; replacing it');
      setTimeout(() => {
        if (!stopping) fork(slot);
      }, respawnMs);
    });
    for (let slot = 0; slot < count; slot += 1) waiting.add(fork(slot));
  });

  async function close(): Promise<void> {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((done) => {
            if (worker.isDead()) return done();
            worker.once('exit', () => done());
            worker.process.kill('SIGTERM');
          }),
      ),
    );
  }
}
