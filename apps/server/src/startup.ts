// What `pnpm start` shows in the terminal: a short banner when it is up, one line when it cannot
// start. Everything else (requests, shutdown, details of a failure) goes to the log file.
import { mkdirSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import type { Env } from './env.ts';

/**
 * Fails with one line naming the fix when a port cannot be bound, before anything else starts.
 * `names` are the variables that set the port and the host, for the message.
 */
export function assertPortFree(
  port: number,
  host: string,
  names: { port: string; host: string } = { port: 'PORT', host: 'HOST' },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => reject(listenProblem(error, port, host, names)));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

function listenProblem(
  error: NodeJS.ErrnoException,
  port: number,
  host: string,
  names: { port: string; host: string },
): Error {
  const next = `${names.port}=${port === 65535 ? 3001 : port + 1}`;
  const problem = (message: string) => new Error(message, { cause: error });
  if (error.code === 'EADDRINUSE')
    return problem(
      `port ${port} (${names.port}) is already in use. Fix: stop the program using it, or choose another port, e.g. ${next} pnpm start`,
    );
  if (error.code === 'EACCES')
    return problem(`port ${port} (${names.port}) needs more privileges. Fix: choose a port above 1023`);
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND')
    return problem(
      `${names.host} ${host} is not an address of this machine. Fix: unset ${names.host}, or set it to 0.0.0.0`,
    );
  return problem(
    `cannot listen on ${host}:${port} (${error.code ?? error.message}). Fix: check ${names.host} and ${names.port}`,
  );
}

/** First line of an error's message, for the one-line start-up failure. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return (text.split('\n')[0] ?? '').trim() || 'unknown error';
}

/**
 * Prefixes a failure with the step that failed, keeping the original as the cause. A message that
 * already names its fix is kept as it is.
 */
export async function step<T>(what: string, fix: string, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (oneLine(error).includes('. Fix: ')) throw error;
    throw new Error(`${what}: ${oneLine(error).replace(/\.$/, '')}. Fix: ${fix}`, { cause: error });
  }
}

export interface ServerLog {
  log: Logger;
  /** Where the JSON log goes, for the banner; null when it goes to stdout. */
  file: string | null;
  /** From now on the terminal shows nothing more (the file still gets everything). */
  quiet(): void;
  flush(): void;
}

const QUIET_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'process', 'msg']);
const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

// Terminal lines: "warn  message  {fields}" instead of raw JSON.
function terminalStream(state: { quiet: boolean }): Writable {
  return new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) {
        if (!line || state.quiet) continue;
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          const fields = Object.fromEntries(Object.entries(entry).filter(([key]) => !QUIET_FIELDS.has(key)));
          const extra = Object.keys(fields).length ? `  ${JSON.stringify(fields)}` : '';
          const level = LEVEL_NAMES[Number(entry.level)] ?? 'log';
          process.stdout.write(`${level.padEnd(5)} ${String(entry.msg ?? '')}${extra}\n`);
        } catch {
          process.stdout.write(`${line}\n`);
        }
      }
      done();
    },
  });
}

/**
 * LOG_FILE gets the JSON log at LOG_LEVEL. The terminal shows warnings and errors only, unless
 * LOG_LEVEL is debug or trace, when it shows everything. LOG_FILE=- keeps the JSON log on stdout.
 */
export function createServerLog(env: Env): ServerLog {
  const base = { base: { process: process.pid }, level: env.LOG_LEVEL };
  if (env.LOG_FILE === '-') return { log: pino(base), file: null, quiet: () => {}, flush: () => {} };
  const file = path.resolve(env.LOG_FILE);
  // Opened here, not by pino: sonic-boom retries a file it cannot open forever instead of failing.
  mkdirSync(path.dirname(file), { recursive: true });
  const destination = pino.destination({ fd: openSync(file, 'a'), sync: true });
  const verbose = env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace';
  const terminalLevel = verbose ? env.LOG_LEVEL : 'warn';
  const state = { quiet: false };
  const log = pino(
    base,
    pino.multistream([
      { level: env.LOG_LEVEL === 'silent' ? 'fatal' : env.LOG_LEVEL, stream: destination },
      { level: terminalLevel, stream: terminalStream(state) },
    ]),
  );
  const quiet = () => {
    state.quiet = true;
  };
  return { log, file, quiet, flush: () => destination.flushSync() };
}

export interface BannerInput {
  url: string;
  startedMs: number;
  database: string;
  logFile: string | null;
  demoTable: string | null;
  demoPassword: string;
  /** Server processes sharing the port (SERVER_PROCESSES). */
  processes?: number;
}

/** The Vite-style "it is up" block with the real URLs. */
export function banner(input: BannerInput): string {
  const root = `${input.url}/`;
  const mechanic = `${input.url}/mechanic/`;
  const lines = [
    '',
    `  Mechanic dispatch  ready in ${(input.startedMs / 1000).toFixed(1)} s`,
    '',
    `  ➜  Customer app:  ${root}`,
    `  ➜  Mechanic app:  ${mechanic}`,
    `  ➜  Admin:         ${mechanic}  (admins log in to the mechanic app)`,
    `  ➜  Database:      ${input.database}`,
    `  ➜  Logs:          ${input.logFile ?? 'stdout (LOG_FILE=-)'}`,
    ...((input.processes ?? 1) > 1
      ? [`  ➜  Processes:     ${input.processes} on port ${new URL(input.url).port}`]
      : []),
    '',
  ];
  if (input.demoTable) {
    lines.push(`  Demo accounts (password ${input.demoPassword}):`, '');
    lines.push(...input.demoTable.split('\n').map((row) => `  ${row}`), '');
  }
  lines.push('  Press Ctrl+C to stop.', '');
  return `${lines.join('\n')}\n`;
}
