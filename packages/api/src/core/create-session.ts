import type { DbTransaction } from '@dispatch/db';
import { type Actor, type Intake, sessionStatusFor, transition } from '@dispatch/domain';
import { fieldError } from '../trpc.ts';
import { recordEvent } from './record-event.ts';
import { assignmentRowInclude, toCard, visibilityFacts } from './rows.ts';
import { refusalError } from './transition.ts';

export interface CreateSessionRequest {
  customerId: string;
  intake: Intake;
  idempotencyKey: string;
  requestId: string | null;
  now: Date;
}

/**
 * Creates the session, its assignment in the plan's first state, and the `create` event, in the
 * caller's transaction. Free and paid take this same path; the plan only picks the first state.
 */
export async function createSession(tx: DbTransaction, request: CreateSessionRequest): Promise<string> {
  const { intake, customerId, now } = request;
  const actor: Actor = { kind: 'customer', userId: customerId };
  const result = transition(null, { type: 'create', plan: intake.plan }, actor, now);
  if (!result.ok) throw refusalError(result.refusal);

  if (intake.workshopId) {
    const workshop = await tx.workshop.findUnique({ where: { id: intake.workshopId }, select: { id: true } });
    if (!workshop) throw fieldError(['intake', 'workshopId'], 'That workshop does not exist.');
  }

  const status = result.to;
  const session = await tx.helpSession.create({
    data: {
      customerId,
      type: intake.sessionType,
      workshopId: intake.workshopId,
      plan: intake.plan,
      customerName: intake.customerName,
      vehicleYear: intake.vehicleYear,
      vehicleMake: intake.vehicleMake,
      vehicleModel: intake.vehicleModel,
      concern: intake.concern,
      urgent: intake.urgent,
      status: sessionStatusFor(status),
      idempotencyKey: request.idempotencyKey,
      assignment: {
        create: { status, urgent: intake.urgent, queuedAt: status === 'queued' ? now : null },
      },
    },
    select: { id: true, assignment: { include: assignmentRowInclude } },
  });
  const assignment = session.assignment;
  if (!assignment) throw new Error('assignment was not created with its session');
  await recordEvent(tx, {
    assignmentId: assignment.id,
    sessionId: session.id,
    type: 'create',
    from: null,
    to: status,
    actor,
    reason: null,
    requestId: request.requestId,
    data: { before: null, after: visibilityFacts(assignment), card: toCard(assignment) },
  });
  return session.id;
}
