import { randomUUID } from 'node:crypto';
import type { DbTransaction as Db, Db as DbClient, Prisma } from '@dispatch/db';
import {
  type Actor,
  type AssignmentCard,
  type Intake,
  OPEN_SESSION_STATUSES,
  sessionStatusFor,
  transition,
} from '@dispatch/domain';
import { eventFields } from '../log/index.ts';
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
 * The session an idempotency key already made, if any. The same intake again is a retry and gets
 * that session; a different intake under the same key is refused, never silently merged.
 */
export async function existingBooking(db: Db, request: Omit<CreateSessionRequest, 'now' | 'requestId'>) {
  const existing = await db.helpSession.findUnique({
    where: {
      customerId_idempotencyKey: { customerId: request.customerId, idempotencyKey: request.idempotencyKey },
    },
  });
  if (!existing) return null;
  if (!sameIntake(request.intake, existing)) {
    throw new CommandError(
      'conflict',
      'This booking key was already used for a different request. Start a new booking instead.',
      { refusal: 'idempotency_key_reused' },
    );
  }
  return existing.id;
}

/**
 * Serialises one customer's bookings that must check for an open request (two-key advisory lock:
 * apart from EVENT_ORDER_LOCK's one-key space). Taken in its own statement before the insert, so
 * the insert's snapshot sees every booking committed by whoever held it before.
 */
const OPEN_REQUEST_LOCK = 42_420_002;

/**
 * Creates the session, its assignment in the plan's first state and the `create` event in one
 * statement (the event insert last, so the event-order lock is held only until commit). Free and
 * paid take this same path; the plan only picks the first state. Returns the session id.
 */
export async function createSession(db: DbClient, request: CreateSessionRequest): Promise<string> {
  const { intake, customerId, now } = request;
  const actor: Actor = { kind: 'customer', userId: customerId };
  const result = transition(null, { type: 'create', plan: intake.plan }, actor, now);
  if (!result.ok) throw new CommandError('refused', result.refusal.message, { refusal: result.refusal.code });
  const status = result.to;
  const sessionId = randomUUID();
  const assignmentId = randomUUID();
  const queuedAt = status === 'queued' ? now : null;

  const workshop = intake.workshopId
    ? await db.workshop.findUnique({ where: { id: intake.workshopId }, select: { id: true, name: true } })
    : null;
  if (intake.workshopId && !workshop) {
    throw new CommandError('invalid', 'That workshop does not exist.', { field: ['intake', 'workshopId'] });
  }
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
    workshop,
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
  const insert = db.$queryRaw<{ position: string }[]>`
    WITH s AS (
      INSERT INTO sessions (id, customer_id, type, workshop_id, plan, customer_name, vehicle_year, vehicle_make,
                            vehicle_model, concern, urgent, callback_phone, status, idempotency_key, created_at,
                            updated_at)
      SELECT ${sessionId}::uuid, ${customerId}::uuid, ${intake.sessionType}::session_type,
             ${intake.workshopId}::uuid, ${intake.plan}::plan, ${intake.customerName}::text,
             ${intake.vehicleYear}::int, ${intake.vehicleMake}::text, ${intake.vehicleModel}::text,
             ${intake.concern}::text, ${intake.urgent}::boolean, ${intake.callbackPhone}::text,
             ${sessionStatusFor(status)}::session_status,
             ${request.idempotencyKey}::text, ${now}::timestamptz, ${now}::timestamptz
      WHERE ${request.allowAnotherOpen}::boolean OR NOT EXISTS (
        SELECT 1 FROM sessions WHERE customer_id = ${customerId}::uuid
          AND status::text = ANY(${[...OPEN_SESSION_STATUSES]}::text[]))
      ON CONFLICT (customer_id, idempotency_key) DO NOTHING
      RETURNING id
    ), a AS (
      INSERT INTO session_assignments (id, session_id, status, urgent, queued_at, created_at, updated_at)
      SELECT ${assignmentId}::uuid, s.id, ${status}::assignment_status, ${intake.urgent}::boolean,
             ${queuedAt}::timestamptz, ${now}::timestamptz, ${now}::timestamptz
      FROM s
      RETURNING id, session_id
    )
    INSERT INTO assignment_events (assignment_id, session_id, type, from_status, to_status, actor_kind, actor_id,
                                   reason, request_id, data, created_at)
    SELECT a.id, a.session_id, ${event.type}::text, NULL, ${status}::assignment_status, ${event.actorKind}::text,
           ${customerId}::uuid, NULL, ${event.requestId}::text, ${JSON.stringify(event.data)}::jsonb,
           clock_timestamp()
    FROM a
    RETURNING position::text AS position`;
  // One statement's NOT EXISTS alone lets simultaneous first bookings (two tabs, different keys)
  // all pass; under the customer's lock the second one sees the first and is refused.
  const rows = request.allowAnotherOpen
    ? await insert
    : (
        await db.$transaction([
          db.$executeRaw`SELECT pg_advisory_xact_lock(${OPEN_REQUEST_LOCK}::int, hashtext(${customerId}::text))`,
          insert,
        ])
      )[1];
  if (rows.length > 0) return sessionId;

  // Nothing was written: the key was used already (a concurrent retry), or another request is open.
  const existing = await existingBooking(db, request);
  if (existing) return existing;
  throw new CommandError(
    'refused',
    'You already have an open request. Open it from My requests, or confirm that you want a second one.',
    { refusal: 'open_request_exists' },
  );
}
