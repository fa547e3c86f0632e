// Tiny request/response protocol over a forked child's IPC channel (advanced serialization,
// so typed arrays and Maps cross without JSON).
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Request {
  rpc: number;
  cmd: string;
  args: unknown;
}
interface Response {
  rpc: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

export type Handlers = Record<string, (args: never) => unknown>;

/** In a child: answer the parent's requests with these handlers. */
export function serve(handlers: Handlers): void {
  process.on('message', (message: Request) => {
    const handler = handlers[message.cmd] as ((args: unknown) => unknown) | undefined;
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command ${message.cmd}`);
        return handler(message.args);
      })
      .then(
        (value) => process.send?.({ rpc: message.rpc, ok: true, value } satisfies Response),
        (error: unknown) =>
          process.send?.({
            rpc: message.rpc,
            ok: false,
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          } satisfies Response),
      );
  });
  // The parent went away: never outlive it.
  process.on('disconnect', () => process.exit(0));
}

export interface Child {
  name: string;
  process: ChildProcess;
  call<T = unknown>(cmd: string, args?: unknown): Promise<T>;
  exited: Promise<number | null>;
  /** Resolves when the child sends { ready: true }. */
  ready: Promise<void>;
}

const children = new Set<ChildProcess>();

/** Forks `src/<file>` under tsx; `nodeArgs` go to node (e.g. --cpu-prof). */
export function spawnChild(
  name: string,
  file: string,
  nodeArgs: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Child {
  const path = fileURLToPath(new URL(file, import.meta.url));
  const child = fork(path, [], {
    execArgv: [...nodeArgs, '--import', 'tsx'],
    serialization: 'advanced',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  let next = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.on('message', (message: Response & { ready?: boolean }) => {
    if (message.ready) markReady();
    const waiter = pending.get(message.rpc);
    if (!waiter) return;
    pending.delete(message.rpc);
    if (message.ok) waiter.resolve(message.value);
    else waiter.reject(new Error(`${name}: ${message.error}`));
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      children.delete(child);
      for (const waiter of pending.values()) waiter.reject(new Error(`${name} exited (${code})`));
      pending.clear();
      resolve(code);
    });
  });
  return {
    name,
    process: child,
    exited,
    ready: Promise.race([
      ready,
      exited.then((code) => Promise.reject(new Error(`${name} exited (${code})`))),
    ]),
    call<T>(cmd: string, args?: unknown): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const rpc = next++;
        pending.set(rpc, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ rpc, cmd, args } satisfies Request);
      });
    },
  };
}

/** Kills every child still running (on error or exit). Only our own children, by pid. */
export function killChildren(): void {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {}
  }
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
