import { describe, expect, it } from 'vitest';
import type { AssignmentCard } from '../api-types.ts';
import { filterCards, fullTime, NO_FILTERS, waitingSince } from './filters.ts';

const NOW = Date.parse('2026-12-01T14:30:00.000Z');
function card(overrides: Partial<AssignmentCard>): AssignmentCard {
  return {
    assignmentId: 'a-1',
    sessionId: 's-1',
    version: 0,
    status: 'queued',
    sessionType: 'video',
    plan: 'paid',
    urgent: false,
    customerName: 'Dana Reyes',
    vehicle: { year: 2014, make: 'Honda', model: 'Civic' },
    concern: 'noise',
    workshop: null,
    mechanic: null,
    createdAt: '2026-12-01T14:28:00.000Z',
    queuedAt: '2026-12-01T14:28:00.000Z',
    offerExpiresAt: null,
    cancelReason: null,
    cancelCode: null,
    outcome: null,
    ...overrides,
  };
}
const cards = [
  card({}),
  card({
    assignmentId: 'a-2',
    sessionId: 's-2',
    urgent: true,
    sessionType: 'in_person',
    workshop: { id: 'w-h', name: 'Harbor Auto Works' },
    customerName: 'Marcus Chen',
    queuedAt: '2026-12-01T14:10:00.000Z',
  }),
  card({
    assignmentId: 'a-3',
    sessionId: 's-3',
    status: 'completed',
    vehicle: { year: 2020, make: 'Ford', model: 'Focus' },
  }),
  card({
    assignmentId: 'a-4',
    sessionId: 'f00dbeef-1',
    status: 'offered',
    mechanic: { id: 'm', displayName: 'Lucia Park' },
  }),
];
const ids = (list: AssignmentCard[]) => list.map((c) => c.assignmentId);

describe('admin board filters', () => {
  it('shows open requests by default and filters by status, type, workshop, urgency and age', () => {
    expect(ids(filterCards(cards, NO_FILTERS, NOW))).toEqual(['a-1', 'a-2', 'a-4']);
    expect(ids(filterCards(cards, { ...NO_FILTERS, status: 'finished' }, NOW))).toEqual(['a-3']);
    expect(ids(filterCards(cards, { ...NO_FILTERS, status: 'offered' }, NOW))).toEqual(['a-4']);
    expect(ids(filterCards(cards, { ...NO_FILTERS, type: 'in_person' }, NOW))).toEqual(['a-2']);
    expect(ids(filterCards(cards, { ...NO_FILTERS, workshop: 'w-h' }, NOW))).toEqual(['a-2']);
    expect(ids(filterCards(cards, { ...NO_FILTERS, workshop: 'none' }, NOW))).toEqual(['a-1', 'a-4']);
    expect(ids(filterCards(cards, { ...NO_FILTERS, urgency: 'urgent' }, NOW))).toEqual(['a-2']);
    expect(ids(filterCards(cards, { ...NO_FILTERS, urgency: 'normal' }, NOW))).toEqual(['a-1', 'a-4']);
    expect(ids(filterCards(cards, { ...NO_FILTERS, minAgeMinutes: 15 }, NOW))).toEqual(['a-2']);
  });

  it('counts a wait only while the request waits: accepted, completed and cancelled ones have none', () => {
    const old = { queuedAt: '2026-12-01T13:00:00.000Z' };
    expect(waitingSince(card({ ...old, status: 'queued' }))).toBe(old.queuedAt);
    expect(waitingSince(card({ ...old, status: 'offered' }))).toBe(old.queuedAt);
    expect(waitingSince(card({ status: 'pending_waiver', queuedAt: null }))).toBe('2026-12-01T14:28:00.000Z');
    for (const status of ['accepted', 'completed', 'cancelled'] as const)
      expect(waitingSince(card({ ...old, status }))).toBeNull();
    // A request finished long ago is not "waiting 15+ min".
    const finished = [card({ ...old, assignmentId: 'done', status: 'completed' })];
    expect(ids(filterCards(finished, { ...NO_FILTERS, status: 'all', minAgeMinutes: 15 }, NOW))).toEqual([]);
  });

  it('searches customer, vehicle, ids and mechanic, every word', () => {
    const search = (text: string) =>
      ids(filterCards(cards, { ...NO_FILTERS, status: 'all', search: text }, NOW));
    expect(search('marcus')).toEqual(['a-2']);
    expect(search('ford focus')).toEqual(['a-3']);
    expect(search('f00dbeef')).toEqual(['a-4']);
    expect(search('lucia')).toEqual(['a-4']);
    expect(search('honda ford')).toEqual([]);
  });

  it('writes full dates with milliseconds', () => {
    expect(fullTime('2026-12-01T14:02:01.234Z')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:01\.234$/);
  });
});
