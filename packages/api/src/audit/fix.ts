import type { Db } from '@dispatch/db';
import { DEFAULT_RECEIPT_RETENTION_DAYS, sessionStatusFor } from '@dispatch/domain';
import { actOnAssignment, CommandError } from '../commands/index.ts';
import { appendEvent } from '../log/index.ts';
import { loadAssignment, toCard, visibilityFacts } from '../queries/rows.ts';
import type { AuditOptions, Finding } from './checks.ts';

/**
 * Repairs the safe findings, each atomically and with an event saying what was fixed and why: a
 * session status that drifted from its assignment follows the assignment again, and an offer
 * whose deadline passed while no dispatcher ran is expired, and delivery receipts older than the
 * retention are deleted. Everything else needs a human.
 * Returns how many were repaired (a finding another actor resolved meanwhile is not counted).
 */
export async function fixFindings(
  db: Db,
  findings: readonly Finding[],
  now: Date,
  options: AuditOptions = {},
): Promise<number> {
  let fixed = 0;
  for (const finding of findings) {
    if (finding.kind === 'stale_receipts' && finding.fixable) {
      // Receipts are evidence, not state: past the retention they are deleted (the writer prunes hourly too).
      const days = Math.trunc(options.retentionDays ?? DEFAULT_RECEIPT_RETENTION_DAYS);
      if (days > 0) {
        // `delivery_receipts` is a view over single receipts and batched deliveries: delete from both.
        await db.$executeRawUnsafe(
          `WITH rows AS (DELETE FROM delivery_receipt_rows WHERE at < $1::timestamptz - make_interval(days => $2::int))
           DELETE FROM delivery_batches WHERE at < $1::timestamptz - make_interval(days => $2::int)`,
          now,
          days,
        );
        fixed += 1;
      }
      continue;
    }
    if (!finding.fixable || !finding.assignmentId) continue;
    const row = await loadAssignment(db, { id: finding.assignmentId });
    if (!row) continue;
    if (finding.kind === 'overdue_offer') {
      try {
        const result = await actOnAssignment(db, {
          row,
          event: { type: 'expire' },
          actor: { kind: 'timer' },
          viewer: null,
          mode: 'targeted',
          requestId: 'audit-fix',
          now,
          reason: `audit: ${finding.detail}`,
        });
        if (result.applied) fixed += 1;
      } catch (error) {
        if (!(error instanceof CommandError) || error.kind === 'busy') throw error;
      }
    } else if (finding.kind === 'status_mismatch') {
      await db.$transaction(async (tx) => {
        await tx.helpSession.update({
          where: { id: row.sessionId },
          data: { status: sessionStatusFor(row.status) },
        });
        const facts = visibilityFacts(row);
        // The event is the transaction's last write: the event-order lock is held only to commit.
        await appendEvent(tx, {
          assignmentId: row.id,
          sessionId: row.sessionId,
          type: 'audit_fix',
          from: row.status,
          to: row.status,
          actor: { kind: 'system' },
          reason: `audit: ${finding.detail}; session status set from its assignment`,
          requestId: 'audit-fix',
          data: { before: facts, after: facts, card: toCard(row) },
        });
      });
      fixed += 1;
    }
  }
  return fixed;
}
