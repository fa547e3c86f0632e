import type { DbTransaction as Db } from '@dispatch/db';
import {
  type Actor,
  type AssignmentEvent,
  type AssignmentState,
  alreadyApplied,
  CAPACITY_MESSAGES,
  type CancelCode,
  type Completion,
  canView,
  capacityVerdict,
  completionProblem,
  type DispatchMode,
  isEligible,
  NOT_AVAILABLE_REFUSAL,
  OUTCOME_LABELS,
  sessionStatusFor,
  transition,
  type Viewer,
} from '@dispatch/domain';
import { eventFields } from '../log/index.ts';
import { type AssignmentRow, loadAssignment, toCard, visibilityFacts } from '../queries/rows.ts';
import { type AssignmentChange, applyChange } from './apply-change.ts';
import { CommandError, notFound } from './errors.ts';

export type TransitionEvent = Exclude<AssignmentEvent, { type: 'create' }>;

export interface ActRequest {
  /** The assignment as the caller loaded it (the one versioned read); re-read only after a lost race. */
  row: AssignmentRow;
  event: TransitionEvent;
  actor: Actor;
  /** A signed-in caller must be able to see it; otherwise the answer is the one for an unknown id. */
  viewer: Viewer | null;
  mode: DispatchMode;
  requestId: string | null;
  now: Date;
  /** The display name of the mechanic it moves to, when it moves to one (accept, offer). */
  mechanicName?: string;
  /** Why, when the event alone does not say (a cancel's reason is taken from the event). */
  reason?: string;
  cancelCode?: CancelCode;
  waiver?: AssignmentChange['waiver'];
  /** How the session ended: required to complete (outcome, note; findings for a diagnostic session). */
  completion?: Completion;
}

export interface ActResult {
  /** The assignment after the command (or as found, when it had already been applied). */
  row: AssignmentRow;
  /** False when the fresh state showed this actor had already applied this event. */
  applied: boolean;
}

/** Lost races re-decide on the fresh row; more than this many in a row is reported as a conflict. */
const MAX_ATTEMPTS = 4;

/**
 * The one way an existing assignment changes: the domain decides on the row as read, and one
 * statement applies the decision with a version check, the session status, the event row and its
 * notification. A lost race re-reads once and decides again on the fresh state, so a retry, a
 * double click or a second tab whose first call won answers with the result, not an error.
 */
export async function actOnAssignment(db: Db, request: ActRequest): Promise<ActResult> {
  const { event, actor, viewer, mode, now } = request;
  let row = request.row;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    if (viewer && !canView(viewer, visibilityFacts(row), mode)) {
      if (alreadyApplied(stateOf(row), event.type, actor)) return { row, applied: false };
      throw lostRaceFor(viewer, row, event, mode) ?? notFound();
    }
    if (alreadyApplied(stateOf(row), event.type, actor, { waiverSigned: row.session.waiver !== null })) {
      return { row, applied: false };
    }
    const result = transition(stateOf(row), event, actor, now);
    if (!result.ok)
      throw new CommandError('refused', result.refusal.message, { refusal: result.refusal.code });
    if (event.type === 'complete') checkCompletion(row, request.completion);

    const after = await rowAfter(db, row, result.state, request);
    const change: AssignmentChange = {
      assignmentId: row.id,
      version: row.version,
      now,
      set: {
        status: result.state.status,
        mechanicId: result.state.mechanicId,
        offerExpiresAt: result.state.offerExpiresAt,
        declinedBy: result.state.declinedBy,
        ...timestampsFor(event, now),
      },
      sessionStatus: sessionStatusFor(result.state.status),
      ...(request.cancelCode ? { cancelCode: request.cancelCode } : {}),
      ...(event.type === 'accept' && actor.kind === 'mechanic'
        ? { taker: { mechanicId: actor.userId, sessionType: row.session.type } }
        : {}),
      ...(answersOfferTo(row, event, actor) ? { answeredOfferOf: actor.userId } : {}),
      ...(request.waiver ? { waiver: request.waiver } : {}),
      ...(event.type === 'complete' && request.completion ? { completion: request.completion } : {}),
      event: eventFields({
        assignmentId: row.id,
        sessionId: row.sessionId,
        type: event.type,
        from: row.status,
        to: result.state.status,
        actor,
        reason: request.reason ?? reasonOf(event, request.completion),
        requestId: request.requestId,
        data: { before: visibilityFacts(row), after: visibilityFacts(after), card: toCard(after) },
      }),
    };
    const outcome = await applyChange(db, change);
    switch (outcome.outcome) {
      case 'ok':
        return { row: after, applied: true };
      case 'conflict': {
        const fresh = await loadAssignment(db, { id: row.id });
        if (!fresh) throw notFound();
        row = fresh;
        continue;
      }
      case 'not_found':
        throw notFound();
      case 'not_available':
        throw new CommandError('refused', NOT_AVAILABLE_REFUSAL.message, { refusal: outcome.outcome });
      case 'at_capacity': {
        // The statement's own count, read under the mechanic's lock: the domain says which rule it met.
        const load = { virtual: outcome.virtual, inPerson: outcome.inPerson };
        const verdict = capacityVerdict(load, outcome.virtualCapacity, row.session.type);
        throw new CommandError('refused', verdict.ok ? CAPACITY_MESSAGES.at_capacity : verdict.message, {
          refusal: outcome.outcome,
        });
      }
    }
  }
  throw new CommandError('conflict', 'This request changed while you were acting on it. Try again.');
}

/** The event's reason when the caller gave none: a cancel's reason, a completion's outcome (never its note). */
function reasonOf(event: TransitionEvent, completion: Completion | undefined): string | null {
  if (event.type === 'cancel') return event.reason;
  if (event.type === 'complete' && completion) return `Outcome: ${OUTCOME_LABELS[completion.outcome]}`;
  return null;
}

/** A completion must say how it ended, and carry findings exactly when the session is a diagnostic one. */
function checkCompletion(row: AssignmentRow, completion: Completion | undefined): void {
  if (!completion) {
    throw new CommandError('invalid', 'Choose how the session ended before completing it.', {
      field: ['outcome'],
    });
  }
  const problem = completionProblem(row.session.type, completion);
  if (problem) throw new CommandError('invalid', problem.message, { field: [problem.field] });
}

/**
 * An accept or decline of an offer made to this mechanic, decided on the row as read: answering
 * an offer (either way) resets their run of missed offers, in the change's own statement.
 */
function answersOfferTo(
  row: AssignmentRow,
  event: TransitionEvent,
  actor: Actor,
): actor is Extract<Actor, { kind: 'mechanic' }> {
  return (
    (event.type === 'accept' || event.type === 'decline') &&
    actor.kind === 'mechanic' &&
    row.status === 'offered' &&
    row.mechanicId === actor.userId
  );
}

function stateOf(row: AssignmentRow): AssignmentState {
  return {
    status: row.status,
    customerId: row.session.customerId,
    mechanicId: row.mechanicId,
    offerExpiresAt: row.offerExpiresAt,
    declinedBy: row.declinedBy,
  };
}

/**
 * A mechanic who could see a queued request and lost it to another mechanic is told so; anyone
 * else gets the unknown-id answer, which reveals nothing about a request they never could see.
 */
function lostRaceFor(
  viewer: Viewer,
  row: AssignmentRow,
  event: TransitionEvent,
  mode: DispatchMode,
): CommandError | null {
  const taken = row.status === 'accepted' || row.status === 'completed';
  if (event.type !== 'accept' || viewer.role !== 'mechanic' || !taken || mode !== 'broadcast') return null;
  if (row.mechanicId === viewer.userId || !isEligible(viewer, visibilityFacts(row))) return null;
  return new CommandError('conflict', 'Another mechanic took this request.');
}

/** The row as it will be after the change: the event's card and the command's answer. */
async function rowAfter(
  db: Db,
  row: AssignmentRow,
  next: AssignmentState,
  request: ActRequest,
): Promise<AssignmentRow> {
  const { event, now } = request;
  const cancelReason = event.type === 'cancel' ? event.reason : row.cancelReason;
  return {
    ...row,
    status: next.status,
    mechanicId: next.mechanicId,
    offerExpiresAt: next.offerExpiresAt,
    declinedBy: [...next.declinedBy],
    version: row.version + 1,
    updatedAt: now,
    ...timestampsFor(event, now),
    cancelReason,
    mechanic: await mechanicAfter(db, row, next.mechanicId, request.mechanicName),
    session: {
      ...row.session,
      status: sessionStatusFor(next.status),
      cancelReason: event.type === 'cancel' ? event.reason : row.session.cancelReason,
      cancelCode: request.cancelCode ?? row.session.cancelCode,
      ...(event.type === 'complete' && request.completion
        ? {
            outcome: request.completion.outcome,
            outcomeNote: request.completion.note,
            findingsChecked: request.completion.findings?.checked ?? null,
            findingsCause: request.completion.findings?.suspectedCause ?? null,
            findingsAdvice: request.completion.findings?.advice ?? null,
          }
        : {}),
      waiver: request.waiver ? { signedAt: now } : row.session.waiver,
      updatedAt: now,
    },
  };
}

async function mechanicAfter(
  db: Db,
  row: AssignmentRow,
  mechanicId: string | null,
  name: string | undefined,
): Promise<AssignmentRow['mechanic']> {
  if (mechanicId === row.mechanicId) return row.mechanic;
  if (mechanicId === null) return null;
  if (name !== undefined) return { userId: mechanicId, user: { displayName: name } };
  return db.mechanic.findUnique({
    where: { userId: mechanicId },
    select: { userId: true, user: { select: { displayName: true } } },
  });
}

function timestampsFor(event: TransitionEvent, now: Date) {
  switch (event.type) {
    case 'sign_waiver':
      return { queuedAt: now };
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
    case 'requeue':
    case 'decline':
      return {};
  }
}
