import { AUTH_REVOKED_CHANNEL, type EventHub, type Metrics, type SignedInUser } from '@dispatch/api';
import type { Db } from '@dispatch/db';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';

/** Close code for a socket whose auth session ended (log-out, revocation, expiry, another log-in). */
const SIGNED_OUT_CLOSE_CODE = 4001;

/** Who is told when a mechanic's socket opens and closes (the presence tracker). */
export interface ConnectionCounter {
  connected(mechanicId: string): void;
  disconnected(mechanicId: string): void;
}

/** What an entry reports to its registry when its socket closes. */
interface Owner {
  closed(entry: Entry): void;
}

/** One open socket. Every idle connection holds one, so it is a plain object with no closure. */
interface Entry {
  readonly socket: WebSocket;
  readonly authSessionId: string;
  readonly expiresAt: Date;
  /** The mechanic this socket counts as online; null for other roles. */
  readonly mechanicId: string | null;
  readonly owner: Owner;
}

const ENTRY = Symbol('dispatch.socketEntry');
type Registered = WebSocket & { [ENTRY]?: Entry };

/** Every socket's 'close' listener: one function for all of them (`this` is the socket). */
function socketClosed(this: Registered): void {
  const entry = this[ENTRY];
  if (entry) entry.owner.closed(entry);
}

/**
 * A socket belongs to the viewer it was opened for, and only while their auth session lasts: a
 * revocation (heard from the auth_sessions trigger on every process) or the session's expiry
 * closes it at once, so no event is delivered to a socket whose cookie no longer belongs to that
 * viewer. A periodic check against the table covers notifications missed while LISTEN was down.
 * A mechanic's socket also counts them online (the presence tracker) until it closes.
 */
export class SocketRegistry {
  /** Sockets by auth session: one entry, or several when the same session opened more. */
  readonly #bySession = new Map<string, Entry | Entry[]>();
  readonly #db: Db;
  readonly #metrics: Metrics;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #presence: ConnectionCounter | null;
  readonly #owner: Owner;
  /** When the earliest session of an open socket expires (ms since epoch). */
  #nextExpiry = Number.POSITIVE_INFINITY;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #unsubscribe: (() => void)[] = [];

  constructor(options: {
    db: Db;
    hub: EventHub;
    metrics: Metrics;
    log: Logger;
    now: () => Date;
    presence?: ConnectionCounter;
  }) {
    this.#db = options.db;
    this.#metrics = options.metrics;
    this.#log = options.log;
    this.#now = options.now;
    this.#presence = options.presence ?? null;
    this.#owner = { closed: (entry) => this.#remove(entry) };
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
    const mechanicId = user.viewer.role === 'mechanic' ? user.id : null;
    const entry: Entry = {
      socket,
      authSessionId: user.authSessionId,
      expiresAt: user.expiresAt,
      mechanicId,
      owner: this.#owner,
    };
    const existing = this.#bySession.get(entry.authSessionId);
    this.#bySession.set(
      entry.authSessionId,
      existing === undefined ? entry : Array.isArray(existing) ? [...existing, entry] : [existing, entry],
    );
    this.#nextExpiry = Math.min(this.#nextExpiry, entry.expiresAt.getTime());
    (socket as Registered)[ENTRY] = entry;
    // `on`, not `once` (which wraps each listener in an object and a bound function): ws emits
    // 'close' once.
    socket.on('close', socketClosed);
    if (mechanicId !== null) this.#presence?.connected(mechanicId);
  }

  /** Closes every socket of an auth session. */
  closeSession(authSessionId: string, reason: string): void {
    const entries = this.#bySession.get(authSessionId);
    if (!entries) return;
    this.#bySession.delete(authSessionId);
    for (const { socket } of Array.isArray(entries) ? entries : [entries]) {
      this.#metrics.socketsClosedForAuth.inc();
      socket.close(SIGNED_OUT_CLOSE_CODE, reason);
    }
  }

  #remove(entry: Entry): void {
    const entries = this.#bySession.get(entry.authSessionId);
    if (entries === entry) this.#bySession.delete(entry.authSessionId);
    else if (Array.isArray(entries) && entries.includes(entry)) {
      const rest = entries.filter((other) => other !== entry);
      this.#bySession.set(entry.authSessionId, rest.length === 1 ? (rest[0] as Entry) : rest);
    }
    if (entry.mechanicId !== null) this.#presence?.disconnected(entry.mechanicId);
  }

  /** Checked every second; the sockets are only gone through once the earliest session has expired. */
  #closeExpired(): void {
    const now = this.#now().getTime();
    if (now < this.#nextExpiry) return;
    let next = Number.POSITIVE_INFINITY;
    const expired: string[] = [];
    this.#bySession.forEach((entries, id) => {
      for (const entry of Array.isArray(entries) ? entries : [entries]) {
        const at = entry.expiresAt.getTime();
        if (at <= now) {
          expired.push(id);
          return;
        }
        next = Math.min(next, at);
      }
    });
    this.#nextExpiry = next;
    for (const id of expired) this.closeSession(id, 'Session expired');
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
