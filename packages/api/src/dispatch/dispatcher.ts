import type { Db } from '@dispatch/db';
import { type Actor, type CancelCode, isEligible, NO_MECHANIC_AVAILABLE } from '@dispatch/domain';
import { actOnAssignment, CommandError, type TransitionEvent } from '../commands/index.ts';
import type { Services } from '../context.ts';
import { loadAssignment } from '../queries/rows.ts';
import { onlineSince } from './presence.ts';

const BATCH = 100;

export interface DispatchStats {
  expired: number;
  requeued: number;
  offered: number;
  timedOut: number;
}

/**
 * The background work of a process: expire overdue offers (at start too), requeue declined and
 * expired requests, cancel what waited past the queue limit, and in targeted mode offer each
 * queued request to one available, eligible mechanic at a time. Every step is an ordinary
 * versioned transition, so processes running it side by side cannot double-apply anything.
 */
export class Dispatcher {
  readonly #services: Services;
  readonly #tickMs: number;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<DispatchStats> | null = null;
  #again = false;
  #stopped = false;
  readonly totals: DispatchStats = { expired: 0, requeued: 0, offered: 0, timedOut: 0 };

  constructor(services: Services, options: { tickMs?: number } = {}) {
    this.#services = services;
    this.#tickMs = options.tickMs ?? 1000;
  }

  start(): void {
    this.#timer = setInterval(() => this.poke(), this.#tickMs);
    this.#timer.unref();
    this.poke();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#running?.catch(() => {});
  }

  /** Runs a pass soon (coalesced); new queued requests call this so offers go out at once. */
  poke(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.runOnce()
      .catch((error: unknown) => {
        this.#services.log.error({ err: error }, 'dispatch pass failed');
        return { expired: 0, requeued: 0, offered: 0, timedOut: 0 };
      })
      .finally(() => {
        this.#running = null;
        if (this.#again) {
          this.#again = false;
          this.poke();
        }
      });
  }

  /** One full pass; returns what it did. */
  async runOnce(): Promise<DispatchStats> {
    const { db, config } = this.#services;
    const now = this.#services.now();
    const stats: DispatchStats = { expired: 0, requeued: 0, offered: 0, timedOut: 0 };

    const overdue = await db.sessionAssignment.findMany({
      where: { status: 'offered', offerExpiresAt: { lte: now } },
      select: { id: true },
      take: BATCH,
    });
    const offerSeconds = Math.round(config.offerTimeoutMs / 1000);
    stats.expired = await this.#applyAll(
      overdue,
      { type: 'expire' },
      { kind: 'timer' },
      `not answered within ${offerSeconds} s`,
    );

    const passedOver = await db.sessionAssignment.findMany({
      where: { status: { in: ['declined', 'expired'] } },
      select: { id: true },
      take: BATCH,
    });
    stats.requeued = await this.#applyAll(
      passedOver,
      { type: 'requeue' },
      { kind: 'dispatcher' },
      'back in the queue for the next mechanic',
    );

    const stale = await db.sessionAssignment.findMany({
      where: {
        status: { in: ['queued', 'offered', 'declined', 'expired'] },
        queuedAt: { lte: new Date(now.getTime() - config.queueTimeoutMs) },
      },
      select: { id: true },
      take: BATCH,
    });
    stats.timedOut = await this.#applyAll(
      stale,
      { type: 'cancel', reason: NO_MECHANIC_AVAILABLE.reason },
      { kind: 'system' },
      undefined,
      NO_MECHANIC_AVAILABLE.code,
    );

    if (config.dispatchMode === 'targeted') stats.offered = await this.#offerQueued(db, now);

    for (const key of Object.keys(stats) as (keyof DispatchStats)[]) this.totals[key] += stats[key];
    this.#services.metrics.offersExpired.inc(stats.expired);
    this.#services.metrics.requestsTimedOut.inc(stats.timedOut);
    return stats;
  }

  async #offerQueued(db: Db, now: Date): Promise<number> {
    const queued = await db.sessionAssignment.findMany({
      where: { status: 'queued' },
      orderBy: [{ urgent: 'desc' }, { queuedAt: 'asc' }],
      select: { id: true, declinedBy: true, session: { select: { type: true, workshopId: true } } },
      take: BATCH,
    });
    if (queued.length === 0) return 0;
    const busy = new Set(
      (
        await db.sessionAssignment.findMany({
          where: { status: 'offered', mechanicId: { not: null } },
          select: { mechanicId: true },
        })
      ).flatMap((a) => (a.mechanicId ? [a.mechanicId] : [])),
    );
    const candidates = await db.mechanic.findMany({
      where: { availability: 'available', lastSeenAt: { gte: onlineSince(now) } },
      select: { userId: true, kind: true, workshopId: true, user: { select: { displayName: true } } },
      orderBy: { lastSeenAt: 'asc' },
    });
    let offered = 0;
    for (const request of queued) {
      const facts = { sessionType: request.session.type, workshopId: request.session.workshopId };
      const mechanic = candidates.find(
        (m) => !busy.has(m.userId) && !request.declinedBy.includes(m.userId) && isEligible(m, facts),
      );
      if (!mechanic) continue;
      const expiresAt = new Date(now.getTime() + this.#services.config.offerTimeoutMs);
      const ok = await this.#apply(
        request.id,
        { type: 'offer', mechanicId: mechanic.userId, expiresAt },
        { kind: 'dispatcher' },
        undefined,
        undefined,
        mechanic.user.displayName,
      );
      if (ok) {
        busy.add(mechanic.userId);
        offered += 1;
      }
    }
    return offered;
  }

  async #applyAll(
    rows: { id: string }[],
    event: TransitionEvent,
    actor: Actor,
    reason?: string,
    cancelCode?: CancelCode,
  ): Promise<number> {
    let applied = 0;
    for (const row of rows) if (await this.#apply(row.id, event, actor, reason, cancelCode)) applied += 1;
    return applied;
  }

  /** Applies one event; a refusal or a lost race means another actor moved first, which is fine. */
  async #apply(
    assignmentId: string,
    event: TransitionEvent,
    actor: Actor,
    reason?: string,
    cancelCode?: CancelCode,
    mechanicName?: string,
  ): Promise<boolean> {
    const { db, log, config } = this.#services;
    try {
      const row = await loadAssignment(db, { id: assignmentId });
      if (!row) return false;
      const result = await actOnAssignment(db, {
        row,
        event,
        actor,
        viewer: null,
        mode: config.dispatchMode,
        requestId: null,
        now: this.#services.now(),
        ...(reason ? { reason } : {}),
        ...(cancelCode ? { cancelCode } : {}),
        ...(mechanicName ? { mechanicName } : {}),
      });
      return result.applied;
    } catch (error) {
      if (error instanceof CommandError && error.kind !== 'busy') return false;
      log.warn({ err: error, assignmentId, event: event.type }, 'dispatch step failed');
      return false;
    }
  }
}
