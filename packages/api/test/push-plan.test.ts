import type { AssignmentCard, VisibilityFacts } from '@dispatch/domain';
import { describe, expect, it } from 'vitest';
import { type PushEvent, type PushMechanic, planPushes, requestTopic } from '../src/alerts/plan.ts';

const now = new Date('2026-12-01T12:00:00Z');
const CUSTOMER = '00000000-0000-4000-8000-000000000001';
const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const ID = '11111111-2222-4333-8444-555555555555';

const free = {
  kind: 'virtual_only' as const,
  workshopId: null,
  availability: 'available' as const,
  load: { virtual: 0, inPerson: 0 },
  virtualCapacity: 1,
};
const mechanics: PushMechanic[] = [
  { userId: A, ...free },
  { userId: B, ...free },
];

function facts(status: VisibilityFacts['status'], mechanicId: string | null = null): VisibilityFacts {
  return { status, customerId: CUSTOMER, mechanicId, sessionType: 'video', workshopId: null };
}

function event(
  before: VisibilityFacts | null,
  after: VisibilityFacts,
  card: Partial<AssignmentCard> = {},
): PushEvent {
  return {
    position: '42',
    assignmentId: ID,
    sessionId: ID,
    type: 'test',
    toStatus: after.status,
    data: {
      before,
      after,
      card: {
        assignmentId: ID,
        sessionId: ID,
        version: 1,
        status: after.status,
        sessionType: 'video',
        plan: 'paid',
        urgent: false,
        customerName: 'Ana',
        vehicle: { year: 2014, make: 'Honda', model: 'Civic' },
        concern: 'Grinding noise',
        workshop: null,
        mechanic: null,
        createdAt: now.toISOString(),
        queuedAt: new Date(now.getTime() - 60_000).toISOString(),
        offerExpiresAt: null,
        cancelReason: null,
        cancelCode: null,
        ...card,
      },
    },
    createdAt: now,
  };
}

const broadcast = { dispatchMode: 'broadcast' as const, offerTimeoutMs: 30_000, queueTimeoutMs: 15 * 60_000 };
const targeted = { ...broadcast, dispatchMode: 'targeted' as const };

describe('which pushes an event causes', () => {
  it('broadcast: a queued request alerts every Available eligible mechanic, TTL = what is left of the queue timeout', () => {
    const planned = planPushes(event(facts('pending_waiver'), facts('queued')), mechanics, broadcast, now);
    expect(planned.map((p) => [p.userId, p.kind, p.ttlSeconds, p.topic, p.urgency])).toEqual([
      [A, 'alert', 14 * 60, requestTopic(ID), 'high'],
      [B, 'alert', 14 * 60, requestTopic(ID), 'high'],
    ]);
  });

  it('Away (or never chose) means no push', () => {
    const away = mechanics.map((m) => ({
      ...m,
      availability: m.userId === A ? ('away' as const) : ('offline' as const),
    }));
    expect(planPushes(event(null, facts('queued')), away, broadcast, now)).toEqual([]);
  });

  it('a mechanic at capacity for the type is not alerted (the accept statement would refuse them)', () => {
    const busy = mechanics.map((m) =>
      m.userId === A
        ? { ...m, load: { virtual: 1, inPerson: 0 } }
        : { ...m, load: { virtual: 0, inPerson: 1 } },
    );
    expect(planPushes(event(facts('pending_waiver'), facts('queued')), busy, broadcast, now)).toEqual([]);
    // A higher capacity set by an admin lets the same load be alerted again.
    const raised = busy.map((m) => ({ ...m, virtualCapacity: 2 }));
    expect(
      planPushes(event(facts('pending_waiver'), facts('queued')), raised, broadcast, now).map(
        (p) => p.userId,
      ),
    ).toEqual([A]);
  });

  it('targeted: queued alerts nobody; an offer alerts only its mechanic with TTL = the offer window', () => {
    expect(planPushes(event(null, facts('queued')), mechanics, targeted, now)).toEqual([]);
    const expires = new Date(now.getTime() + 30_000).toISOString();
    const planned = planPushes(
      event(facts('queued'), facts('offered', A), { offerExpiresAt: expires }),
      mechanics,
      targeted,
      now,
    );
    expect(planned).toMatchObject([{ userId: A, kind: 'alert', ttlSeconds: 30, payload: { offered: true } }]);
  });

  it('retracts on every alerted device when the request is taken, offered elsewhere or cancelled', () => {
    expect(planPushes(event(facts('queued'), facts('accepted', B)), mechanics, broadcast, now)).toMatchObject(
      [
        { userId: A, kind: 'retract', devices: 'alerted', payload: { reason: 'taken' } },
        { userId: B, kind: 'retract', devices: 'alerted', payload: { reason: 'accepted_by_you' } },
        { userId: CUSTOMER, kind: 'customer', payload: { title: 'Accepted by a mechanic' } },
      ],
    );
    expect(
      planPushes(event(facts('offered', A), facts('offered', B)), mechanics, targeted, now).map((p) => [
        p.userId,
        p.kind,
      ]),
    ).toEqual([
      [A, 'retract'],
      [B, 'alert'],
    ]);
    expect(
      planPushes(
        event(facts('queued'), facts('cancelled'), { cancelCode: 'no_mechanic_available' }),
        mechanics,
        broadcast,
        now,
      ).map((p) => (p.kind === 'customer' && p.payload.kind === 'notice' ? p.payload.title : p.kind)),
    ).toEqual(['retract', 'retract', 'No mechanic available']);
  });

  it('an alert whose window has passed is not sent', () => {
    const stale = event(null, facts('queued'), {
      queuedAt: new Date(now.getTime() - 16 * 60_000).toISOString(),
    });
    expect(planPushes(stale, mechanics, broadcast, now)).toEqual([]);
  });

  it('an expiry that set the mechanic away tells them (the reason written by expiryReason)', () => {
    const expired = {
      ...event(facts('offered', A), facts('expired')),
      reason: 'not answered within 30 s; Set to away after 2 missed offers',
    };
    const planned = planPushes(expired, mechanics, targeted, now);
    expect(planned).toMatchObject([
      { userId: A, kind: 'retract' },
      { userId: A, kind: 'notice', devices: 'all', payload: { title: 'You are now away' } },
    ]);
  });
});
