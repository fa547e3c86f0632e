import { describe, expect, it } from 'vitest';
import { capacityAllows } from '../src/capacity.ts';
import { DEFAULT_VIRTUAL_CAPACITY } from '../src/dispatch/capacity.ts';
import { SESSION_TYPE_LABELS } from '../src/labels.ts';
import { NO_MECHANIC_AVAILABLE } from '../src/reasons.ts';
import { SESSION_TYPES } from '../src/statuses.ts';
import { type AssignmentState, alreadyApplied } from '../src/transitions.ts';
import { CURRENT_WAIVER } from '../src/waiver.ts';
import { type AssignmentCard, summaryOfCard } from '../src/wire.ts';

describe('capacityAllows', () => {
  it.each([
    // load (virtual, in person), virtual capacity, type → allowed
    [0, 0, 1, 'video', true],
    [0, 0, 1, 'in_person', true],
    [1, 0, 1, 'chat', false],
    [1, 0, 2, 'chat', true],
    [2, 0, 2, 'diagnostic', false],
    [1, 0, 2, 'in_person', false],
    [0, 1, 1, 'video', false],
    [0, 1, 5, 'in_person', false],
    [0, 0, 0, 'video', false],
  ] as const)(
    'virtual %i, in person %i, capacity %i: %s → %s',
    (virtual, inPerson, capacity, type, allowed) => {
      expect(capacityAllows({ virtual, inPerson }, capacity, type)).toBe(allowed);
    },
  );

  it('lets a free mechanic take any one session by default', () => {
    for (const type of SESSION_TYPES) {
      expect(capacityAllows({ virtual: 0, inPerson: 0 }, DEFAULT_VIRTUAL_CAPACITY, type)).toBe(true);
    }
  });
});

const state = (patch: Partial<AssignmentState> = {}): AssignmentState => ({
  status: 'queued',
  customerId: 'c',
  mechanicId: null,
  offerExpiresAt: null,
  declinedBy: [],
  ...patch,
});
const mechanic = { kind: 'mechanic', userId: 'm' } as const;
const other = { kind: 'mechanic', userId: 'o' } as const;

describe('alreadyApplied', () => {
  it.each([
    ['accept by the winner', state({ status: 'accepted', mechanicId: 'm' }), 'accept', mechanic, {}, true],
    ['accept by someone else', state({ status: 'accepted', mechanicId: 'm' }), 'accept', other, {}, false],
    ['accept of a queued request', state(), 'accept', mechanic, {}, false],
    [
      'complete by its mechanic',
      state({ status: 'completed', mechanicId: 'm' }),
      'complete',
      mechanic,
      {},
      true,
    ],
    ['complete by another', state({ status: 'completed', mechanicId: 'm' }), 'complete', other, {}, false],
    ['decline by who declined', state({ declinedBy: ['m'] }), 'decline', mechanic, {}, true],
    ['decline by another', state({ declinedBy: ['m'] }), 'decline', other, {}, false],
    [
      'a signed waiver',
      state(),
      'sign_waiver',
      { kind: 'customer', userId: 'c' },
      { waiverSigned: true },
      true,
    ],
    [
      'an unsigned one',
      state({ status: 'pending_waiver' }),
      'sign_waiver',
      { kind: 'customer', userId: 'c' },
      {},
      false,
    ],
    [
      'a cancelled request',
      state({ status: 'cancelled' }),
      'cancel',
      { kind: 'customer', userId: 'c' },
      {},
      true,
    ],
    ['an offer', state({ status: 'offered', mechanicId: 'm' }), 'offer', { kind: 'dispatcher' }, {}, false],
    ['an expiry', state({ status: 'expired' }), 'expire', { kind: 'timer' }, {}, false],
    ['a requeue', state(), 'requeue', { kind: 'dispatcher' }, {}, false],
  ] as const)('%s', (_name, current, type, actor, facts, expected) => {
    expect(alreadyApplied(current, type, actor, facts)).toBe(expected);
  });
});

describe('wire shapes and shared words', () => {
  const card: AssignmentCard = {
    assignmentId: 'a',
    sessionId: 's',
    version: 3,
    status: 'accepted',
    sessionType: 'chat',
    plan: 'paid',
    urgent: false,
    customerName: 'Dana',
    vehicle: { year: 2019, make: 'Honda', model: 'Civic' },
    concern: 'Noise',
    workshop: null,
    mechanic: { id: 'm', displayName: 'Priya' },
    createdAt: '2026-12-01T10:00:00.000Z',
    queuedAt: null,
    offerExpiresAt: null,
    cancelReason: null,
    cancelCode: null,
    outcome: null,
  };

  it('a customer sees the mechanic by name only once the request is theirs', () => {
    expect(summaryOfCard(card)).toMatchObject({ status: 'in_progress', mechanicName: 'Priya', version: 3 });
    expect(summaryOfCard({ ...card, status: 'offered' }).mechanicName).toBeNull();
  });

  it('names every session type, and says why nobody took a request', () => {
    for (const type of SESSION_TYPES) expect(SESSION_TYPE_LABELS[type]).toMatch(/^[A-Z]/);
    expect(NO_MECHANIC_AVAILABLE).toEqual({ code: 'no_mechanic_available', reason: 'no mechanic available' });
    expect(CURRENT_WAIVER.text).toContain('\n');
  });
});
