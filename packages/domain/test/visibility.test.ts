import { describe, expect, it } from 'vitest';
import {
  canTake,
  canView,
  isEligible,
  removalReason,
  type Viewer,
  type VisibilityFacts,
} from '../src/visibility.ts';
import { ADMIN, CUSTOMER, MECHANIC, OTHER_CUSTOMER, OTHER_MECHANIC } from './fixtures.ts';

const WORKSHOP_A = 'workshop-a';
const WORKSHOP_B = 'workshop-b';

const virtualMechanic: Viewer = {
  role: 'mechanic',
  userId: MECHANIC,
  kind: 'virtual_only',
  workshopId: null,
};
const workshopA: Viewer = { role: 'mechanic', userId: MECHANIC, kind: 'workshop', workshopId: WORKSHOP_A };
const workshopB: Viewer = {
  role: 'mechanic',
  userId: OTHER_MECHANIC,
  kind: 'workshop',
  workshopId: WORKSHOP_B,
};
const customer: Viewer = { role: 'customer', userId: CUSTOMER };
const otherCustomer: Viewer = { role: 'customer', userId: OTHER_CUSTOMER };
const admin: Viewer = { role: 'admin', userId: ADMIN };

const request = (overrides: Partial<VisibilityFacts> = {}): VisibilityFacts => ({
  status: 'queued',
  customerId: CUSTOMER,
  mechanicId: null,
  sessionType: 'video',
  workshopId: null,
  ...overrides,
});

describe('canView', () => {
  it.each([
    ['virtual-only sees a queued video session', virtualMechanic, request(), true],
    ['virtual-only sees chat and diagnostic', virtualMechanic, request({ sessionType: 'diagnostic' }), true],
    ['virtual-only never sees in-person', virtualMechanic, request({ sessionType: 'in_person' }), false],
    ['workshop A sees general in-person', workshopA, request({ sessionType: 'in_person' }), true],
    [
      'workshop A sees in-person at A',
      workshopA,
      request({ sessionType: 'in_person', workshopId: WORKSHOP_A }),
      true,
    ],
    [
      'workshop A never sees in-person at B',
      workshopA,
      request({ sessionType: 'in_person', workshopId: WORKSHOP_B }),
      false,
    ],
    ['workshop mechanics see general virtual requests', workshopB, request(), true],
    [
      'nobody but the customer sees one awaiting its waiver',
      virtualMechanic,
      request({ status: 'pending_waiver' }),
      false,
    ],
    [
      'an offer is seen by its mechanic',
      workshopA,
      request({ status: 'offered', mechanicId: MECHANIC }),
      true,
    ],
    [
      'an offer is hidden from others',
      workshopB,
      request({ status: 'offered', mechanicId: MECHANIC }),
      false,
    ],
    ['accepted: only its mechanic', workshopB, request({ status: 'accepted', mechanicId: MECHANIC }), false],
    ['accepted: its mechanic', workshopA, request({ status: 'accepted', mechanicId: MECHANIC }), true],
    [
      'cancelled after accept: its mechanic',
      workshopA,
      request({ status: 'cancelled', mechanicId: MECHANIC }),
      true,
    ],
    ['cancelled in the queue: no mechanic', workshopA, request({ status: 'cancelled' }), false],
    ['declined is between offers: hidden', workshopA, request({ status: 'declined' }), false],
    ['customers see their own', customer, request({ status: 'pending_waiver' }), true],
    ['customers never see others’', otherCustomer, request(), false],
    ['admins see everything', admin, request({ status: 'offered', mechanicId: OTHER_MECHANIC }), true],
  ] as const)('%s', (_name, viewer, facts, expected) => {
    expect(canView(viewer, facts)).toBe(expected);
  });

  it('targeted mode hides the open queue from mechanics but not offers', () => {
    expect(canView(workshopA, request(), 'targeted')).toBe(false);
    expect(canView(workshopA, request({ status: 'offered', mechanicId: MECHANIC }), 'targeted')).toBe(true);
    expect(canView(admin, request(), 'targeted')).toBe(true);
  });
});

describe('canTake', () => {
  it('only mechanics take, only queued or offered-to-them requests', () => {
    expect(canTake(workshopA, request())).toBe(true);
    expect(canTake(workshopA, request({ status: 'offered', mechanicId: MECHANIC }))).toBe(true);
    expect(canTake(workshopA, request({ status: 'accepted', mechanicId: MECHANIC }))).toBe(false);
    expect(canTake(admin, request())).toBe(false);
    expect(canTake(customer, request())).toBe(false);
  });

  it('eligibility ignores status', () => {
    expect(
      isEligible({ kind: 'workshop', workshopId: WORKSHOP_A }, { sessionType: 'chat', workshopId: null }),
    ).toBe(true);
  });
});

describe('removalReason', () => {
  const queued = request();
  it.each([
    ['taken', request({ status: 'accepted', mechanicId: OTHER_MECHANIC })],
    ['offered_elsewhere', request({ status: 'offered', mechanicId: OTHER_MECHANIC })],
    ['cancelled', request({ status: 'cancelled' })],
  ] as const)('%s', (reason, after) => {
    expect(removalReason(workshopA, queued, after)).toBe(reason);
  });

  it('says declined or expired to the mechanic whose offer ended', () => {
    const offer = request({ status: 'offered', mechanicId: MECHANIC });
    expect(removalReason(workshopA, offer, request({ status: 'declined' }))).toBe('declined');
    expect(removalReason(workshopA, offer, request({ status: 'expired' }))).toBe('expired');
  });

  it('says nothing when sight is kept, never existed, or there was no before', () => {
    expect(
      removalReason(workshopA, queued, request({ status: 'accepted', mechanicId: MECHANIC })),
    ).toBeNull();
    expect(removalReason(workshopA, null, queued)).toBeNull();
    expect(removalReason(otherCustomer, queued, request({ status: 'cancelled' }))).toBeNull();
  });

  it('falls back to unavailable when the mechanic switched mode or eligibility', () => {
    expect(removalReason(workshopA, queued, request({ status: 'queued' }), 'targeted')).toBe(null);
    expect(removalReason(workshopA, queued, request({ status: 'pending_waiver' }))).toBe('unavailable');
  });
});
