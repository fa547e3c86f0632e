import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ASSIGNMENT_STATUSES,
  canView,
  DISPATCH_MODES,
  describeReceipts,
  describeSight,
  NO_HISTORY,
  SESSION_TYPES,
  type SightMechanic,
  type SightRequest,
  sightVerdict,
} from '../src/index.ts';

const NOW = new Date('2026-12-01T14:05:00.000Z');
const A = 'workshop-a';
const mechanic = (overrides: Partial<SightMechanic> = {}): SightMechanic => ({
  userId: 'm1',
  displayName: 'Lucia Park',
  email: 'a1@demo.test',
  kind: 'workshop',
  workshopId: A,
  workshopName: 'Northside',
  availability: 'available',
  lastSeenAt: new Date(NOW.getTime() - 5_000),
  awaySetAt: null,
  awayReason: null,
  load: { virtual: 0, inPerson: 0 },
  virtualCapacity: 1,
  connections: 1,
  ...overrides,
});
const request = (overrides: Partial<SightRequest> = {}): SightRequest => ({
  status: 'queued',
  customerId: 'c1',
  mechanicId: null,
  sessionType: 'video',
  workshopId: null,
  mechanicName: null,
  workshopName: null,
  declinedBy: [],
  ...overrides,
});
const at = (iso: string) => new Date(`2026-12-01T${iso}Z`);

describe('sightVerdict', () => {
  it.each([
    [
      'virtual_only',
      mechanic({ kind: 'virtual_only', workshopId: null }),
      request({ sessionType: 'in_person' }),
      'broadcast',
    ],
    [
      'wrong_workshop',
      mechanic(),
      request({ sessionType: 'in_person', workshopId: 'b', workshopName: 'Harbor' }),
      'broadcast',
    ],
    ['not_queued', mechanic(), request({ status: 'pending_waiver' }), 'broadcast'],
    ['holds_offer', mechanic(), request({ status: 'offered', mechanicId: 'm1' }), 'targeted'],
    [
      'offered_to_other',
      mechanic(),
      request({ status: 'offered', mechanicId: 'm2', mechanicName: 'Sam' }),
      'targeted',
    ],
    ['accepted_it', mechanic(), request({ status: 'accepted', mechanicId: 'm1' }), 'broadcast'],
    ['taken_by_other', mechanic(), request({ status: 'accepted', mechanicId: 'm2' }), 'broadcast'],
    ['finished_it', mechanic(), request({ status: 'completed', mechanicId: 'm1' }), 'broadcast'],
    ['taken_by_other', mechanic(), request({ status: 'completed', mechanicId: 'm2' }), 'broadcast'],
    ['closed', mechanic(), request({ status: 'cancelled' }), 'broadcast'],
    ['declined', mechanic(), request({ declinedBy: ['m1'] }), 'targeted'],
    ['offline', mechanic({ lastSeenAt: at('13:55:00.000') }), request(), 'broadcast'],
    ['offline', mechanic({ lastSeenAt: null }), request(), 'broadcast'],
    ['away', mechanic({ availability: 'away', awaySetAt: at('14:02:00.000') }), request(), 'broadcast'],
    ['at_capacity', mechanic({ load: { virtual: 1, inPerson: 0 } }), request(), 'broadcast'],
    ['in_person_in_progress', mechanic({ load: { virtual: 0, inPerson: 1 } }), request(), 'broadcast'],
    [
      'finish_live_sessions_first',
      mechanic({ load: { virtual: 1, inPerson: 0 } }),
      request({ sessionType: 'in_person' }),
      'broadcast',
    ],
    ['waiting_turn', mechanic(), request(), 'targeted'],
    ['waiting_turn', mechanic(), request({ status: 'expired' }), 'broadcast'],
    ['can_see', mechanic(), request(), 'broadcast'],
  ] as const)('%s', (code, m, r, mode) => {
    expect(sightVerdict(m, r, NO_HISTORY, [], mode, NOW).code).toBe(code);
  });

  it('tells an offer left to run out from a decline, by which came last', () => {
    const r = request({ declinedBy: ['m1'] });
    const expired = { ...NO_HISTORY, expiredAt: at('14:03:00.000'), declinedAt: at('14:01:00.000') };
    expect(sightVerdict(mechanic(), r, expired, [], 'targeted', NOW)).toMatchObject({
      code: 'offer_expired',
      since: '2026-12-01T14:03:00.000Z',
    });
    const declined = { ...expired, declinedAt: at('14:04:00.000') };
    expect(sightVerdict(mechanic(), r, declined, [], 'targeted', NOW).code).toBe('declined');
  });

  it('visible is always exactly canView, and only an open, visible request alerts an available mechanic with room', () => {
    const facts = fc.record({
      status: fc.constantFrom(...ASSIGNMENT_STATUSES),
      sessionType: fc.constantFrom(...SESSION_TYPES),
      workshopId: fc.constantFrom(null, A, 'b'),
      mechanicId: fc.constantFrom(null, 'm1', 'm2'),
      mode: fc.constantFrom(...DISPATCH_MODES),
      kind: fc.constantFrom('workshop' as const, 'virtual_only' as const),
      availability: fc.constantFrom('available' as const, 'away' as const, 'offline' as const),
      virtual: fc.integer({ min: 0, max: 2 }),
      inPerson: fc.integer({ min: 0, max: 1 }),
      declined: fc.boolean(),
    });
    fc.assert(
      fc.property(facts, (f) => {
        const m = mechanic({
          kind: f.kind,
          workshopId: f.kind === 'workshop' ? A : null,
          availability: f.availability,
          load: { virtual: f.virtual, inPerson: f.inPerson },
        });
        const r = request({ ...f, declinedBy: f.declined ? ['m1'] : [] });
        const v = sightVerdict(m, r, NO_HISTORY, [], f.mode, NOW);
        expect(v.visible).toBe(
          canView({ role: 'mechanic', userId: 'm1', kind: m.kind, workshopId: m.workshopId }, r, f.mode),
        );
        if (v.alertable) expect(v.visible && (f.status === 'queued' || f.status === 'offered')).toBe(true);
        if (v.code === 'can_see') expect(v.alertable).toBe(true);
      }),
    );
  });
});

describe('describeSight', () => {
  const verdict = (m: SightMechanic, r: SightRequest) => sightVerdict(m, r, NO_HISTORY, [], 'broadcast', NOW);
  it('says when someone who may see it has no dashboard open that was handed it', () => {
    expect(describeSight(verdict(mechanic({ connections: 0 }), request()))).toBe(
      'Can see it; no open dashboard was handed it',
    );
    expect(describeSight(verdict(mechanic({ connections: 1 }), request()))).toBe('Can see it');
  });

  it('says why in plain words, with times in the caller’s format', () => {
    expect(
      describeSight(
        verdict(
          mechanic({
            availability: 'away',
            awaySetAt: at('14:02:00.000'),
            awayReason: 'Set to away after 2 missed offers',
          }),
          request(),
        ),
      ),
    ).toBe('Away since 14:02:00.000 (Set to away after 2 missed offers)');
    expect(describeSight(verdict(mechanic({ lastSeenAt: at('13:55:00.000') }), request()))).toBe(
      'Offline since 13:55:00.000',
    );
    expect(describeSight(verdict(mechanic({ lastSeenAt: null }), request()))).toBe(
      'Offline (never connected)',
    );
    expect(
      describeSight(
        verdict(mechanic({ kind: 'virtual_only', workshopId: null }), request({ sessionType: 'in_person' })),
        undefined,
        'in_person',
      ),
    ).toBe('Cannot see it: virtual-only, and this is an in-person visit');
    expect(describeSight(verdict(mechanic(), request({ status: 'pending_waiver' })))).toBe(
      'Nobody sees it yet: waiting for the waiver',
    );
    expect(
      describeSight(
        verdict(mechanic(), request({ status: 'accepted', mechanicId: 'm2', mechanicName: 'Sam Ortiz' })),
      ),
    ).toBe('Cannot see it now: taken by Sam Ortiz');
    expect(describeSight(verdict(mechanic({ load: { virtual: 0, inPerson: 1 } }), request()))).toBe(
      'At capacity: on an in-person visit',
    );
    const codes = [
      verdict(mechanic(), request({ status: 'offered', mechanicId: 'm1' })),
      verdict(mechanic(), request({ status: 'offered', mechanicId: 'm2' })),
      verdict(mechanic(), request({ status: 'accepted', mechanicId: 'm1' })),
      verdict(mechanic(), request({ status: 'completed', mechanicId: 'm1' })),
      verdict(mechanic(), request({ status: 'cancelled' })),
      verdict(mechanic(), request({ declinedBy: ['m1'] })),
      sightVerdict(
        mechanic(),
        request({ declinedBy: ['m1'] }),
        { ...NO_HISTORY, expiredAt: at('14:03:00.000') },
        [],
        'targeted',
        NOW,
      ),
      verdict(mechanic({ load: { virtual: 1, inPerson: 0 } }), request({ sessionType: 'in_person' })),
      verdict(mechanic(), request({ sessionType: 'in_person', workshopId: 'b' })),
      sightVerdict(mechanic(), request(), NO_HISTORY, [], 'targeted', NOW),
    ].map((v) => describeSight(v, (iso) => iso.slice(11, 16)));
    expect(codes).toEqual([
      'Offered to them',
      'Cannot see it now: offered to another mechanic',
      'Accepted it',
      'Completed it',
      'Closed: no longer open',
      'Declined',
      'Offer expired at 14:03 (not answered)',
      'At capacity: an in-person visit needs them free (1 live)',
      'Cannot see it: wrong workshop (this is for another workshop)',
      'Not offered to them yet (one mechanic at a time)',
    ]);
  });

  it('adds what the receipts say: each process’s first delivery, the first display, each alert channel once', () => {
    const receipts = [
      { channel: 'delivered' as const, at: at('14:02:01.234'), process: 'web-2' },
      { channel: 'delivered' as const, at: at('14:02:01.240'), process: 'web-1' },
      { channel: 'delivered' as const, at: at('14:02:09.000'), process: 'web-2' },
      { channel: 'shown' as const, at: at('14:02:01.301'), process: null },
      { channel: 'push_sent' as const, at: at('14:02:01.500'), process: 'web-1' },
      { channel: 'sound' as const, at: at('14:02:01.310'), process: null },
      { channel: 'sound' as const, at: at('14:02:05.310'), process: null },
    ];
    const v = sightVerdict(mechanic(), request(), NO_HISTORY, receipts, 'broadcast', NOW);
    expect(describeSight(v)).toBe(
      'Can see it; delivered 14:02:01.234 on web-2 and 14:02:01.240 on web-1 and shown 14:02:01.301; ' +
        'sound played 14:02:01.310, push sent 14:02:01.500 on web-1',
    );
    expect(
      describeReceipts({
        receipts: [{ channel: 'push_shown', at: '2026-12-01T14:02:02.000Z', process: null }],
      }),
    ).toBe('push notification shown 14:02:02.000');
    // Every channel reads as what happened (it once said "alerted by in the page at ...").
    expect(
      describeReceipts({
        receipts: [
          { channel: 'in_page', at: '2026-12-01T14:02:02.000Z', process: null },
          { channel: 'notification', at: '2026-12-01T14:02:02.100Z', process: null },
          { channel: 'push_clicked', at: '2026-12-01T14:02:09.000Z', process: null },
        ],
      }),
    ).toBe(
      'alerted in the page 14:02:02.000, desktop notification shown 14:02:02.100, push notification opened 14:02:09.000',
    );
    expect(describeReceipts({ receipts: [] })).toBe('');
  });
});
