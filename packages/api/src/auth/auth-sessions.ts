import type { Db } from '@dispatch/db';
import type { Viewer } from '@dispatch/domain';
import { AUTH_REVOKED_CHANNEL } from '../log/append.ts';
import type { EventHub } from '../log/hub.ts';
import { hashToken } from './cookie.ts';
import type { SignedInUser } from './signed-in-user.ts';

/** How long a looked-up session is trusted without asking the database again. */
const CACHE_MS = 60_000;

/**
 * Signed-in users by session token, cached per process. Revocation stays immediate on every
 * process: the auth_sessions trigger notifies, every process's hub hears it and drops the entry;
 * while the LISTEN connection is down nothing is served from the cache, and after it comes back
 * the cache starts empty (notifications sent meanwhile were missed).
 */
export class AuthSessions {
  readonly #db: Db;
  readonly #hub: EventHub;
  readonly #now: () => Date;
  readonly #cache = new Map<string, { user: SignedInUser; until: number }>();

  constructor(db: Db, hub: EventHub, now: () => Date) {
    this.#db = db;
    this.#hub = hub;
    this.#now = now;
    hub.onNotice(AUTH_REVOKED_CHANNEL, (id) => this.#cache.delete(id));
    hub.onListenerReconnect(() => this.#cache.clear());
  }

  /** The signed-in user behind a session token, or null if it is unknown, revoked or expired. */
  async userFor(token: string | null): Promise<SignedInUser | null> {
    if (!token) return null;
    const id = hashToken(token);
    const now = this.#now();
    const cached = this.#cache.get(id);
    if (
      cached &&
      this.#hub.listenerConnected &&
      cached.until > now.getTime() &&
      cached.user.expiresAt > now
    ) {
      return cached.user;
    }
    this.#cache.delete(id);
    const user = await loadUser(this.#db, id, now);
    if (user && this.#hub.listenerConnected) this.#cache.set(id, { user, until: now.getTime() + CACHE_MS });
    if (this.#cache.size > 50_000) this.#cache.clear();
    return user;
  }

  /** Revokes a session; the trigger tells every process (and their sockets) at once. */
  async revoke(authSessionId: string): Promise<void> {
    this.#cache.delete(authSessionId);
    // updateMany: revoking twice (two tabs logging out) is not an error.
    await this.#db.authSession.updateMany({
      where: { id: authSessionId, revokedAt: null },
      data: { revokedAt: this.#now() },
    });
  }
}

async function loadUser(db: Db, id: string, now: Date): Promise<SignedInUser | null> {
  const session = await db.authSession.findUnique({
    where: { id },
    include: { user: { include: { mechanic: true } } },
  });
  if (!session || session.revokedAt || session.expiresAt <= now) return null;
  const { user } = session;
  let viewer: Viewer;
  if (user.role === 'mechanic') {
    if (!user.mechanic) return null;
    viewer = {
      role: 'mechanic',
      userId: user.id,
      kind: user.mechanic.kind,
      workshopId: user.mechanic.workshopId,
    };
  } else {
    viewer = { role: user.role, userId: user.id };
  }
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    viewer,
    authSessionId: id,
    expiresAt: session.expiresAt,
  };
}
