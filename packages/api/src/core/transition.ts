import type { DbTransaction } from '@dispatch/db';
import type { Actor, AssignmentEvent, Refusal } from '@dispatch/domain';
import { sessionStatusFor, transition } from '@dispatch/domain';
import { TRPCError } from '@trpc/server';
import { RefusalError } from '../trpc.ts';
import { recordEvent } from './record-event.ts';
import { type AssignmentRow, assignmentRowInclude, domainState, toCard, visibilityFacts } from './rows.ts';

export type TransitionEvent = Exclude<AssignmentEvent, { type: 'create' }>;

export interface TransitionRequest {
  assignmentId: string;
  event: TransitionEvent;
  actor: Actor;
  requestId: string | null;
  now: Date;
  /** Why, when the event type alone does not say (cancel reasons are taken from the event). */
  reason?: string;
}

export class VersionConflictError extends Error {
  constructor(readonly assignmentId: string) {
    super('The request changed while you were acting on it.');
  }
}

/**
 * The one way an existing assignment changes: domain transition, versioned update, session status,
 * event row and notification, all in the caller's transaction.
 */
export async function applyTransition(tx: DbTransaction, request: TransitionRequest): Promise<AssignmentRow> {
  const row = await tx.sessionAssignment.findUnique({
    where: { id: request.assignmentId },
    include: assignmentRowInclude,
  });
  if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such request.' });

  const result = transition(domainState(row), request.event, request.actor, request.now);
  if (!result.ok) throw refusalError(result.refusal);
  const next = result.state;

  const changes = {
    status: next.status,
    mechanicId: next.mechanicId,
    offerExpiresAt: next.offerExpiresAt,
    declinedBy: [...next.declinedBy],
    ...timestampsFor(request),
  };
  const updated = await tx.sessionAssignment.updateMany({
    where: { id: row.id, version: row.version },
    data: { ...changes, version: { increment: 1 } },
  });
  if (updated.count === 0) {
    const conflict = new VersionConflictError(row.id);
    throw new TRPCError({ code: 'CONFLICT', message: conflict.message, cause: conflict });
  }

  const sessionStatus = sessionStatusFor(next.status);
  await tx.helpSession.update({
    where: { id: row.sessionId },
    data: {
      status: sessionStatus,
      ...(request.event.type === 'cancel' ? { cancelReason: request.event.reason } : {}),
    },
  });

  const after: AssignmentRow = {
    ...row,
    ...changes,
    version: row.version + 1,
    mechanic: next.mechanicId === row.mechanicId ? row.mechanic : await loadMechanic(tx, next.mechanicId),
  };
  await recordEvent(tx, {
    assignmentId: row.id,
    sessionId: row.sessionId,
    type: request.event.type,
    from: row.status,
    to: next.status,
    actor: request.actor,
    reason: request.reason ?? reasonOf(request.event),
    requestId: request.requestId,
    data: { before: visibilityFacts(row), after: visibilityFacts(after), card: toCard(after) },
  });
  return after;
}

/** A domain refusal as a tRPC error: FORBIDDEN for who-may rules, CONFLICT for state rules. */
export function refusalError(refusal: Refusal): TRPCError {
  const forbidden = refusal.code === 'not_owner' || refusal.code === 'actor_not_allowed';
  return new TRPCError({
    code: forbidden ? 'FORBIDDEN' : 'CONFLICT',
    message: refusal.message,
    cause: new RefusalError(refusal.code, refusal.message),
  });
}

/** True when the error is a lost optimistic-concurrency race. */
export function isVersionConflict(error: unknown): boolean {
  return error instanceof TRPCError && error.cause instanceof VersionConflictError;
}

async function loadMechanic(
  tx: DbTransaction,
  mechanicId: string | null,
): Promise<AssignmentRow['mechanic']> {
  if (!mechanicId) return null;
  return tx.mechanic.findUnique({
    where: { userId: mechanicId },
    select: { userId: true, user: { select: { displayName: true } } },
  });
}

function reasonOf(event: TransitionEvent): string | null {
  return event.type === 'cancel' ? event.reason : null;
}

function timestampsFor({ event, now }: TransitionRequest) {
  switch (event.type) {
    case 'sign_waiver':
      return { queuedAt: now };
    case 'requeue':
      return {};
    case 'offer':
      return { offeredAt: now };
    case 'expire':
      return { expiredAt: now };
    case 'accept':
      return { acceptedAt: now };
    case 'complete':
      return { completedAt: now };
    case 'cancel':
      return { cancelledAt: now, cancelReason: event.reason };
    case 'decline':
      return {};
  }
}
