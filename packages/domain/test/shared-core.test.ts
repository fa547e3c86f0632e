import { describe, expect, it } from 'vitest';
import { CANCEL_CODES, NO_MECHANIC_AVAILABLE } from '../src/reasons.ts';
import { alreadyApplied, transition } from '../src/transitions.ts';
import { CURRENT_WAIVER } from '../src/waiver.ts';
import { type AssignmentCard, summaryOfCard } from '../src/wire.ts';
import { actors, MECHANIC, NOW, stateIn } from './fixtures.ts';

describe('alreadyApplied: a retry answers with the result', () => {
  it.each([
    ['accept by the same mechanic', stateIn('accepted'), 'accept', actors.mechanic, {}, true],
    ['accept by another mechanic', stateIn('accepted'), 'accept', actors.otherMechanic, {}, false],
    ['accept by the dispatcher', stateIn('accepted'), 'accept', actors.dispatcher, {}, false],
    ['complete by the same mechanic', stateIn('completed'), 'complete', actors.mechanic, {}, true],
    ['complete of a live session', stateIn('accepted'), 'complete', actors.mechanic, {}, false],
    [
      'decline already on file',
      { ...stateIn('queued'), declinedBy: [MECHANIC] },
      'decline',
      actors.mechanic,
      {},
      true,
    ],
    ['decline by an actor without id', stateIn('queued'), 'decline', actors.timer, {}, false],
    [
      'sign with a signature on file',
      stateIn('queued'),
      'sign_waiver',
      actors.customer,
      { waiverSigned: true },
      true,
    ],
    [
      'sign without one',
      stateIn('pending_waiver'),
      'sign_waiver',
      actors.customer,
      { waiverSigned: false },
      false,
    ],
    ['cancel of a cancelled request', stateIn('cancelled'), 'cancel', actors.customer, {}, true],
    ['offer is never a repeat', stateIn('offered'), 'offer', actors.dispatcher, {}, false],
    ['expire is never a repeat', stateIn('expired'), 'expire', actors.timer, {}, false],
    ['requeue is never a repeat', stateIn('queued'), 'requeue', actors.dispatcher, {}, false],
  ] as const)('%s → %s', (_, state, type, actor, facts, expected) => {
    expect(alreadyApplied(state, type, actor, facts)).toBe(expected);
  });

  it('only a customer creates a request', () => {
    expect(transition(null, { type: 'create', plan: 'paid' }, actors.customer, NOW).ok).toBe(true);
    expect(transition(null, { type: 'create', plan: 'paid' }, actors.admin, NOW)).toMatchObject({
      ok: false,
      refusal: { code: 'actor_not_allowed' },
    });
  });
});

describe('shared constants and wire shapes', () => {
  it('the no-mechanic cancel has a code the apps branch on', () => {
    expect(CANCEL_CODES).toContain(NO_MECHANIC_AVAILABLE.code);
    expect(CURRENT_WAIVER.version).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it.each([
    ['accepted', 'in_progress', 'Tom'],
    ['completed', 'completed', 'Tom'],
    ['offered', 'waiting', null],
  ] as const)('summaryOfCard: %s → %s, mechanic name %s', (status, sessionStatus, name) => {
    const card = {
      assignmentId: 'a',
      sessionId: 's',
      version: 3,
      status,
      mechanic: { id: MECHANIC, displayName: 'Tom' },
      cancelReason: null,
      cancelCode: null,
      outcome: null,
    } as unknown as AssignmentCard;
    expect(summaryOfCard(card)).toMatchObject({
      status: sessionStatus,
      assignmentStatus: status,
      mechanicName: name,
    });
  });
});
