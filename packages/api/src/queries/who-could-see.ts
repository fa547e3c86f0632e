import type { Db } from '@dispatch/db';
import {
  type AssignmentCard,
  type Availability,
  type DispatchMode,
  type MechanicKind,
  NO_HISTORY,
  PRESENCE_TIMEOUT_MS,
  type ReceiptChannel,
  type SightHistory,
  type SightMechanic,
  type SightReceipt,
  type SightRequest,
  type SightVerdict,
  sightVerdict,
} from '@dispatch/domain';
import { loadAssignment, toCard, visibilityFacts } from './rows.ts';

interface MechanicRow {
  user_id: string;
  display_name: string;
  email: string;
  kind: MechanicKind;
  workshop_id: string | null;
  workshop_name: string | null;
  availability: Availability;
  last_seen_at: Date | null;
  away_set_at: Date | null;
  away_reason: string | null;
  virtual_capacity: number;
  virtual_load: number;
  in_person_load: number;
  connections: number;
}

/**
 * Every mechanic (or one, by email) with what decides what they may see and take: kind, workshop,
 * choice, last heartbeat, Away time and reason, live load against capacity, open connections now.
 */
export async function sightMechanics(db: Db, now: Date, email?: string): Promise<SightMechanic[]> {
  const rows = await db.$queryRawUnsafe<MechanicRow[]>(
    `SELECT m.user_id, u.display_name, u.email, m.kind, m.workshop_id, w.name AS workshop_name, m.availability,
            m.last_seen_at, m.away_set_at, m.away_reason, m.virtual_capacity,
            COALESCE(l.virtual_load, 0)::int AS virtual_load, COALESCE(l.in_person_load, 0)::int AS in_person_load,
            COALESCE(c.connections, 0)::int AS connections
       FROM mechanics m
       JOIN users u ON u.id = m.user_id
       LEFT JOIN workshops w ON w.id = m.workshop_id
       LEFT JOIN LATERAL (
         SELECT count(*) FILTER (WHERE s.type <> 'in_person') AS virtual_load,
                count(*) FILTER (WHERE s.type = 'in_person') AS in_person_load
           FROM session_assignments a JOIN sessions s ON s.id = a.session_id
          WHERE a.mechanic_id = m.user_id AND a.status = 'accepted'
       ) l ON true
       LEFT JOIN LATERAL (
         SELECT sum(mc.connections) AS connections FROM mechanic_connections mc
          WHERE mc.mechanic_id = m.user_id AND mc.seen_at > $1::timestamptz - make_interval(secs => $2::int / 1000.0)
       ) c ON true
      WHERE ($3::text IS NULL OR u.email = lower($3::text))
      ORDER BY u.display_name, m.user_id`,
    now,
    PRESENCE_TIMEOUT_MS,
    email ?? null,
  );
  return rows.map((r) => ({
    userId: r.user_id,
    displayName: r.display_name,
    email: r.email,
    kind: r.kind,
    workshopId: r.workshop_id,
    workshopName: r.workshop_name,
    availability: r.availability,
    lastSeenAt: r.last_seen_at,
    awaySetAt: r.away_set_at,
    awayReason: r.away_reason,
    load: { virtual: r.virtual_load, inPerson: r.in_person_load },
    virtualCapacity: r.virtual_capacity,
    connections: r.connections,
  }));
}

interface TrailRow {
  type: string;
  actor_id: string | null;
  before_mechanic: string | null;
  after_mechanic: string | null;
  created_at: Date;
}

/** Per mechanic, the latest offer, decline, expiry and accept of this session in the event trail. */
async function histories(db: Db, sessionId: string): Promise<Map<string, SightHistory>> {
  const rows = await db.$queryRawUnsafe<TrailRow[]>(
    `SELECT type, actor_id::text, data->'before'->>'mechanicId' AS before_mechanic,
            data->'after'->>'mechanicId' AS after_mechanic, created_at
       FROM assignment_events WHERE session_id = $1::uuid ORDER BY position`,
    sessionId,
  );
  const map = new Map<string, SightHistory>();
  const set = (id: string | null, key: keyof SightHistory, at: Date) => {
    if (!id) return;
    map.set(id, { ...(map.get(id) ?? NO_HISTORY), [key]: at });
  };
  for (const row of rows) {
    if (row.type === 'offer') set(row.after_mechanic, 'offeredAt', row.created_at);
    else if (row.type === 'decline') set(row.actor_id ?? row.before_mechanic, 'declinedAt', row.created_at);
    else if (row.type === 'expire') set(row.before_mechanic, 'expiredAt', row.created_at);
    else if (row.type === 'accept') set(row.actor_id ?? row.after_mechanic, 'acceptedAt', row.created_at);
  }
  return map;
}

async function receiptsOf(db: Db, sessionId: string): Promise<Map<string, SightReceipt[]>> {
  const rows = await db.$queryRawUnsafe<
    { mechanic_id: string; channel: ReceiptChannel; at: Date; process: string | null }[]
  >(
    `SELECT mechanic_id::text, channel, at, process FROM delivery_receipts
      WHERE session_id = $1::uuid ORDER BY at, id LIMIT 5000`,
    sessionId,
  );
  const map = new Map<string, SightReceipt[]>();
  for (const r of rows) {
    const list = map.get(r.mechanic_id) ?? [];
    list.push({ channel: r.channel, at: r.at, process: r.process });
    map.set(r.mechanic_id, list);
  }
  return map;
}

export interface WhoCouldSee {
  card: AssignmentCard;
  request: SightRequest;
  verdicts: SightVerdict[];
}

/**
 * "Who could see this?" for one session: every mechanic (or the one with `email`) with the domain's
 * verdict. Null when there is no such session.
 */
export async function whoCouldSee(
  db: Db,
  sessionId: string,
  mode: DispatchMode,
  now: Date,
  email?: string,
): Promise<WhoCouldSee | null> {
  const row = await loadAssignment(db, { sessionId });
  if (!row) return null;
  const card = toCard(row);
  const request: SightRequest = {
    ...visibilityFacts(row),
    mechanicName: card.mechanic?.displayName ?? null,
    workshopName: card.workshop?.name ?? null,
    declinedBy: row.declinedBy,
  };
  const [mechanics, trail, receipts] = await Promise.all([
    sightMechanics(db, now, email),
    histories(db, sessionId),
    receiptsOf(db, sessionId),
  ]);
  const verdicts = mechanics.map((m) =>
    sightVerdict(m, request, trail.get(m.userId) ?? NO_HISTORY, receipts.get(m.userId) ?? [], mode, now),
  );
  return { card, request, verdicts };
}
