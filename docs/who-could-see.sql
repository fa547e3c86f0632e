-- "Who could see this?" for one request, in one query: every mechanic with a verdict code, a plain
-- reason, and what their connections received and did (delivery receipts), millisecond times.
--
--   psql "$DATABASE_URL" -v session_id=<session uuid> -v mode=broadcast -f docs/who-could-see.sql
--
-- `mode` is the server's DISPATCH_MODE (broadcast or targeted). Times are in the session's
-- TimeZone (SET TimeZone = 'Europe/Berlin'; first, for local times).
--
-- The verdict is the same rule, in the same order, as packages/domain/src/sight.ts (sightVerdict),
-- which the admin board and `pnpm explain` use; packages/api/test/who-could-see.test.ts runs this
-- file over a matrix of mechanics and requests and checks both give the same code for every one.
-- Order: eligibility (kind, workshop) > waiver pending > who holds it (offered, accepted, completed,
-- cancelled) > passes this round (declined, or an offer left to expire) > presence (offline: chose it or
-- no heartbeat for 60 s; away) > capacity (in person blocks everything; virtual up to the
-- mechanic's capacity) > targeted mode offers one at a time > can see it.
WITH req AS (
  SELECT s.id AS session_id, s.type, s.workshop_id, w.name AS workshop_name, a.status, a.mechanic_id,
         a.declined_by, holder.display_name AS holder_name
    FROM sessions s
    JOIN session_assignments a ON a.session_id = s.id
    LEFT JOIN workshops w ON w.id = s.workshop_id
    LEFT JOIN users holder ON holder.id = a.mechanic_id
   WHERE s.id = :'session_id'::uuid
),
mech AS (
  SELECT m.user_id, u.display_name, u.email, m.kind, m.workshop_id, m.availability, m.last_seen_at,
         m.away_set_at, m.away_reason, m.virtual_capacity,
         CASE WHEN m.availability = 'offline' OR m.last_seen_at IS NULL
                   OR now() - m.last_seen_at > interval '60 seconds' THEN 'offline'
              ELSE m.availability::text END AS presence,
         (SELECT count(*) FROM session_assignments l JOIN sessions ls ON ls.id = l.session_id
           WHERE l.mechanic_id = m.user_id AND l.status = 'accepted' AND ls.type <> 'in_person') AS virtual_load,
         (SELECT count(*) FROM session_assignments l JOIN sessions ls ON ls.id = l.session_id
           WHERE l.mechanic_id = m.user_id AND l.status = 'accepted' AND ls.type = 'in_person') AS in_person_load,
         (SELECT coalesce(sum(c.connections), 0) FROM mechanic_connections c
           WHERE c.mechanic_id = m.user_id AND c.seen_at > now() - interval '60 seconds') AS connections
    FROM mechanics m JOIN users u ON u.id = m.user_id
),
trail AS (
  SELECT coalesce(CASE e.type WHEN 'offer' THEN e.data->'after'->>'mechanicId'
                              WHEN 'expire' THEN e.data->'before'->>'mechanicId'
                              ELSE e.actor_id::text END, '') AS mechanic_id,
         max(e.created_at) FILTER (WHERE e.type = 'offer') AS offered_at,
         max(e.created_at) FILTER (WHERE e.type = 'decline') AS declined_at,
         max(e.created_at) FILTER (WHERE e.type = 'expire') AS expired_at,
         max(e.created_at) FILTER (WHERE e.type = 'accept') AS accepted_at
    FROM assignment_events e
   WHERE e.session_id = :'session_id'::uuid AND e.type IN ('offer', 'decline', 'expire', 'accept')
   GROUP BY 1
),
receipts AS (
  SELECT r.mechanic_id::text AS mechanic_id,
         string_agg(to_char(r.at, 'HH24:MI:SS.MS') || ' on ' || coalesce(r.process, '?'), ', ' ORDER BY r.at)
           FILTER (WHERE r.channel = 'delivered') AS delivered,
         min(r.at) FILTER (WHERE r.channel = 'shown') AS shown_at,
         string_agg(r.channel || ' at ' || to_char(r.at, 'HH24:MI:SS.MS'), ', ' ORDER BY r.at)
           FILTER (WHERE r.channel NOT IN ('delivered', 'shown')) AS alerted
    FROM delivery_receipts r
   WHERE r.session_id = :'session_id'::uuid
   GROUP BY r.mechanic_id
),
decided AS (
  SELECT mech.*, req.*, trail.offered_at, trail.declined_at, trail.expired_at, trail.accepted_at,
         CASE
           WHEN mech.kind = 'virtual_only' AND req.type = 'in_person' THEN 'virtual_only'
           WHEN mech.kind = 'workshop' AND req.workshop_id IS NOT NULL
                AND req.workshop_id IS DISTINCT FROM mech.workshop_id THEN 'wrong_workshop'
           WHEN req.status = 'pending_waiver' THEN 'not_queued'
           WHEN req.status = 'offered' AND req.mechanic_id = mech.user_id THEN 'holds_offer'
           WHEN req.status = 'offered' THEN 'offered_to_other'
           WHEN req.status = 'accepted' AND req.mechanic_id = mech.user_id THEN 'accepted_it'
           WHEN req.status = 'completed' AND req.mechanic_id = mech.user_id THEN 'finished_it'
           WHEN req.status IN ('accepted', 'completed') THEN 'taken_by_other'
           WHEN req.status = 'cancelled' THEN 'closed'
           WHEN mech.user_id = ANY (req.declined_by) AND trail.expired_at IS NOT NULL
                AND (trail.declined_at IS NULL OR trail.expired_at > trail.declined_at) THEN 'offer_expired'
           WHEN mech.user_id = ANY (req.declined_by) THEN 'declined'
           WHEN mech.presence = 'offline' THEN 'offline'
           WHEN mech.presence = 'away' THEN 'away'
           WHEN mech.in_person_load >= 1 THEN 'in_person_in_progress'
           WHEN req.type <> 'in_person' AND mech.virtual_load >= mech.virtual_capacity THEN 'at_capacity'
           WHEN req.type = 'in_person' AND mech.virtual_load >= 1 THEN 'finish_live_sessions_first'
           WHEN :'mode' = 'broadcast' AND req.status = 'queued' THEN 'can_see'
           ELSE 'waiting_turn'
         END AS verdict
    FROM mech CROSS JOIN req
    LEFT JOIN trail ON trail.mechanic_id = mech.user_id::text
)
SELECT d.display_name AS mechanic, d.email, d.verdict,
       CASE d.verdict
         WHEN 'virtual_only' THEN 'Cannot see it: virtual-only, and this is in person'
         WHEN 'wrong_workshop' THEN 'Cannot see it: wrong workshop (this is for ' || d.workshop_name || ')'
         WHEN 'not_queued' THEN 'Nobody sees it yet: waiting for the waiver'
         WHEN 'holds_offer' THEN 'Offered to them at ' || to_char(d.offered_at, 'HH24:MI:SS.MS')
         WHEN 'offered_to_other' THEN 'Cannot see it now: offered to ' || d.holder_name
         WHEN 'accepted_it' THEN 'Accepted it at ' || to_char(d.accepted_at, 'HH24:MI:SS.MS')
         WHEN 'finished_it' THEN 'Completed it'
         WHEN 'taken_by_other' THEN 'Cannot see it: taken by ' || d.holder_name
         WHEN 'closed' THEN 'Closed: no longer open'
         WHEN 'declined' THEN 'Declined at ' || coalesce(to_char(d.declined_at, 'HH24:MI:SS.MS'), '?')
         WHEN 'offer_expired' THEN 'Offer expired at ' || to_char(d.expired_at, 'HH24:MI:SS.MS') || ' (not answered)'
         WHEN 'offline' THEN coalesce('Offline since ' || to_char(d.last_seen_at, 'HH24:MI:SS.MS'), 'Offline (never connected)')
         WHEN 'away' THEN 'Away' || coalesce(' since ' || to_char(d.away_set_at, 'HH24:MI:SS.MS'), '')
                          || coalesce(' (' || d.away_reason || ')', '')
         WHEN 'in_person_in_progress' THEN 'At capacity: on an in-person visit'
         WHEN 'at_capacity' THEN 'At capacity (' || d.virtual_load || ' of ' || d.virtual_capacity || ' live sessions)'
         WHEN 'finish_live_sessions_first' THEN 'At capacity: an in-person visit needs them free'
         WHEN 'waiting_turn' THEN 'Not offered to them yet (one mechanic at a time)'
         ELSE 'Can see it'
       END AS reason,
       d.connections, r.delivered, to_char(r.shown_at, 'HH24:MI:SS.MS') AS shown, r.alerted
  FROM decided d
  LEFT JOIN receipts r ON r.mechanic_id = d.user_id::text
 ORDER BY d.display_name, d.user_id;
