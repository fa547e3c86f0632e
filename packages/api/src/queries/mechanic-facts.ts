import type { Db, DbTransaction } from '@dispatch/db';
import {
  type Availability,
  type CapacityVerdict,
  capacityVerdict,
  effectivePresence,
  type IdleFacts,
  type MechanicKind,
  type MechanicLoad,
  type SessionType,
} from '@dispatch/domain';

/** What dispatch decisions need to know about one mechanic right now. */
export interface MechanicFacts extends IdleFacts {
  userId: string;
  displayName: string;
  kind: MechanicKind;
  workshopId: string | null;
  /** What they chose (available or away); the accept statement checks this. */
  availability: Availability;
  /** What the server sees: their choice, unless their connections went quiet. */
  presence: Availability;
  lastSeenAt: Date | null;
  load: MechanicLoad;
  virtualCapacity: number;
  /** They hold an open targeted offer (one at a time). */
  hasOpenOffer: boolean;
}

interface MechanicRow {
  user_id: string;
  display_name: string;
  kind: MechanicKind;
  workshop_id: string | null;
  availability: Availability;
  last_seen_at: Date | null;
  last_offered_at: Date | null;
  virtual_capacity: number;
  last_session_at: Date | null;
  virtual_load: number;
  in_person_load: number;
  open_offers: number;
}

/**
 * Every mechanic (or only `ids`) with presence, live load, capacity and idle time, in one query.
 * The load is counted from accepted assignments, the source of truth.
 */
export async function mechanicFacts(
  db: Db | DbTransaction,
  now: Date,
  ids?: readonly string[],
): Promise<MechanicFacts[]> {
  const rows = await db.$queryRawUnsafe<MechanicRow[]>(
    `SELECT m.user_id, u.display_name, m.kind, m.workshop_id, m.availability, m.last_seen_at, m.last_offered_at,
            m.virtual_capacity,
            GREATEST(w.live_since, done.completed_at) AS last_session_at,
            COALESCE(w.virtual_load, 0)::int AS virtual_load,
            COALESCE(w.in_person_load, 0)::int AS in_person_load,
            COALESCE(w.open_offers, 0)::int AS open_offers
       FROM mechanics m
       JOIN users u ON u.id = m.user_id
       LEFT JOIN LATERAL (
         SELECT count(*) FILTER (WHERE a.status = 'accepted' AND s.type <> 'in_person') AS virtual_load,
                count(*) FILTER (WHERE a.status = 'accepted' AND s.type = 'in_person') AS in_person_load,
                count(*) FILTER (WHERE a.status = 'offered') AS open_offers,
                max(a.accepted_at) FILTER (WHERE a.status = 'accepted') AS live_since
           FROM session_assignments a
           JOIN sessions s ON s.id = a.session_id
          WHERE a.mechanic_id = m.user_id AND a.status IN ('accepted', 'offered')
       ) w ON true
       -- One index probe (mechanic_id, completed_at), however long their history.
       LEFT JOIN LATERAL (
         SELECT c.completed_at FROM session_assignments c
          WHERE c.mechanic_id = m.user_id AND c.completed_at IS NOT NULL
          ORDER BY c.completed_at DESC LIMIT 1
       ) done ON true
      WHERE ($1::uuid[] IS NULL OR m.user_id = ANY($1::uuid[]))
      ORDER BY m.user_id`,
    ids ? [...ids] : null,
  );
  return rows.map((row) => ({
    userId: row.user_id,
    displayName: row.display_name,
    kind: row.kind,
    workshopId: row.workshop_id,
    availability: row.availability,
    presence: effectivePresence(row.availability, row.last_seen_at, now),
    lastSeenAt: row.last_seen_at,
    lastOfferedAt: row.last_offered_at,
    lastSessionAt: row.last_session_at,
    load: { virtual: row.virtual_load, inPerson: row.in_person_load },
    virtualCapacity: row.virtual_capacity,
    hasOpenOffer: row.open_offers > 0,
  }));
}

/** Whether this mechanic could take one more session of the type now (capacity only). */
export function verdictFor(m: MechanicFacts, sessionType: SessionType): CapacityVerdict {
  return capacityVerdict(m.load, m.virtualCapacity, sessionType);
}

/** Available and online: the only mechanics who get offers and alerts. */
export function isReachable(m: MechanicFacts): boolean {
  return m.presence === 'available';
}

/** When the last pass on a request happened: its last expiry, or its last change (a decline's requeue). */
export function lastPassAt(row: { expiredAt: Date | null; updatedAt: Date }): Date {
  return row.expiredAt && row.expiredAt > row.updatedAt ? row.expiredAt : row.updatedAt;
}
