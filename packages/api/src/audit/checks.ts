import type { Db } from '@dispatch/db';
import {
  ASSIGNMENT_STATUSES,
  DEFAULT_RECEIPT_RETENTION_DAYS,
  PRESENCE_TIMEOUT_MS,
  sessionStatusFor,
} from '@dispatch/domain';

export const FINDING_KINDS = [
  'orphaned_event',
  'orphaned_assignment',
  'session_without_assignment',
  'status_mismatch',
  'latest_event_mismatch',
  'event_out_of_sequence',
  'overdue_offer',
  'stale_receipts',
  'visible_to_nobody',
  'available_without_connection',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Finding {
  kind: FindingKind;
  sessionId: string | null;
  assignmentId: string | null;
  detail: string;
  /** Whether `--fix` repairs it. */
  fixable: boolean;
}

/** The session status each assignment status implies: the domain's sessionStatusFor, as SQL. */
const EXPECTED_SESSION_STATUS = `CASE a.status ${ASSIGNMENT_STATUSES.map(
  (status) => `WHEN '${status}' THEN '${sessionStatusFor(status)}'`,
).join(' ')} END`;

const OVERDUE_GRACE = "interval '5 seconds'";

interface Row {
  session_id: string | null;
  assignment_id: string | null;
  detail: string;
}

const CHECKS: { kind: FindingKind; fixable: boolean; sql: string }[] = [
  {
    kind: 'orphaned_event',
    fixable: false,
    sql: `SELECT e.session_id::text, e.assignment_id::text,
            'event ' || e.id || ' (' || e.type || ') names an assignment that does not exist' AS detail
          FROM assignment_events e LEFT JOIN session_assignments a ON a.id = e.assignment_id
          WHERE a.id IS NULL`,
  },
  {
    kind: 'orphaned_assignment',
    fixable: false,
    sql: `SELECT a.session_id::text, a.id::text AS assignment_id,
            'assignment belongs to no session' AS detail
          FROM session_assignments a LEFT JOIN sessions s ON s.id = a.session_id WHERE s.id IS NULL`,
  },
  {
    kind: 'session_without_assignment',
    fixable: false,
    sql: `SELECT s.id::text AS session_id, NULL AS assignment_id,
            'session is ' || s.status || ' but has no assignment' AS detail
          FROM sessions s LEFT JOIN session_assignments a ON a.session_id = s.id WHERE a.id IS NULL`,
  },
  {
    kind: 'status_mismatch',
    fixable: true,
    sql: `SELECT s.id::text AS session_id, a.id::text AS assignment_id,
            'session is ' || s.status || ', assignment is ' || a.status || ' (session should be ' ||
            ${EXPECTED_SESSION_STATUS} || ')' AS detail
          FROM sessions s JOIN session_assignments a ON a.session_id = s.id
          WHERE s.status::text <> ${EXPECTED_SESSION_STATUS}`,
  },
  {
    kind: 'latest_event_mismatch',
    fixable: false,
    sql: `SELECT a.session_id::text, a.id::text AS assignment_id,
            CASE WHEN latest.to_status IS NULL THEN 'assignment is ' || a.status || ' but has no events'
                 ELSE 'assignment is ' || a.status || ' but its latest event says ' || latest.to_status END AS detail
          FROM session_assignments a
          LEFT JOIN LATERAL (SELECT e.to_status FROM assignment_events e WHERE e.assignment_id = a.id
                             ORDER BY e.position DESC LIMIT 1) latest ON true
          WHERE latest.to_status IS DISTINCT FROM a.status`,
  },
  {
    kind: 'event_out_of_sequence',
    fixable: false,
    sql: `SELECT session_id::text, assignment_id::text,
            'event ' || id || ' (' || type || ') starts from ' || coalesce(from_status::text, 'nothing') ||
            ' but the previous event ended at ' || coalesce(previous::text, 'nothing') AS detail
          FROM (SELECT e.*, lag(e.to_status) OVER (PARTITION BY e.assignment_id ORDER BY e.position) AS previous
                FROM assignment_events e) ordered
          WHERE from_status IS DISTINCT FROM previous`,
  },
  {
    kind: 'overdue_offer',
    fixable: true,
    sql: `SELECT a.session_id::text, a.id::text AS assignment_id,
            'offer to ' || a.mechanic_id || ' ran out at ' || a.offer_expires_at || ' and is still open' AS detail
          FROM session_assignments a
          WHERE a.status = 'offered' AND a.offer_expires_at < now() - ${OVERDUE_GRACE}`,
  },
];

export interface AuditOptions {
  /** RECEIPT_RETENTION_DAYS: receipts older than this are findings (0: receipts are off, no checks on them). */
  retentionDays?: number;
  /** A waiting request no mechanic's connection was handed for this long is a finding. */
  unseenAfterMinutes?: number;
  /** A mechanic Available whose last heartbeat is older than this is a finding. */
  quietAfterMinutes?: number;
}

const DEFAULT_UNSEEN_AFTER_MINUTES = 5;
const DEFAULT_QUIET_AFTER_MINUTES = Math.max(5, Math.ceil(PRESENCE_TIMEOUT_MS / 60_000));

/** Checks over delivery receipts and presence; their thresholds are settings (whole numbers only). */
function deliveryChecks(options: AuditOptions): { kind: FindingKind; fixable: boolean; sql: string }[] {
  const retention = Math.trunc(options.retentionDays ?? DEFAULT_RECEIPT_RETENTION_DAYS);
  const unseen = Math.trunc(options.unseenAfterMinutes ?? DEFAULT_UNSEEN_AFTER_MINUTES);
  const quiet = Math.trunc(options.quietAfterMinutes ?? DEFAULT_QUIET_AFTER_MINUTES);
  const checks: { kind: FindingKind; fixable: boolean; sql: string }[] = [
    {
      kind: 'available_without_connection',
      fixable: false,
      // Never-seen mechanics (fresh accounts) are left out: they have had no connection to lose.
      sql: `SELECT NULL AS session_id, NULL AS assignment_id,
              'mechanic ' || u.display_name || ' <' || u.email || '> is Available but has had no connection since ' ||
              to_char(m.last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC (offers skip them as offline)' AS detail
            FROM mechanics m JOIN users u ON u.id = m.user_id
            WHERE m.availability = 'available' AND m.last_seen_at < now() - make_interval(mins => ${quiet})
              AND NOT EXISTS (SELECT 1 FROM mechanic_connections c
                               WHERE c.mechanic_id = m.user_id AND c.seen_at > now() - make_interval(mins => ${quiet}))
            ORDER BY u.email`,
    },
  ];
  if (retention <= 0) return checks;
  return [
    ...checks,
    {
      kind: 'stale_receipts',
      fixable: true,
      sql: `SELECT NULL AS session_id, NULL AS assignment_id,
              count(*) || ' delivery receipts are older than the ${retention}-day retention (oldest ' ||
              to_char(min(at) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC)' AS detail
            FROM delivery_receipts WHERE at < now() - make_interval(days => ${retention})
            HAVING count(*) > 0`,
    },
    {
      kind: 'visible_to_nobody',
      fixable: false,
      sql: `SELECT a.session_id::text, a.id::text AS assignment_id,
              'waiting (' || a.status || ') since ' || to_char(a.queued_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') ||
              ' UTC and no mechanic''s connection was handed it (pnpm explain ' || a.session_id || ')' AS detail
            FROM session_assignments a
            WHERE a.status IN ('queued', 'offered', 'declined', 'expired')
              AND a.queued_at < now() - make_interval(mins => ${unseen})
              AND NOT EXISTS (SELECT 1 FROM delivery_receipts r
                               WHERE r.session_id = a.session_id AND r.channel = 'delivered' AND r.at >= a.queued_at)
            ORDER BY a.queued_at`,
    },
  ];
}

/** Runs every check; read-only. */
export async function audit(db: Db, options: AuditOptions = {}): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const check of [...CHECKS, ...deliveryChecks(options)]) {
    const rows = await db.$queryRawUnsafe<Row[]>(check.sql);
    for (const row of rows) {
      findings.push({
        kind: check.kind,
        sessionId: row.session_id,
        assignmentId: row.assignment_id,
        detail: row.detail,
        fixable: check.fixable,
      });
    }
  }
  return findings;
}
