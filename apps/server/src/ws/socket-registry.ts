import { AUTH_REVOKED_CHANNEL, type EventHub, type Metrics, type SignedInUser } from '@dispatch/api';
import type { Db } from '@dispatch/db';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';

/** Close code for a socket whose auth session ended (log-out, revocation, expiry, another log-in). */
const SIGNED_OUT_CLOSE_CODE = 4001;

interface Entry {
  socket: WebSocket;
  expiresAt: Date;
}

/**
 * A socket belongs to the viewer it was opened for, and only while their auth session lasts: a
 * revocation (heard from the auth_sessions trigger on every process) or the session's expiry
 * closes it at once, so no event is delivered to a socket whose cookie no longer belongs to that
 * viewer. A periodic check against the table covers notifications missed while LISTEN was down.
 */
export class SocketRegistry {
  readonly #bySession = new Map<string, Set<Entry>>();
  readonly #db: Db;
  readonly #metrics: Metrics;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #unsubscribe: (() => void)[] = [];

  constructor(options: { db: Db; hub: EventHub; metrics: Metrics; log: Logger; now: () => Date }) {
    this.#db = options.db;
    this.#metrics = options.metrics;
    this.#log = options.log;
    this.#now = options.now;
    this.#unsubscribe.push(
      options.hub.onNotice(AUTH_REVOKED_CHANNEL, (id) => this.closeSession(id, 'Signed out')),
      options.hub.onListenerReconnect(() => void this.#verify()),
    );
  }

  start(): void {
    const expiry = setInterval(() => this.#closeExpired(), 1000);
    const verify = setInterval(() => void this.#verify(), 30_000);
    expiry.unref();
    verify.unref();
    this.#timers.push(expiry, verify);
  }

  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
  }

  add(socket: WebSocket, user: SignedInUser): void {
    const entry: Entry = { socket, expiresAt: user.expiresAt };
    const entries = this.#bySession.get(user.authSessionId) ?? new Set();
    entries.add(entry);
    this.#bySession.set(user.authSessionId, entries);
    socket.once('close', () => {
      entries.delete(entry);
      if (entries.size === 0) this.#bySession.delete(user.authSessionId);
    });
  }

  /** Closes every socket of an auth session. */
  closeSession(authSessionId: string, reason: string): void {
    const entries = this.#bySession.get(authSessionId);
    if (!entries) return;
    for (const { socket } of entries) {
      this.#metrics.socketsClosedForAuth.inc();
      socket.close(SIGNED_OUT_CLOSE_CODE, reason);
    }
    this.#bySession.delete(authSessionId);
  }

  #closeExpired(): void {
    const now = this.#now();
    for (const [id, entries] of this.#bySession) {
      if ([...entries].some((entry) => entry.expiresAt <= now)) this.closeSession(id, 'Session expired');
    }
  }

  async #verify(): Promise<void> {
    const ids = [...this.#bySession.keys()];
    if (ids.length === 0) return;
    try {
      const live = await this.#db.authSession.findMany({
        where: { id: { in: ids }, revokedAt: null, expiresAt: { gt: this.#now() } },
        select: { id: true },
      });
      const alive = new Set(live.map((row) => row.id));
      for (const id of ids) if (!alive.has(id)) this.closeSession(id, 'Signed out');
    } catch (error) {
      this.#log.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'socket auth check failed',
      );
    }
  }
}
