import type { Db } from '@dispatch/db';
import { sessionStatusFor } from '@dispatch/domain';
import { recordEvent } from '../core/record-event.ts';
import { assignmentRowInclude, toCard, visibilityFacts } from '../core/rows.ts';
import { applyTransition } from '../core/transition.ts';
import type { Finding } from './checks.ts';

/**
 * Repairs the safe findings in one transaction, each with an event saying what was fixed and
 * why: a session status that drifted from its assignment follows the assignment again, and an
 * offer whose deadline passed while no dispatcher ran is expired. Everything else needs a human.
 */
export async function fixFindings(db: Db, findings: readonly Finding[], now: Date): Promise<number> {
  const fixable = findings.filter((f) => f.fixable && f.assignmentId);
  if (fixable.length === 0) return 0;
  await db.$transaction(async (tx) => {
    for (const finding of fixable) {
      const assignmentId = finding.assignmentId as string;
      if (finding.kind === 'overdue_offer') {
        await applyTransition(tx, {
          assignmentId,
          event: { type: 'expire' },
          actor: { kind: 'timer' },
          requestId: 'audit-fix',
          now,
          reason: `audit: ${finding.detail}`,
        });
      } else if (finding.kind === 'status_mismatch') {
        const row = await tx.sessionAssignment.findUniqueOrThrow({
          where: { id: assignmentId },
          include: assignmentRowInclude,
        });
        await tx.helpSession.update({
          where: { id: row.sessionId },
          data: { status: sessionStatusFor(row.status) },
        });
        const facts = visibilityFacts(row);
        await recordEvent(tx, {
          assignmentId,
          sessionId: row.sessionId,
          type: 'audit_fix',
          from: row.status,
          to: row.status,
          actor: { kind: 'system' },
          reason: `audit: ${finding.detail}; session status set from its assignment`,
          requestId: 'audit-fix',
          data: { before: facts, after: facts, card: toCard(row) },
        });
      }
    }
  });
  return fixable.length;
}
