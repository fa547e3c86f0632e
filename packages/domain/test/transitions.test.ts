import { describe, expect, it } from 'vitest';
import { ASSIGNMENT_STATUSES, type AssignmentStatus } from '../src/statuses.ts';
import { availableEvents, INITIAL_STATUS, type TransitionEventType, transition } from '../src/transitions.ts';
import {
  AFTER_DEADLINE,
  actors,
  LATER,
  MECHANIC,
  NOW,
  OTHER_MECHANIC,
  stateIn,
  typicalEvent,
} from './fixtures.ts';

/** DESIGN.md's table, written out again by hand so the test does not read the code's own table. */
const SPEC: Record<AssignmentStatus, Partial<Record<TransitionEventType, AssignmentStatus>>> = {
  pending_waiver: { sign_waiver: 'queued', cancel: 'cancelled' },
  queued: { offer: 'offered', accept: 'accepted', requeue: 'queued', cancel: 'cancelled' },
  offered: { decline: 'declined', expire: 'expired', accept: 'accepted', cancel: 'cancelled' },
  declined: { requeue: 'queued', cancel: 'cancelled' },
  expired: { requeue: 'queued', cancel: 'cancelled' },
  accepted: { complete: 'completed', requeue: 'queued', cancel: 'cancelled' },
  cancelled: {},
  completed: {},
};
const EVENT_TYPES: TransitionEventType[] = [
  'sign_waiver',
  'offer',
  'decline',
  'expire',
  'requeue',
  'accept',
  'cancel',
  'complete',
];

const pairs = ASSIGNMENT_STATUSES.flatMap((status) =>
  EVENT_TYPES.map((type) => ({ status, type, expected: SPEC[status][type] ?? null })),
);

describe('transition table', () => {
  it('covers all 64 (state, event) pairs', () => {
    expect(pairs).toHaveLength(64);
  });

  it.each(pairs)('$status + $type → $expected', ({ status, type, expected }) => {
    const { event, actor, now } = typicalEvent(type);
    const result = transition(stateIn(status), event, actor, now);
    if (expected === null) {
      expect(result).toEqual({
        ok: false,
        refusal: { code: 'invalid_transition', message: expect.any(String) },
      });
    } else {
      expect(result).toMatchObject({ ok: true, from: status, to: expected, state: { status: expected } });
    }
  });

  it.each([
    ['free', 'pending_waiver'],
    ['paid', 'queued'],
  ] as const)('a %s session starts %s', (plan, expected) => {
    const result = transition(null, { type: 'create', plan }, actors.customer, NOW);
    expect(result).toMatchObject({
      ok: true,
      from: null,
      to: expected,
      state: { customerId: actors.customer.userId },
    });
    expect(INITIAL_STATUS[plan]).toBe(expected);
  });

  it('refuses to create twice or to move what does not exist', () => {
    expect(
      transition(stateIn('queued'), { type: 'create', plan: 'paid' }, actors.customer, NOW),
    ).toMatchObject({
      ok: false,
      refusal: { code: 'already_exists' },
    });
    expect(transition(null, { type: 'accept' }, actors.mechanic, NOW)).toMatchObject({
      ok: false,
      refusal: { code: 'not_created' },
    });
  });

  it('explains refusals from terminal states', () => {
    const result = transition(stateIn('completed'), { type: 'cancel', reason: 'late' }, actors.customer, NOW);
    expect(result.ok || result.refusal.message).toMatch(/already finished/);
  });
});

describe('actors and guards', () => {
  it.each([
    ['create', { type: 'create', plan: 'paid' } as const, actors.mechanic],
    ['sign_waiver', { type: 'sign_waiver' } as const, actors.admin],
    ['offer', { type: 'offer', mechanicId: MECHANIC, expiresAt: LATER } as const, actors.mechanic],
    ['accept', { type: 'accept' } as const, actors.customer],
    ['expire', { type: 'expire' } as const, actors.mechanic],
    ['requeue', { type: 'requeue' } as const, actors.customer],
    ['complete', { type: 'complete' } as const, actors.customer],
    ['cancel', { type: 'cancel', reason: 'x y z' } as const, actors.mechanic],
    ['decline', { type: 'decline' } as const, actors.dispatcher],
  ])('%s by the wrong kind of actor is refused', (_name, event, actor) => {
    const state = event.type === 'create' ? null : stateIn('queued');
    expect(transition(state, event, actor, NOW)).toMatchObject({
      ok: false,
      refusal: { code: 'actor_not_allowed' },
    });
  });

  it('a customer cannot touch another customer’s request', () => {
    expect(
      transition(stateIn('pending_waiver'), { type: 'sign_waiver' }, actors.otherCustomer, NOW),
    ).toMatchObject({
      ok: false,
      refusal: { code: 'not_owner' },
    });
  });

  it('an admin may re-offer (requeue) and reassign (offer to a named mechanic); a mechanic may do neither', () => {
    expect(transition(stateIn('accepted'), { type: 'requeue' }, actors.admin, NOW)).toMatchObject({
      ok: true,
      to: 'queued',
    });
    const offer = { type: 'offer', mechanicId: OTHER_MECHANIC, expiresAt: LATER } as const;
    expect(transition(stateIn('queued'), offer, actors.admin, NOW)).toMatchObject({
      ok: true,
      to: 'offered',
    });
    expect(transition(stateIn('queued'), offer, actors.mechanic, NOW).ok).toBe(false);
    expect(transition(stateIn('accepted'), { type: 'requeue' }, actors.mechanic, NOW).ok).toBe(false);
  });

  it('admin and system may cancel; cancel needs a reason', () => {
    for (const actor of [actors.admin, actors.system]) {
      expect(
        transition(stateIn('queued'), { type: 'cancel', reason: 'no mechanic available' }, actor, NOW).ok,
      ).toBe(true);
    }
    expect(
      transition(stateIn('queued'), { type: 'cancel', reason: '  ' }, actors.customer, NOW),
    ).toMatchObject({
      ok: false,
      refusal: { code: 'reason_required' },
    });
  });

  it('an offer can be accepted or declined only by its mechanic, and only before its deadline', () => {
    const offered = stateIn('offered');
    expect(transition(offered, { type: 'accept' }, actors.otherMechanic, NOW)).toMatchObject({
      refusal: { code: 'not_offered_to_you' },
    });
    expect(transition(offered, { type: 'decline' }, actors.otherMechanic, NOW)).toMatchObject({
      refusal: { code: 'not_offered_to_you' },
    });
    expect(transition(offered, { type: 'accept' }, actors.mechanic, LATER)).toMatchObject({
      refusal: { code: 'offer_expired' },
    });
    expect(
      transition({ ...offered, offerExpiresAt: null }, { type: 'accept' }, actors.mechanic, NOW),
    ).toMatchObject({
      refusal: { code: 'offer_expired' },
    });
    expect(transition(offered, { type: 'accept' }, actors.mechanic, NOW)).toMatchObject({
      ok: true,
      state: { mechanicId: MECHANIC, offerExpiresAt: null },
    });
  });

  it('an offer expires only once its deadline has passed', () => {
    expect(transition(stateIn('offered'), { type: 'expire' }, actors.timer, NOW)).toMatchObject({
      refusal: { code: 'offer_still_open' },
    });
    expect(transition(stateIn('offered'), { type: 'expire' }, actors.timer, AFTER_DEADLINE)).toMatchObject({
      ok: true,
      state: { status: 'expired', mechanicId: null, offerExpiresAt: null, declinedBy: [MECHANIC] },
    });
  });

  it('a mechanic who declined is remembered and never offered the request again', () => {
    const declined = transition(stateIn('offered'), { type: 'decline' }, actors.mechanic, NOW);
    expect(declined).toMatchObject({
      ok: true,
      state: { status: 'declined', declinedBy: [MECHANIC], mechanicId: null },
    });
    if (!declined.ok) return;
    const requeued = transition(declined.state, { type: 'requeue' }, actors.dispatcher, NOW);
    if (!requeued.ok) throw new Error('requeue refused');
    expect(
      transition(
        requeued.state,
        { type: 'offer', mechanicId: MECHANIC, expiresAt: LATER },
        actors.dispatcher,
        NOW,
      ),
    ).toMatchObject({ ok: false, refusal: { code: 'already_declined' } });
    expect(
      transition(
        requeued.state,
        { type: 'offer', mechanicId: OTHER_MECHANIC, expiresAt: LATER },
        actors.dispatcher,
        NOW,
      ),
    ).toMatchObject({ ok: true, state: { mechanicId: OTHER_MECHANIC, offerExpiresAt: LATER } });
  });

  it('only the accepting mechanic (or the system) completes', () => {
    const accepted = stateIn('accepted');
    expect(transition(accepted, { type: 'complete' }, actors.otherMechanic, NOW)).toMatchObject({
      refusal: { code: 'not_your_assignment' },
    });
    expect(transition(accepted, { type: 'complete' }, actors.system, NOW).ok).toBe(true);
  });

  it('a cancelled request keeps its mechanic only if it had been accepted', () => {
    const reason = { type: 'cancel', reason: 'found help elsewhere' } as const;
    expect(transition(stateIn('accepted'), reason, actors.customer, NOW)).toMatchObject({
      state: { mechanicId: MECHANIC },
    });
    expect(transition(stateIn('offered'), reason, actors.customer, NOW)).toMatchObject({
      state: { mechanicId: null },
    });
  });
});

describe('availableEvents (what buttons to show)', () => {
  it.each([
    ['pending_waiver', actors.customer, ['sign_waiver', 'cancel']],
    ['queued', actors.customer, ['cancel']],
    ['queued', actors.mechanic, ['accept']],
    ['offered', actors.mechanic, ['decline', 'accept']],
    ['offered', actors.otherMechanic, []],
    ['accepted', actors.mechanic, ['complete']],
    ['accepted', actors.otherMechanic, []],
    ['completed', actors.customer, []],
    ['queued', actors.otherCustomer, []],
  ] as const)('%s for %o: %o', (status, actor, expected) => {
    expect(availableEvents(stateIn(status), actor, NOW)).toEqual(expected);
  });
});
