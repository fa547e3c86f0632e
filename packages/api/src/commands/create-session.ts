import { randomUUID } from 'node:crypto';
import { type DbTransaction as Db, type Prisma, preparedStatement, queryPrepared } from '@dispatch/db';
import {
  type Actor,
  type AssignmentCard,
  type Intake,
  OPEN_SESSION_STATUSES,
  sessionStatusFor,
  transition,
} from '@dispatch/domain';
import { type CommittedEventJson, eventCommitted, eventFields } from '../log/index.ts';
import type { AssignmentRow } from '../queries/rows.ts';
import { CommandError } from './errors.ts';

export interface CreateSessionRequest {
  customerId: string;
  intake: Intake;
  idempotencyKey: string;
  /** A customer with an open request gets a second one only when they chose it after a warning. */
  allowAnotherOpen: boolean;
  requestId: string | null;
  now: Date;
}

export type CreateSessionResult =
  /** Booked now: the row as the statement wrote it (the answer is built from it, not re-read). */
  | { outcome: 'created'; row: AssignmentRow }
  /** The same key and intake again: a retry of the booking this key already made. */
  | { outcome: 'existing'; sessionId: string };

/** What `create_session` answers (migration 20261202090000_one_statement_booking). */
type BookingOutcome =
  | {
      outcome: 'created';
      position: string;
      workshop: { id: string; name: string } | null;
      /** The event row it committed (migration 20261202100000_committed_event_in_result). */
      event?: CommittedEventJson;
    }
  | { outcome: 'existing'; sessionId: string }
  | { outcome: 'key_reused' }
  | { outcome: 'unknown_workshop' }
  | { outcome: 'open_request_exists' };

const keyReused = () =>
  new CommandError(
    'conflict',
    'This booking key was already used for a different request. Start a new booking instead.',
    { refusal: 'idempotency_key_reused' },
  );

/** The intake fields a retry must repeat exactly to count as the same booking. */
function sameIntake(
  a: Intake,
  b: Pick<
    Prisma.HelpSessionGetPayload<object>,
    | 'customerName'
    | 'vehicleYear'
    | 'vehicleMake'
    | 'vehicleModel'
    | 'concern'
    | 'type'
    | 'workshopId'
    | 'plan'
    | 'urgent'
    | 'callbackPhone'
  >,
): boolean {
  return (
    a.customerName === b.customerName &&
    a.vehicleYear === b.vehicleYear &&
    a.vehicleMake === b.vehicleMake &&
    a.vehicleModel === b.vehicleModel &&
    a.concern === b.concern &&
    a.sessionType === b.type &&
    a.workshopId === b.workshopId &&
    a.plan === b.plan &&
    a.urgent === b.urgent &&
    a.callbackPhone === b.callbackPhone
  );
}

/**
 * The session an idempotency key already made, if any, looked up on its own: only for a call the
 * booking rate limit refused, which must still answer a retry with its booking. The same intake
 * again is a retry and gets that session; a different intake under the same key is refused.
 * (`create_session` makes the same comparison in SQL for every other call.)
 */
export async function existingBooking(db: Db, request: Omit<CreateSessionRequest, 'now' | 'requestId'>) {
  const existing = await db.helpSession.findUnique({
    where: {
      customerId_idempotencyKey: { customerId: request.customerId, idempotencyKey: request.idempotencyKey },
    },
  });
  if (!existing) return null;
  if (!sameIntake(request.intake, existing)) throw keyReused();
  return existing.id;
}

const CREATE_SESSION = preparedStatement('create_session', 'SELECT create_session($1::jsonb) AS result');

/**
 * Books a session: its assignment in the plan's first state and the `create` event, in one
 * statement and one round trip (`create_session`: the idempotency check, the customer's
 * open-request lock and check unless allowAnotherOpen, the workshop check, the three inserts with
 * the event last). Free and paid take this same path; the plan only picks the first state.
 */
export async function createSession(db: Db, request: CreateSessionRequest): Promise<CreateSessionResult> {
  const { intake, customerId, now } = request;
  const actor: Actor = { kind: 'customer', userId: customerId };
  const result = transition(null, { type: 'create', plan: intake.plan }, actor, now);
  if (!result.ok) throw new CommandError('refused', result.refusal.message, { refusal: result.refusal.code });
  const status = result.to;
  const sessionStatus = sessionStatusFor(status);
  const sessionId = randomUUID();
  const assignmentId = randomUUID();
  const queuedAt = status === 'queued' ? now : null;
  const card: AssignmentCard = {
    assignmentId,
    sessionId,
    version: 0,
    status,
    sessionType: intake.sessionType,
    plan: intake.plan,
    urgent: intake.urgent,
    customerName: intake.customerName,
    vehicle: { year: intake.vehicleYear, make: intake.vehicleMake, model: intake.vehicleModel },
    concern: intake.concern,
    // Filled in by the statement, which looks the workshop up (a name the caller does not know).
    workshop: null,
    mechanic: null,
    createdAt: now.toISOString(),
    queuedAt: queuedAt?.toISOString() ?? null,
    offerExpiresAt: null,
    cancelReason: null,
    cancelCode: null,
    outcome: null,
  };
  const facts = {
    status,
    customerId,
    mechanicId: null,
    sessionType: intake.sessionType,
    workshopId: intake.workshopId,
  };
  const event = eventFields({
    assignmentId,
    sessionId,
    type: 'create',
    from: null,
    to: status,
    actor,
    reason: null,
    requestId: request.requestId,
    data: { before: null, after: facts, card },
  });
  const booking = {
    sessionId,
    assignmentId,
    customerId,
    intake,
    idempotencyKey: request.idempotencyKey,
    allowAnotherOpen: request.allowAnotherOpen,
    openStatuses: OPEN_SESSION_STATUSES,
    status,
    sessionStatus,
    queuedAt,
    now,
    event,
  };
  const rows = await queryPrepared<{ result: BookingOutcome }>(db, CREATE_SESSION, [JSON.stringify(booking)]);
  const answer = rows[0]?.result;
  if (!answer) throw new Error('create_session returned nothing');
  switch (answer.outcome) {
    case 'created':
      eventCommitted(db, answer.position, answer.event);
      return {
        outcome: 'created',
        row: {
          id: assignmentId,
          sessionId,
          status,
          mechanicId: null,
          urgent: intake.urgent,
          queuedAt,
          createdAt: now,
          updatedAt: now,
          offeredAt: null,
          offerExpiresAt: null,
          acceptedAt: null,
          expiredAt: null,
          completedAt: null,
          cancelledAt: null,
          cancelReason: null,
          declinedBy: [],
          metadata: {},
          version: 0,
          session: {
            id: sessionId,
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
            status: sessionStatus,
            cancelReason: null,
            cancelCode: null,
            idempotencyKey: request.idempotencyKey,
            outcome: null,
            outcomeNote: null,
            findingsChecked: null,
            findingsCause: null,
            findingsAdvice: null,
            createdAt: now,
            updatedAt: now,
            workshop: answer.workshop,
            waiver: null,
          },
          mechanic: null,
        },
      };
    case 'existing':
      return { outcome: 'existing', sessionId: answer.sessionId };
    case 'key_reused':
      throw keyReused();
    case 'unknown_workshop':
      throw new CommandError('invalid', 'That workshop does not exist.', { field: ['intake', 'workshopId'] });
    case 'open_request_exists':
      throw new CommandError(
        'refused',
        'You already have an open request. Open it from My requests, or confirm that you want a second one.',
        { refusal: 'open_request_exists' },
      );
  }
}
