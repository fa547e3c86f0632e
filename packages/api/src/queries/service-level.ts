import type { Db, DbTransaction } from '@dispatch/db';
import { type ServiceLevel, SLA_THRESHOLDS_SECONDS, serviceLevel } from '@dispatch/domain';

type Reader = Db | DbTransaction;

/** The window the service-level figures cover. */
const SERVICE_LEVEL_WINDOW_MS = 60 * 60_000;
const SLOWEST_THRESHOLD_MS = Math.max(...SLA_THRESHOLDS_SECONDS) * 1000;

interface MechanicAcceptance {
  mechanicId: string;
  displayName: string;
  /** Targeted offers made to them in the window, and how each ended. */
  offers: number;
  acceptedOffers: number;
  declined: number;
  lapsed: number;
  /** Every accept by them in the window (broadcast accepts included). */
  accepts: number;
  /** acceptedOffers / offers; null without offers. */
  acceptanceRate: number | null;
}

export interface ServiceLevelReport extends ServiceLevel {
  windowSeconds: number;
  /** The request waiting longest right now (from when it first entered the queue). */
  longestWait: { sessionId: string; seconds: number } | null;
  mechanics: MechanicAcceptance[];
}

/**
 * Service-level figures for the admin board and /metrics. A request counts once it was accepted,
 * given up on, or has waited past the slowest threshold; one never accepted counts against every
 * threshold. Requests are those that entered the queue in the window.
 */
export async function serviceLevelReport(
  db: Reader,
  now: Date,
  windowMs = SERVICE_LEVEL_WINDOW_MS,
): Promise<ServiceLevelReport> {
  const since = new Date(now.getTime() - windowMs);
  const decided = await db.sessionAssignment.findMany({
    where: {
      queuedAt: { gte: since, lte: now },
      OR: [
        { acceptedAt: { not: null } },
        { status: { in: ['cancelled', 'completed'] } },
        { queuedAt: { lte: new Date(now.getTime() - SLOWEST_THRESHOLD_MS) } },
      ],
    },
    select: { queuedAt: true, acceptedAt: true },
  });
  const outcomes = decided.map((a) =>
    a.acceptedAt && a.queuedAt && a.acceptedAt <= now ? a.acceptedAt.getTime() - a.queuedAt.getTime() : null,
  );

  const oldest = await db.sessionAssignment.findFirst({
    where: { status: { in: ['queued', 'offered', 'declined', 'expired'] }, queuedAt: { not: null } },
    orderBy: { queuedAt: 'asc' },
    select: { sessionId: true, queuedAt: true },
  });

  const rows = await db.$queryRawUnsafe<
    {
      mechanic_id: string;
      display_name: string;
      offers: number;
      accepted_offers: number;
      declined: number;
      lapsed: number;
      accepts: number;
    }[]
  >(
    `WITH e AS (
       SELECT type, from_status, actor_id,
              CASE type WHEN 'offer' THEN (data->'after'->>'mechanicId')::uuid
                        WHEN 'expire' THEN (data->'before'->>'mechanicId')::uuid
                        ELSE actor_id END AS mechanic_id
         FROM assignment_events
        WHERE created_at >= $1 AND type IN ('offer', 'accept', 'decline', 'expire')
     )
     SELECT m.user_id AS mechanic_id, u.display_name,
            count(*) FILTER (WHERE e.type = 'offer')::int AS offers,
            count(*) FILTER (WHERE e.type = 'accept' AND e.from_status = 'offered')::int AS accepted_offers,
            count(*) FILTER (WHERE e.type = 'decline')::int AS declined,
            count(*) FILTER (WHERE e.type = 'expire')::int AS lapsed,
            count(*) FILTER (WHERE e.type = 'accept')::int AS accepts
       FROM mechanics m
       JOIN users u ON u.id = m.user_id
       LEFT JOIN e ON e.mechanic_id = m.user_id
      GROUP BY m.user_id, u.display_name
      ORDER BY u.display_name, m.user_id`,
    since,
  );

  return {
    windowSeconds: Math.round(windowMs / 1000),
    ...serviceLevel(outcomes),
    longestWait:
      oldest?.queuedAt && oldest.queuedAt <= now
        ? {
            sessionId: oldest.sessionId,
            seconds: Math.round((now.getTime() - oldest.queuedAt.getTime()) / 1000),
          }
        : null,
    mechanics: rows.map((r) => ({
      mechanicId: r.mechanic_id,
      displayName: r.display_name,
      offers: r.offers,
      acceptedOffers: r.accepted_offers,
      declined: r.declined,
      lapsed: r.lapsed,
      accepts: r.accepts,
      acceptanceRate: r.offers > 0 ? r.accepted_offers / r.offers : null,
    })),
  };
}
