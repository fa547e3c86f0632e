import { type Actor, type ActorKind, actorId } from './actors.ts';
import { type AssignmentStatus, isTerminal, type Plan } from './statuses.ts';

/** The events that move an assignment; `create` is the one that starts it. */
export type AssignmentEvent =
  | { type: 'create'; plan: Plan }
  | { type: 'sign_waiver' }
  | { type: 'offer'; mechanicId: string; expiresAt: Date }
  | { type: 'decline' }
  | { type: 'expire' }
  | { type: 'requeue' }
  | { type: 'accept' }
  | { type: 'cancel'; reason: string }
  | { type: 'complete' };

export type AssignmentEventType = AssignmentEvent['type'];
export type TransitionEventType = Exclude<AssignmentEventType, 'create'>;

/** DESIGN.md's state machine, as data. Terminal states map to `{}`. */
export const TRANSITIONS = {
  pending_waiver: { sign_waiver: 'queued', cancel: 'cancelled' },
  // requeue from queued starts a new targeted round: the passes of the last round are forgotten.
  queued: { offer: 'offered', accept: 'accepted', requeue: 'queued', cancel: 'cancelled' },
  offered: { decline: 'declined', expire: 'expired', accept: 'accepted', cancel: 'cancelled' },
  declined: { requeue: 'queued', cancel: 'cancelled' },
  expired: { requeue: 'queued', cancel: 'cancelled' },
  // requeue from accepted: the mechanic lost connection; the session returns at its original place.
  accepted: { complete: 'completed', requeue: 'queued', cancel: 'cancelled' },
  cancelled: {},
  completed: {},
} as const satisfies { [S in AssignmentStatus]: Partial<Record<TransitionEventType, AssignmentStatus>> };

/** The plan decides the first state; free and paid share every other step. */
export const INITIAL_STATUS = {
  free: 'pending_waiver',
  paid: 'queued',
} as const satisfies Record<Plan, AssignmentStatus>;

/** Which kinds of actor may cause each event. */
export const EVENT_ACTORS = {
  create: ['customer'],
  sign_waiver: ['customer'],
  // admin: reassign to a named mechanic, and re-offer (put back in the queue), each with a reason.
  offer: ['dispatcher', 'admin'],
  decline: ['mechanic'],
  expire: ['timer'],
  requeue: ['dispatcher', 'admin'],
  accept: ['mechanic'],
  cancel: ['customer', 'admin', 'system'],
  complete: ['mechanic', 'system'],
} as const satisfies Record<AssignmentEventType, readonly ActorKind[]>;

/** The facts about an assignment that the transition rules read. */
export interface AssignmentState {
  status: AssignmentStatus;
  customerId: string;
  /** The mechanic it is offered to or accepted by; kept after cancel only if it had been accepted. */
  mechanicId: string | null;
  offerExpiresAt: Date | null;
  /** Mechanics who declined it or let its offer expire: never offered it again. */
  declinedBy: readonly string[];
}

export const REFUSAL_CODES = [
  'already_exists',
  'not_created',
  'invalid_transition',
  'actor_not_allowed',
  'not_owner',
  'not_offered_to_you',
  'not_your_assignment',
  'offer_expired',
  'offer_still_open',
  'already_declined',
  'reason_required',
  'not_available',
  'at_capacity',
  'open_request_exists',
  'idempotency_key_reused',
  'waiver_changed',
  // Ratings (completion.ts): only a completed session, only once.
  'not_completed',
  'already_rated',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export interface Refusal {
  code: RefusalCode;
  message: string;
}

export type TransitionResult =
  | { ok: true; from: AssignmentStatus | null; to: AssignmentStatus; state: AssignmentState }
  | { ok: false; refusal: Refusal };

const refuse = (code: RefusalCode, message: string): TransitionResult => ({
  ok: false,
  refusal: { code, message },
});

/** The status an event leads to from `status`, or undefined if the table has no such edge. */
export function nextStatus(
  status: AssignmentStatus,
  type: TransitionEventType,
): AssignmentStatus | undefined {
  const edges: Partial<Record<TransitionEventType, AssignmentStatus>> = TRANSITIONS[status];
  return edges[type];
}

/**
 * Applies one event to an assignment (null before it exists). Pure: time comes in as `now`.
 * Returns the next state, or a refusal saying why the event cannot happen.
 */
export function transition(
  current: AssignmentState | null,
  event: AssignmentEvent,
  actor: Actor,
  now: Date,
): TransitionResult {
  const allowedActors: readonly ActorKind[] = EVENT_ACTORS[event.type];
  if (!allowedActors.includes(actor.kind)) {
    return refuse('actor_not_allowed', `A ${actor.kind} cannot ${describe(event.type)}.`);
  }

  if (event.type === 'create') {
    if (current) return refuse('already_exists', 'This request already exists.');
    if (actor.kind !== 'customer')
      return refuse('actor_not_allowed', 'Only a customer can create a request.');
    const to = INITIAL_STATUS[event.plan];
    return {
      ok: true,
      from: null,
      to,
      state: { status: to, customerId: actor.userId, mechanicId: null, offerExpiresAt: null, declinedBy: [] },
    };
  }

  if (!current) return refuse('not_created', 'This request does not exist yet.');
  const to = nextStatus(current.status, event.type);
  if (!to) {
    const why = isTerminal(current.status) ? ' It is already finished.' : '';
    return refuse(
      'invalid_transition',
      `Cannot ${describe(event.type)} a request that is ${current.status}.${why}`,
    );
  }

  const guard = checkGuards(current, event, actor, now);
  if (guard) return guard;

  return {
    ok: true,
    from: current.status,
    to,
    state: { ...applyEffects(current, event, actor), status: to },
  };
}

function checkGuards(
  current: AssignmentState,
  event: Exclude<AssignmentEvent, { type: 'create' }>,
  actor: Actor,
  now: Date,
): TransitionResult | null {
  if (actor.kind === 'customer' && actor.userId !== current.customerId) {
    return refuse('not_owner', 'This request belongs to another customer.');
  }
  const offerOpen = current.offerExpiresAt !== null && now.getTime() < current.offerExpiresAt.getTime();
  switch (event.type) {
    case 'offer':
      if (current.declinedBy.includes(event.mechanicId)) {
        return refuse('already_declined', 'This mechanic already declined the request.');
      }
      return null;
    case 'decline':
      return actor.kind === 'mechanic' && actor.userId !== current.mechanicId
        ? refuse('not_offered_to_you', 'This request is offered to another mechanic.')
        : null;
    case 'accept':
      if (current.status !== 'offered') return null;
      if (actor.kind === 'mechanic' && actor.userId !== current.mechanicId) {
        return refuse('not_offered_to_you', 'This request is offered to another mechanic.');
      }
      return offerOpen ? null : refuse('offer_expired', 'This offer has expired.');
    case 'expire':
      return offerOpen ? refuse('offer_still_open', 'This offer has not expired yet.') : null;
    case 'complete':
      return actor.kind === 'mechanic' && actor.userId !== current.mechanicId
        ? refuse('not_your_assignment', 'Only the mechanic who accepted this request can complete it.')
        : null;
    case 'cancel':
      return event.reason.trim() === '' ? refuse('reason_required', 'A cancellation needs a reason.') : null;
    case 'sign_waiver':
    case 'requeue':
      return null;
  }
}

function applyEffects(
  current: AssignmentState,
  event: Exclude<AssignmentEvent, { type: 'create' }>,
  actor: Actor,
): AssignmentState {
  switch (event.type) {
    case 'offer':
      return { ...current, mechanicId: event.mechanicId, offerExpiresAt: event.expiresAt };
    case 'decline':
    case 'expire':
      return {
        ...current,
        mechanicId: null,
        offerExpiresAt: null,
        declinedBy: current.mechanicId ? [...current.declinedBy, current.mechanicId] : current.declinedBy,
      };
    case 'accept':
      return {
        ...current,
        mechanicId: actorId(actor) ?? current.mechanicId,
        offerExpiresAt: null,
      };
    case 'cancel':
      return {
        ...current,
        mechanicId: current.status === 'accepted' ? current.mechanicId : null,
        offerExpiresAt: null,
      };
    case 'requeue':
      if (current.status === 'queued') return { ...current, declinedBy: [] };
      if (current.status === 'accepted') return { ...current, mechanicId: null, offerExpiresAt: null };
      return current;
    case 'sign_waiver':
    case 'complete':
      return current;
  }
}

const VERBS = {
  create: 'create a request',
  sign_waiver: 'sign the waiver for',
  offer: 'offer',
  decline: 'decline',
  expire: 'expire',
  requeue: 'requeue',
  accept: 'accept',
  cancel: 'cancel',
  complete: 'complete',
} as const satisfies Record<AssignmentEventType, string>;

function describe(type: AssignmentEventType): string {
  return VERBS[type];
}

/** The events an actor could cause now: what buttons a UI should show. */
export function availableEvents(current: AssignmentState, actor: Actor, now: Date): TransitionEventType[] {
  const edges = Object.keys(TRANSITIONS[current.status]) as TransitionEventType[];
  return edges.filter((type) => transition(current, sampleEvent(type, now), actor, now).ok);
}

function sampleEvent(type: TransitionEventType, now: Date): Exclude<AssignmentEvent, { type: 'create' }> {
  switch (type) {
    case 'offer':
      return { type, mechanicId: '', expiresAt: now };
    case 'cancel':
      return { type, reason: 'requested' };
    default:
      return { type };
  }
}

/**
 * Whether this actor has already applied this event, so that a retry, a double click or a second
 * tab answers with the result instead of an error: the fresh state shows the same event by the
 * same actor. `waiverSigned` says whether a signature is on file (signing is the customer's).
 */
export function alreadyApplied(
  state: AssignmentState,
  type: TransitionEventType,
  actor: Actor,
  facts: { waiverSigned?: boolean } = {},
): boolean {
  const id = actorId(actor);
  switch (type) {
    case 'accept':
      return state.status === 'accepted' && id !== null && state.mechanicId === id;
    case 'complete':
      return state.status === 'completed' && id !== null && state.mechanicId === id;
    case 'decline':
      return id !== null && state.declinedBy.includes(id);
    case 'sign_waiver':
      return facts.waiverSigned === true && state.status !== 'pending_waiver';
    case 'cancel':
      return state.status === 'cancelled';
    case 'offer':
    case 'expire':
    case 'requeue':
      return false;
  }
}
