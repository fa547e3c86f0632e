import type { Db } from '@dispatch/db';
import {
  type Actor,
  type CancelCode,
  compareIdle,
  DEFAULT_MISSED_OFFER_LIMIT,
  decideMissedOffer,
  expiryReason,
  isEligible,
  isStranded,
  NO_MECHANIC_AVAILABLE,
  newRoundReason,
  RANK_SQL,
  ROUND_PAUSE_MS,
  roundState,
  SLA_THRESHOLDS_SECONDS,
  STRANDED_AFTER_MS,
  strandedReason,
} from '@dispatch/domain';
import { recordOfferOutcome } from '../alerts/missed-offers.ts';
import { actOnAssignment, CommandError, type TransitionEvent } from '../commands/index.ts';
import type { Services } from '../context.ts';
import { isReachable, lastPassAt, mechanicFacts, verdictFor } from '../queries/mechanic-facts.ts';
import { loadAssignment } from '../queries/rows.ts';
import { serviceLevelReport } from '../queries/service-level.ts';

const BATCH = 100;

export interface DispatchStats {
  expired: number;
  requeued: number;
  offered: number;
  timedOut: number;
  /** Accepted sessions whose mechanic vanished, returned to the queue. */
  returned: number;
  /** Targeted requests everyone had passed on, started on a new round. */
  newRounds: number;
}

export interface DispatcherOptions {
  tickMs?: number;
  /** How long an accepted session's mechanic may have no connection before it returns to the queue. */
  strandedAfterMs?: number;
  /** Targeted mode: the pause after everyone passed before a new round starts. */
  roundPauseMs?: number;
  /**
   * How often the service-level gauges on /metrics are recomputed (default a minute: the figures
   * read the last hour of events, which has no time index, so not on every pass).
   */
  serviceLevelEveryMs?: number;
}

const emptyStats = (): DispatchStats => ({
  expired: 0,
  requeued: 0,
  offered: 0,
  timedOut: 0,
  returned: 0,
  newRounds: 0,
});

/**
 * The background work of a process: expire overdue offers (at start too), requeue declined and
 * expired requests, return accepted sessions whose mechanic vanished, cancel what waited past the
 * queue limit, and in targeted mode offer each queued request (fair order) to the longest-idle
 * available, eligible mechanic under capacity, starting a new round when everyone has passed.
 * Every step is an ordinary versioned transition with its reason on the event, so processes
 * running it side by side cannot double-apply anything. State lives in the database only: a
 * restarted process carries on where the last one stopped.
 */
export class Dispatcher {
  readonly #services: Services;
  readonly #tickMs: number;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<DispatchStats> | null = null;
  #again = false;
  #stopped = false;
  readonly #strandedAfterMs: number;
  readonly #roundPauseMs: number;
  readonly #serviceLevelEveryMs: number;
  #serviceLevelAt = Number.NEGATIVE_INFINITY;
  readonly totals: DispatchStats = emptyStats();

  constructor(services: Services, options: DispatcherOptions = {}) {
    this.#services = services;
    this.#tickMs = options.tickMs ?? 1000;
    this.#strandedAfterMs = options.strandedAfterMs ?? STRANDED_AFTER_MS;
    this.#roundPauseMs = options.roundPauseMs ?? ROUND_PAUSE_MS;
    this.#serviceLevelEveryMs = options.serviceLevelEveryMs ?? 60_000;
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
        return emptyStats();
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
    const stats = emptyStats();

    const overdue = await db.sessionAssignment.findMany({
      where: { status: 'offered', offerExpiresAt: { lte: now } },
      select: { id: true, mechanicId: true, mechanic: { select: { missedOffers: true } } },
      take: BATCH,
    });
    const offerSeconds = Math.round(config.offerTimeoutMs / 1000);
    const limit = config.missedOfferLimit ?? DEFAULT_MISSED_OFFER_LIMIT;
    for (const offer of overdue) {
      // An unanswered offer counts against its mechanic: K in a row set them Away, said in the trail.
      const decision = decideMissedOffer(offer.mechanic?.missedOffers ?? 0, 'expired', limit);
      const reason = expiryReason(`not answered within ${offerSeconds} s`, decision);
      if (!(await this.#apply(offer.id, { type: 'expire' }, { kind: 'timer' }, reason))) continue;
      stats.expired += 1;
      if (offer.mechanicId) {
        await recordOfferOutcome(db, {
          mechanicId: offer.mechanicId,
          outcome: 'expired',
          at: now,
          limit,
        }).catch((error: unknown) =>
          this.#services.log.warn({ err: error }, 'recording a missed offer failed'),
        );
      }
    }

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

    stats.returned = await this.#returnStranded(db, now);

    // A returned session keeps its original queuedAt (its place in line); its waiting clock
    // restarts from when it was last accepted.
    const cutoff = new Date(now.getTime() - config.queueTimeoutMs);
    const stale = await db.sessionAssignment.findMany({
      where: {
        status: { in: ['queued', 'offered', 'declined', 'expired'] },
        queuedAt: { lte: cutoff },
        OR: [{ acceptedAt: null }, { acceptedAt: { lte: cutoff } }],
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

    if (config.dispatchMode === 'targeted') await this.#offerQueued(db, now, stats);

    for (const key of Object.keys(stats) as (keyof DispatchStats)[]) this.totals[key] += stats[key];
    this.#services.metrics.offersExpired.inc(stats.expired);
    this.#services.metrics.requestsTimedOut.inc(stats.timedOut);
    this.#services.metrics.strandedReturns.inc(stats.returned);
    this.#services.metrics.newRounds.inc(stats.newRounds);
    if (now.getTime() - this.#serviceLevelAt >= this.#serviceLevelEveryMs)
      await this.refreshServiceLevel(now);
    return stats;
  }

  /** Recomputes the service-level gauges (accepted within 30/60/120 s, longest wait, acceptance per mechanic). */
  async refreshServiceLevel(now = this.#services.now()): Promise<void> {
    this.#serviceLevelAt = now.getTime();
    const { metrics } = this.#services;
    const report = await serviceLevelReport(this.#services.db, now);
    for (const threshold of SLA_THRESHOLDS_SECONDS) {
      const share = report.acceptedWithin[threshold];
      if (share === null) metrics.acceptedWithin.remove({ threshold: String(threshold) });
      else metrics.acceptedWithin.set({ threshold: String(threshold) }, share);
    }
    metrics.serviceLevelRequests.set(report.requests);
    metrics.longestWait.set(report.longestWait?.seconds ?? 0);
    metrics.mechanicAcceptance.reset();
    for (const m of report.mechanics) {
      if (m.acceptanceRate !== null)
        metrics.mechanicAcceptance.set({ mechanic: m.mechanicId }, m.acceptanceRate);
    }
  }

  /** Accepted sessions whose mechanic has had no connection for the limit go back, keeping their place. */
  async #returnStranded(db: Db, now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - this.#strandedAfterMs);
    const candidates = await db.sessionAssignment.findMany({
      where: {
        status: 'accepted',
        acceptedAt: { lte: cutoff },
        mechanic: { OR: [{ lastSeenAt: null }, { lastSeenAt: { lte: cutoff } }] },
      },
      select: { id: true, acceptedAt: true, mechanic: { select: { lastSeenAt: true } } },
      take: BATCH,
    });
    const stranded = candidates.filter(
      (a) =>
        a.acceptedAt &&
        isStranded(
          { acceptedAt: a.acceptedAt, lastSeenAt: a.mechanic?.lastSeenAt ?? null },
          now,
          this.#strandedAfterMs,
        ),
    );
    return this.#applyAll(
      stranded,
      { type: 'requeue' },
      { kind: 'dispatcher' },
      strandedReason(this.#strandedAfterMs),
    );
  }

  async #offerQueued(db: Db, now: Date, stats: DispatchStats): Promise<void> {
    // Fair order: urgent requests rank with a head start, so normal ones age past them.
    const order = await db.$queryRawUnsafe<{ id: string }[]>(
      `SELECT id FROM session_assignments WHERE status = 'queued' ORDER BY ${RANK_SQL}, id LIMIT ${BATCH}`,
    );
    if (order.length === 0) return;
    const rows = await db.sessionAssignment.findMany({
      where: { id: { in: order.map((r) => r.id) } },
      select: {
        id: true,
        declinedBy: true,
        updatedAt: true,
        expiredAt: true,
        session: { select: { type: true, workshopId: true } },
      },
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    const mechanics = (await mechanicFacts(db, now)).filter(isReachable).sort(compareIdle);
    const busy = new Set(mechanics.filter((m) => m.hasOpenOffer).map((m) => m.userId));

    for (const { id } of order) {
      const request = byId.get(id);
      if (!request) continue;
      const facts = { sessionType: request.session.type, workshopId: request.session.workshopId };
      const eligible = mechanics.filter((m) => isEligible(m, facts));
      let passed: readonly string[] = request.declinedBy;
      const round = roundState(
        { passed, eligibleOnline: eligible.map((m) => m.userId), lastPassAt: lastPassAt(request) },
        now,
        this.#roundPauseMs,
      );
      if (round.kind === 'exhausted') continue;
      if (round.kind === 'new_round') {
        const reason = newRoundReason(round.passed, this.#roundPauseMs);
        if (!(await this.#apply(id, { type: 'requeue' }, { kind: 'dispatcher' }, reason))) continue;
        stats.newRounds += 1;
        passed = [];
      }
      // Longest idle first (the list is sorted), leaving out who passed, who holds an offer, who is full.
      const left = { passed: 0, busy: 0, full: 0 };
      const ready = eligible.filter((m) => {
        if (passed.includes(m.userId)) left.passed += 1;
        else if (busy.has(m.userId)) left.busy += 1;
        else if (!verdictFor(m, facts.sessionType).ok) left.full += 1;
        else return true;
        return false;
      });
      const chosen = ready[0];
      if (!chosen) continue;
      const expiresAt = new Date(now.getTime() + this.#services.config.offerTimeoutMs);
      const reason = offerReason(ready.length, left);
      const ok = await this.#apply(
        id,
        { type: 'offer', mechanicId: chosen.userId, expiresAt },
        { kind: 'dispatcher' },
        reason,
        undefined,
        chosen.displayName,
      );
      if (ok) {
        // Bookkeeping for "idle longest first", after the offer's statement: losing it to a crash
        // only makes this mechanic look idle a little longer.
        await db.mechanic.update({ where: { userId: chosen.userId }, data: { lastOfferedAt: now } });
        busy.add(chosen.userId);
        stats.offered += 1;
      }
    }
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

/** Why this mechanic: written on the offer event, so the trail answers "why them, why not me?". */
function offerReason(ready: number, left: { passed: number; busy: number; full: number }): string {
  const notes = [
    left.passed ? `${left.passed} already passed this round` : null,
    left.busy ? `${left.busy} holding another offer` : null,
    left.full ? `${left.full} at capacity` : null,
  ].filter((n) => n !== null);
  const of = `longest idle of ${ready} eligible mechanic${ready === 1 ? '' : 's'} free now`;
  return notes.length ? `${of}; not offered: ${notes.join(', ')}` : of;
}
