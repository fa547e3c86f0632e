import { describe, expect, it } from 'vitest';
import {
  acceptVerdict,
  addLoad,
  CAPACITY_MESSAGES,
  CAPACITY_REFUSAL_CODES,
  capacitySql,
  capacityVerdict,
  compareIdle,
  compareRequests,
  competesWith,
  effectivePresence,
  honestPosition,
  idleSince,
  isStranded,
  mayAlert,
  NOT_AVAILABLE_REFUSAL,
  newRoundReason,
  quantile,
  RANK_SQL,
  rankTime,
  reassignVerdict,
  renderWaitingMessage,
  roundState,
  STRANDED_REASON_PREFIX,
  serviceLevel,
  strandedReason,
  URGENT_HEAD_START_MS,
  type WaitingFacts,
  type WaitingRequest,
  waitingMessage,
  waitRange,
  withinCapacity,
} from '../src/dispatch/index.ts';
import { transition } from '../src/transitions.ts';
import { actors, MECHANIC, NOW, OTHER_MECHANIC, stateIn } from './fixtures.ts';

const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

describe('capacityVerdict', () => {
  it.each([
    // virtual, in-person, capacity, session type, verdict
    [0, 0, 1, 'video', 'ok'],
    [0, 0, 1, 'in_person', 'ok'],
    [1, 0, 1, 'chat', 'at_capacity'],
    [1, 0, 2, 'chat', 'ok'],
    [2, 0, 2, 'diagnostic', 'at_capacity'],
    [1, 0, 2, 'in_person', 'finish_live_sessions_first'],
    [0, 1, 3, 'video', 'in_person_in_progress'],
    [0, 1, 1, 'in_person', 'in_person_in_progress'],
    [0, 0, 0, 'video', 'at_capacity'],
    [0, 0, 0, 'in_person', 'ok'],
  ] as const)(
    'virtual %i, in person %i, capacity %i, %s → %s',
    (virtual, inPerson, capacity, type, expected) => {
      const verdict = capacityVerdict({ virtual, inPerson }, capacity, type);
      expect(verdict.ok ? 'ok' : verdict.code).toBe(expected);
      if (!verdict.ok) expect(CAPACITY_REFUSAL_CODES).toContain(verdict.code);
    },
  );

  it.each([
    ['video', '(m.ip < 1 AND m.v < m.cap)'],
    ['in_person', '(m.ip < 1 AND m.v < 1)'],
  ] as const)('renders the same rule as SQL for %s', (type, sql) => {
    expect(capacitySql(type, { inPerson: 'm.ip', virtual: 'm.v', capacity: 'm.cap' })).toBe(sql);
  });

  it.each([
    [{ virtual: 1, inPerson: 0 }, 1, true],
    [{ virtual: 2, inPerson: 0 }, 1, false],
    [{ virtual: 0, inPerson: 1 }, 1, true],
    [{ virtual: 1, inPerson: 1 }, 3, false],
    [{ virtual: 0, inPerson: 2 }, 1, false],
    [{ virtual: -1, inPerson: 0 }, 1, false],
  ])('withinCapacity(%o, %i) = %s', (load, capacity, expected) => {
    expect(withinCapacity(load, capacity)).toBe(expected);
  });

  it.each([
    ['available', { virtual: 0, inPerson: 0 }, 'video', true],
    ['available', { virtual: 1, inPerson: 0 }, 'video', false],
    ['away', { virtual: 0, inPerson: 0 }, 'video', false],
    ['offline', { virtual: 0, inPerson: 0 }, 'in_person', false],
  ] as const)('mayAlert: %s with %o for %s → %s', (presence, load, type, expected) => {
    expect(mayAlert({ presence, load, virtualCapacity: 1 }, type)).toBe(expected);
  });

  it('acceptVerdict: availability first, then the capacity rule with its reason', () => {
    const free = {
      availability: 'available' as const,
      load: { virtual: 0, inPerson: 0 },
      virtualCapacity: 1,
    };
    expect(acceptVerdict(free, 'chat')).toEqual({ ok: true });
    expect(acceptVerdict({ ...free, availability: 'away' }, 'chat')).toEqual({
      ok: false,
      ...NOT_AVAILABLE_REFUSAL,
    });
    expect(acceptVerdict({ ...free, load: { virtual: 1, inPerson: 0 } }, 'video')).toMatchObject({
      ok: false,
      code: 'at_capacity',
      message: CAPACITY_MESSAGES.at_capacity,
    });
    expect(acceptVerdict({ ...free, load: { virtual: 1, inPerson: 0 } }, 'in_person')).toMatchObject({
      code: 'finish_live_sessions_first',
    });
    // Away wins over capacity: going available is the first thing to do.
    expect(
      acceptVerdict({ ...free, availability: 'away', load: { virtual: 0, inPerson: 1 } }, 'chat'),
    ).toMatchObject({ code: 'not_available' });
  });

  it('addLoad counts virtual and in-person separately', () => {
    expect(addLoad({ virtual: 0, inPerson: 0 }, 'chat')).toEqual({ virtual: 1, inPerson: 0 });
    expect(addLoad({ virtual: 0, inPerson: 1 }, 'in_person', -1)).toEqual({ virtual: 0, inPerson: 0 });
  });
});

describe('fair order', () => {
  const req = (id: string, urgent: boolean, queuedSeconds: number) => ({
    id,
    urgent,
    queuedAt: at(queuedSeconds),
  });
  const headStart = URGENT_HEAD_START_MS / 1000;

  it.each([
    ['urgent before an older normal', req('u', true, 60), req('n', false, 0), -1],
    ['older normal before a newer normal', req('a', false, 0), req('b', false, 10), -1],
    [
      'a normal that waited longer than the head start beats a new urgent',
      req('n', false, 0),
      req('u', true, headStart + 1),
      -1,
    ],
    ['at exactly the head start, urgent wins the tie', req('u', true, headStart), req('n', false, 0), -1],
    ['same rank and urgency: by id', req('a', false, 5), req('b', false, 5), -1],
  ])('%s', (_, first, second, sign) => {
    expect(Math.sign(compareRequests(first, second))).toBe(sign);
    expect(Math.sign(compareRequests(second, first))).toBe(-sign);
  });

  it('rank time and its SQL use the same head start', () => {
    expect(rankTime(req('u', true, 0))).toBe(NOW.getTime() - URGENT_HEAD_START_MS);
    expect(RANK_SQL).toContain(`${URGENT_HEAD_START_MS} milliseconds`);
  });

  it.each([
    [
      'never offered goes first',
      { lastOfferedAt: null, lastSessionAt: null },
      { lastOfferedAt: at(0), lastSessionAt: null },
      -1,
    ],
    [
      'older last offer goes first',
      { lastOfferedAt: at(0), lastSessionAt: null },
      { lastOfferedAt: at(10), lastSessionAt: null },
      -1,
    ],
    [
      'a recent session counts as activity',
      { lastOfferedAt: at(0), lastSessionAt: at(100) },
      { lastOfferedAt: at(50), lastSessionAt: null },
      1,
    ],
    [
      'ties by id',
      { lastOfferedAt: at(5), lastSessionAt: null },
      { lastOfferedAt: null, lastSessionAt: at(5) },
      -1,
    ],
  ] as const)('idle longest: %s', (_, a, b, sign) => {
    expect(Math.sign(compareIdle({ userId: 'a', ...a }, { userId: 'b', ...b }))).toBe(sign);
  });

  it('idleSince is the later of offer and session', () => {
    expect(idleSince({ userId: 'a', lastOfferedAt: at(1), lastSessionAt: at(2) })).toBe(at(2).getTime());
    expect(idleSince({ userId: 'a', lastOfferedAt: null, lastSessionAt: null })).toBe(
      Number.NEGATIVE_INFINITY,
    );
  });
});

describe('honest position', () => {
  const virtualOnly = { userId: 'v', kind: 'virtual_only', workshopId: null } as const;
  const harbor = { userId: 'h', kind: 'workshop', workshopId: 'harbor' } as const;
  const northside = { userId: 'n', kind: 'workshop', workshopId: 'north' } as const;
  const everyone = [virtualOnly, harbor, northside];
  let seq = 0;
  const waiting = (
    sessionType: WaitingRequest['sessionType'],
    workshopId: string | null,
    queuedSeconds: number,
    urgent = false,
  ): WaitingRequest => {
    seq += 1;
    return { id: `r${seq}`, urgent, queuedAt: at(queuedSeconds), sessionType, workshopId };
  };

  it('counts only requests the same mechanics would take first (the review’s chat shown #4)', () => {
    const harborVisit = waiting('in_person', 'harbor', 0);
    const video1 = waiting('video', null, 1);
    const video2 = waiting('chat', null, 2);
    const chat = waiting('chat', null, 3);
    const later = waiting('video', null, 4);
    expect(honestPosition(chat, [harborVisit, video1, video2, chat, later], everyone, everyone)).toBe(3);
  });

  it.each([
    [
      'a general in-person visit does not hold up a chat',
      waiting('in_person', null, 0),
      waiting('chat', null, 1),
      false,
    ],
    [
      'a chat holds up a general in-person visit',
      waiting('chat', null, 0),
      waiting('in_person', null, 1),
      true,
    ],
    [
      'a chat holds up a Harbor-only visit (Harbor mechanics take chats too)',
      waiting('chat', null, 0),
      waiting('in_person', 'harbor', 1),
      true,
    ],
    [
      'a Northside visit does not hold up a Harbor visit',
      waiting('in_person', 'north', 0),
      waiting('in_person', 'harbor', 1),
      false,
    ],
  ] as const)('%s', (_, other, target, expected) => {
    expect(competesWith(target, other, everyone)).toBe(expected);
  });

  it('uses the online mechanics when some could take it, else everyone', () => {
    const harborVisit = waiting('in_person', 'harbor', 0);
    const chat = waiting('chat', null, 1);
    // Only Harbor's mechanic is online: they would take the Harbor visit first.
    expect(honestPosition(chat, [harborVisit, chat], [harbor], everyone)).toBe(2);
    // Nobody online: judged against everyone, the Harbor visit is not in the chat's way.
    expect(honestPosition(chat, [harborVisit, chat], [], everyone)).toBe(1);
    expect(competesWith(chat, harborVisit, [])).toBe(false);
  });

  it('urgent requests ahead count, newer ones do not', () => {
    const target = waiting('video', null, 100);
    const urgentNewer = waiting('video', null, 200, true);
    const normalNewer = waiting('video', null, 150);
    expect(honestPosition(target, [target, urgentNewer, normalNewer], everyone, everyone)).toBe(2);
  });
});

describe('waiting message', () => {
  const facts = (over: Partial<WaitingFacts>): WaitingFacts => ({
    mode: 'targeted',
    online: 3,
    free: 3,
    position: 1,
    offeredNow: false,
    nextRoundAt: null,
    returned: null,
    typicalWait: null,
    ...over,
  });

  it.each([
    [
      'nobody online (even when first)',
      facts({ online: 0, free: 0 }),
      'no_mechanic_online',
      'No mechanic is online right now. Your request stays in line and goes out as soon as one is.',
    ],
    [
      'targeted, offered now',
      facts({ offeredNow: true }),
      'offering_one_at_a_time',
      '3 mechanics online; offering your request to them one at a time.',
    ],
    [
      'targeted, everyone passed',
      facts({ nextRoundAt: at(42) }),
      'new_round_soon',
      'Every mechanic online has seen your request; offering it to them again in 42 s.',
    ],
    [
      'all busy, first',
      facts({ free: 0 }),
      'all_busy_first_in_line',
      'All available mechanics are busy; you are first in line.',
    ],
    [
      'all busy, third',
      facts({ free: 0, position: 3 }),
      'all_busy_in_line',
      'All available mechanics are busy; 2 requests are ahead of yours.',
    ],
    [
      'targeted, free but others ahead',
      facts({ position: 2 }),
      'waiting_in_line',
      '3 mechanics online; 1 request is ahead of yours.',
    ],
    [
      'targeted, about to be offered',
      facts({}),
      'offering_one_at_a_time',
      '3 mechanics online; offering your request to them one at a time.',
    ],
    [
      'broadcast, first',
      facts({ mode: 'broadcast' }),
      'shown_to_mechanics',
      'Your request is on the screens of 3 mechanics; you are first in line.',
    ],
    [
      'broadcast, busy',
      facts({ mode: 'broadcast', free: 0 }),
      'all_busy_first_in_line',
      'All available mechanics are busy; you are first in line.',
    ],
    [
      'broadcast ignores rounds',
      facts({ mode: 'broadcast', nextRoundAt: at(5), position: 2 }),
      'waiting_in_line',
      '3 mechanics online; 1 request is ahead of yours.',
    ],
  ] as const)('%s → %s', (_, input, code, text) => {
    const message = waitingMessage(input, NOW);
    expect(message.code).toBe(code);
    expect(renderWaitingMessage(message)).toBe(text);
  });

  it('carries the typical wait and the lost-connection notice', () => {
    const message = waitingMessage(
      facts({
        returned: 'mechanic_lost_connection',
        typicalWait: { medianSeconds: 60, lowSeconds: 40, highSeconds: 90, samples: 5 },
      }),
      NOW,
    );
    expect(message.notice).toBe('mechanic_lost_connection');
    expect(message.params.typicalWait).toEqual({ lowSeconds: 40, highSeconds: 90 });
    expect(waitingMessage(facts({ nextRoundAt: at(-5) }), NOW).params.nextRoundInSeconds).toBe(0);
  });
});

describe('targeted rounds', () => {
  it.each([
    ['nobody passed yet', { passed: [], eligibleOnline: ['a'], lastPassAt: null }, 0, 'open'],
    ['someone left to ask', { passed: ['a'], eligibleOnline: ['a', 'b'], lastPassAt: at(0) }, 10, 'open'],
    [
      'everyone passed, pausing',
      { passed: ['a', 'b'], eligibleOnline: ['a', 'b'], lastPassAt: at(0) },
      59,
      'exhausted',
    ],
    [
      'everyone passed, pause over',
      { passed: ['a', 'b'], eligibleOnline: ['b', 'a'], lastPassAt: at(0) },
      60,
      'new_round',
    ],
    ['the passers went offline', { passed: ['a'], eligibleOnline: [], lastPassAt: at(0) }, 61, 'new_round'],
    ['nobody online, nobody passed', { passed: [], eligibleOnline: [], lastPassAt: null }, 999, 'open'],
  ] as const)('%s → %s', (_, facts, seconds, kind) => {
    expect(roundState(facts, at(seconds)).kind).toBe(kind);
  });

  it('says when the next round starts, and why it started', () => {
    expect(roundState({ passed: ['a'], eligibleOnline: ['a'], lastPassAt: at(0) }, at(1))).toEqual({
      kind: 'exhausted',
      nextRoundAt: at(60),
    });
    expect(roundState({ passed: ['a'], eligibleOnline: ['a'], lastPassAt: null }, at(1))).toEqual({
      kind: 'exhausted',
      nextRoundAt: at(61),
    });
    expect(newRoundReason(1)).toBe(
      'new round: the 1 eligible mechanic passed; offering again after a 60 s pause',
    );
    expect(newRoundReason(3, 30_000)).toBe(
      'new round: all 3 eligible mechanics passed; offering again after a 30 s pause',
    );
  });

  it('a new round (requeue from queued) forgets the passes, so the same mechanics can be offered it again', () => {
    const passed = { ...stateIn('queued'), declinedBy: [MECHANIC, OTHER_MECHANIC] };
    const refused = transition(
      passed,
      { type: 'offer', mechanicId: MECHANIC, expiresAt: at(30) },
      actors.dispatcher,
      NOW,
    );
    expect(refused.ok).toBe(false);
    const round = transition(passed, { type: 'requeue' }, actors.dispatcher, NOW);
    expect(round).toMatchObject({ ok: true, from: 'queued', to: 'queued', state: { declinedBy: [] } });
    if (!round.ok) throw new Error('refused');
    expect(
      transition(
        round.state,
        { type: 'offer', mechanicId: MECHANIC, expiresAt: at(30) },
        actors.dispatcher,
        NOW,
      ).ok,
    ).toBe(true);
  });
});

describe('stranded work', () => {
  it.each([
    ['seen a minute ago', at(0), at(120), 180, false],
    ['gone for three minutes', at(0), at(0), 180, true],
    ['never seen, accepted three minutes ago', at(0), null, 180, true],
    ['never seen, accepted just now', at(170), null, 180, false],
    ['seen before the accept counts from the accept', at(100), at(0), 180, false],
  ] as const)('%s → %s', (_, acceptedAt, lastSeenAt, nowSeconds, expected) => {
    expect(isStranded({ acceptedAt, lastSeenAt }, at(nowSeconds))).toBe(expected);
  });

  it('returns an accepted session to the queue without its mechanic (requeue from accepted)', () => {
    const result = transition(stateIn('accepted'), { type: 'requeue' }, actors.dispatcher, NOW);
    expect(result).toMatchObject({
      ok: true,
      from: 'accepted',
      to: 'queued',
      state: { mechanicId: null, offerExpiresAt: null },
    });
    expect(transition(stateIn('accepted'), { type: 'requeue' }, actors.mechanic, NOW).ok).toBe(false);
  });

  it('writes why, in words the notices recognise', () => {
    expect(strandedReason()).toBe(
      'mechanic lost connection: no connection for 3 min; back in the queue at its original place',
    );
    expect(strandedReason(30_000)).toContain('30 s');
    expect(strandedReason().startsWith(STRANDED_REASON_PREFIX)).toBe(true);
  });
});

describe('measured waits', () => {
  it.each([
    [[], null],
    [[1000, 2000], null],
    [[10_000, 20_000, 30_000], { medianSeconds: 20, lowSeconds: 15, highSeconds: 25, samples: 3 }],
    [
      [40_000, 10_000, 20_000, 30_000, -5, Number.NaN],
      { medianSeconds: 25, lowSeconds: 18, highSeconds: 33, samples: 4 },
    ],
  ])('waitRange(%o) = %o', (waits, expected) => {
    expect(waitRange(waits)).toEqual(expected);
  });

  it('quantile of nothing is NaN', () => {
    expect(quantile([], 0.5)).toBeNaN();
    expect(quantile([5], 0.9)).toBe(5);
  });

  it.each([
    [[], { requests: 0, acceptedWithin: { 30: null, 60: null, 120: null } }],
    [[10_000, 45_000, 90_000, null], { requests: 4, acceptedWithin: { 30: 0.25, 60: 0.5, 120: 0.75 } }],
    [[30_000, 60_000, 120_000], { requests: 3, acceptedWithin: { 30: 1 / 3, 60: 2 / 3, 120: 1 } }],
  ])('serviceLevel(%o)', (outcomes, expected) => {
    expect(serviceLevel(outcomes)).toEqual(expected);
  });
});

describe('admin reassign', () => {
  const free = {
    userId: 'b',
    kind: 'workshop',
    workshopId: 'harbor',
    presence: 'available',
    load: { virtual: 0, inPerson: 0 },
    virtualCapacity: 1,
    hasOpenOffer: false,
  } as const;
  const visit = { sessionType: 'in_person', workshopId: 'harbor', mechanicId: 'a' } as const;
  it.each([
    ['eligible, online, free', free, visit, 'ok'],
    ['already theirs', free, { ...visit, mechanicId: 'b' }, 'same_mechanic'],
    ['wrong workshop', { ...free, workshopId: 'north' }, visit, 'not_eligible'],
    ['virtual-only for a visit', { ...free, kind: 'virtual_only', workshopId: null }, visit, 'not_eligible'],
    ['offline', { ...free, presence: 'offline' }, visit, 'mechanic_unavailable'],
    ['away', { ...free, presence: 'away' }, visit, 'mechanic_unavailable'],
    ['answering another offer', { ...free, hasOpenOffer: true }, visit, 'holds_another_offer'],
    ['in a chat', { ...free, load: { virtual: 1, inPerson: 0 } }, visit, 'finish_live_sessions_first'],
    [
      'at capacity for video',
      { ...free, load: { virtual: 1, inPerson: 0 } },
      { sessionType: 'video', workshopId: null, mechanicId: null },
      'at_capacity',
    ],
  ] as const)('%s → %s', (_, target, request, expected) => {
    const verdict = reassignVerdict(target, request);
    expect(verdict.ok ? 'ok' : verdict.code).toBe(expected);
  });
});

describe('presence', () => {
  it.each([
    ['available', 0, 'available'],
    ['away', 30, 'away'],
    ['available', 61, 'offline'],
    ['offline', 0, 'offline'],
  ] as const)('chose %s, last seen %i s ago → %s', (chosen, secondsAgo, expected) => {
    expect(effectivePresence(chosen, at(-secondsAgo), NOW)).toBe(expected);
  });

  it('never seen is offline', () => {
    expect(effectivePresence('available', null, NOW)).toBe('offline');
  });
});
