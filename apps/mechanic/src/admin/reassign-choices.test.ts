import { describe, expect, it } from 'vitest';
import type { AdminMechanic, AssignmentCard } from '../api-types.ts';
import { reassignChoices } from './reassign-choices.ts';

function mechanic(overrides: Partial<AdminMechanic>): AdminMechanic {
  return {
    mechanicId: 'm',
    displayName: 'Someone',
    email: null,
    kind: 'workshop',
    workshopId: 'w-a',
    workshopName: 'Northside Garage',
    availability: 'available',
    presence: 'available',
    awaySetAt: null,
    awayReason: null,
    lastSeenAt: null,
    lastOfferedAt: null,
    load: { virtual: 0, inPerson: 0 },
    virtualCapacity: 1,
    connections: 1,
    hasOpenOffer: false,
    canTake: [],
    ...overrides,
  };
}
const visit = {
  assignmentId: 'a-1',
  sessionId: 's-1',
  status: 'accepted',
  sessionType: 'in_person',
  workshop: { id: 'w-a', name: 'Northside Garage' },
  mechanic: { id: 'tom', displayName: 'Tom Becker' },
} as AssignmentCard;
const mechanics = [
  mechanic({ mechanicId: 'priya', displayName: 'Priya Natarajan', kind: 'virtual_only', workshopId: null }),
  mechanic({ mechanicId: 'tom', displayName: 'Tom Becker' }),
  mechanic({ mechanicId: 'sam', displayName: 'Sam Okafor', workshopId: 'w-b' }),
  mechanic({ mechanicId: 'hana', displayName: 'Hannah Kim', presence: 'offline', availability: 'offline' }),
  mechanic({ mechanicId: 'lucia', displayName: 'Lucia Alvarez' }),
];

describe('reassignChoices', () => {
  it('lists only who could take it: not virtual-only for a visit, not another workshop, not the assignee', () => {
    const choices = reassignChoices(visit, mechanics);
    expect(choices.map((c) => c.mechanicId)).toEqual(['lucia', 'hana']);
  });

  it('says each one’s real presence and load, and why an offer cannot be made now', () => {
    const [lucia, hana] = reassignChoices(visit, mechanics);
    expect(lucia).toEqual({
      mechanicId: 'lucia',
      label: 'Lucia Alvarez — available, 0 of 1 virtual',
      blocked: null,
    });
    expect(hana?.label).toBe('Hannah Kim — offline, 0 of 1 virtual');
    expect(hana?.blocked).toBe('offline');
  });

  it('keeps virtual-only mechanics for a virtual request, and marks a full one', () => {
    const video = { ...visit, sessionType: 'video', workshop: null, mechanic: null } as AssignmentCard;
    const full = mechanic({ mechanicId: 'full', displayName: 'Full', load: { virtual: 1, inPerson: 0 } });
    const choices = reassignChoices(video, [...mechanics, full]);
    expect(choices.map((c) => c.mechanicId)).toContain('priya');
    expect(choices.find((c) => c.mechanicId === 'full')).toMatchObject({
      blocked: 'at capacity',
      label: 'Full — available, 1 of 1 virtual (at capacity)',
    });
  });
});
