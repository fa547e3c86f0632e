import type { Db, DbTransaction } from '@dispatch/db';
import {
  type AssignmentStatus,
  type DispatchMode,
  eligibleFor,
  honestPosition,
  isEligible,
  ROUND_PAUSE_MS,
  roundState,
  type SessionType,
  STRANDED_REASON_PREFIX,
  type VisibilityFacts,
  WAIT_MAX_SAMPLES,
  WAIT_WINDOW_MS,
  type WaitingFacts,
  type WaitingMessage,
  type WaitingNotice,
  type WaitRange,
  waitingMessage,
  waitRange,
} from '@dispatch/domain';
import { isReachable, lastPassAt, type MechanicFacts, mechanicFacts, verdictFor } from './mechanic-facts.ts';

type Reader = Db | DbTransaction;
const WAITING: readonly AssignmentStatus[] = ['queued', 'offered', 'declined', 'expired'];

export interface WaitingFactsResult {
  facts: WaitingFacts;
  message: WaitingMessage;
}

/**
 * The facts behind what a waiting customer is told, and the message they make, for one assignment;
 * null when it is not waiting. The session details query includes this.
 */
export async function waitingFacts(
  db: Reader,
  assignmentId: string,
  now: Date,
  mode: DispatchMode,
  options: { roundPauseMs?: number } = {},
): Promise<WaitingFactsResult | null> {
  const a = await db.sessionAssignment.findUnique({
    where: { id: assignmentId },
    select: {
      id: true,
      status: true,
      urgent: true,
      queuedAt: true,
      createdAt: true,
      acceptedAt: true,
      updatedAt: true,
      expiredAt: true,
      declinedBy: true,
      session: { select: { type: true, workshopId: true } },
    },
  });
  if (!a || !WAITING.includes(a.status)) return null;
  const request = { sessionType: a.session.type, workshopId: a.session.workshopId };
  const everyone = await mechanicFacts(db, now);
  const online = everyone.filter(isReachable);
  const eligibleOnline = eligibleFor(request, online);
  const free = eligibleOnline.filter((m) => canTakeNow(m, request.sessionType, mode));

  const waiting = await db.sessionAssignment.findMany({
    where: { status: { in: [...WAITING] } },
    select: {
      id: true,
      urgent: true,
      queuedAt: true,
      createdAt: true,
      session: { select: { type: true, workshopId: true } },
    },
    take: 1000,
  });
  const asRanked = (w: (typeof waiting)[number]) => ({
    id: w.id,
    urgent: w.urgent,
    queuedAt: w.queuedAt ?? w.createdAt,
    sessionType: w.session.type,
    workshopId: w.session.workshopId,
  });
  const target = { id: a.id, urgent: a.urgent, queuedAt: a.queuedAt ?? a.createdAt, ...request };
  const position = honestPosition(target, waiting.map(asRanked), online, everyone);

  let nextRoundAt: Date | null = null;
  if (mode === 'targeted' && a.status !== 'offered') {
    const round = roundState(
      {
        passed: a.declinedBy,
        eligibleOnline: eligibleOnline.map((m) => m.userId),
        lastPassAt: lastPassAt(a),
      },
      now,
      options.roundPauseMs ?? ROUND_PAUSE_MS,
    );
    if (round.kind === 'exhausted') nextRoundAt = round.nextRoundAt;
  }

  const facts: WaitingFacts = {
    mode,
    online: eligibleOnline.length,
    free: free.length,
    position,
    offeredNow: a.status === 'offered',
    nextRoundAt,
    returned: a.acceptedAt === null ? null : await whyReturned(db, a.id),
    typicalWait: await typicalWait(db, request, now),
  };
  return { facts, message: waitingMessage(facts, now) };
}

/** Under capacity and, in targeted mode, not holding another offer. */
function canTakeNow(m: MechanicFacts, sessionType: SessionType, mode: DispatchMode): boolean {
  return verdictFor(m, sessionType).ok && (mode === 'broadcast' || !m.hasOpenOffer);
}

/**
 * The typical queue-to-accept time of recent comparable requests (same session type; for in-person
 * visits, the same workshop choice), or null without enough of them.
 */
export async function typicalWait(
  db: Reader,
  request: Pick<VisibilityFacts, 'sessionType' | 'workshopId'>,
  now: Date,
): Promise<WaitRange | null> {
  const rows = await db.sessionAssignment.findMany({
    where: {
      acceptedAt: { gte: new Date(now.getTime() - WAIT_WINDOW_MS), lte: now },
      queuedAt: { not: null },
      session: {
        type: request.sessionType,
        ...(request.sessionType === 'in_person' ? { workshopId: request.workshopId } : {}),
      },
    },
    select: { queuedAt: true, acceptedAt: true },
    orderBy: { acceptedAt: 'desc' },
    take: WAIT_MAX_SAMPLES,
  });
  return waitRange(
    rows.flatMap((r) => (r.queuedAt && r.acceptedAt ? [r.acceptedAt.getTime() - r.queuedAt.getTime()] : [])),
  );
}

/** Mechanics who could take a request of this kind, and how many of them are online and free. */
export function availabilityFor(
  mechanics: readonly MechanicFacts[],
  request: Pick<VisibilityFacts, 'sessionType' | 'workshopId'>,
  mode: DispatchMode,
): { online: number; free: number } {
  const online = mechanics.filter((m) => isReachable(m) && isEligible(m, request));
  return {
    online: online.length,
    free: online.filter((m) => canTakeNow(m, request.sessionType, mode)).length,
  };
}

/**
 * Why an accepted request is waiting again: the latest accepted -> queued event says (the
 * dispatcher's lost-connection return, or an admin's re-offer or reassign).
 */
async function whyReturned(db: Reader, assignmentId: string): Promise<WaitingNotice | null> {
  const [last] = await db.$queryRaw<{ actor_kind: string; reason: string | null }[]>`
    SELECT actor_kind, reason FROM assignment_events
     WHERE assignment_id = ${assignmentId}::uuid AND from_status = 'accepted' AND to_status = 'queued'
     ORDER BY position DESC LIMIT 1`;
  if (!last) return null;
  if (last.actor_kind === 'admin') return 'moved_by_support';
  return last.reason?.startsWith(STRANDED_REASON_PREFIX) ? 'mechanic_lost_connection' : null;
}
