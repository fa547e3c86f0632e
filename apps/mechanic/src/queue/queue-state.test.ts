import { type LoggedEvent as Logged, pruneLog } from '@dispatch/web';
import { describe, expect, it } from 'vitest';
import type { AssignmentCard, QueueEvent, QueueList } from '../api-types.ts';
import { currentCards, mySessionCards, queueCards } from './queue-state.ts';

type LoggedEvent = Logged<QueueEvent>;

const ME = '00000000-0000-4000-8000-000000000001';

function card(id: string, patch: Partial<AssignmentCard> = {}): AssignmentCard {
  return {
    assignmentId: id,
    sessionId: `s-${id}`,
    version: 1,
    status: 'queued',
    sessionType: 'video',
    plan: 'paid',
    urgent: false,
    customerName: 'Dana',
    vehicle: { year: 2019, make: 'Honda', model: 'Civic' },
    concern: 'Grinding noise when braking.',
    workshop: null,
    mechanic: null,
    createdAt: '2026-11-24T10:00:00.000Z',
    queuedAt: '2026-11-24T10:00:00.000Z',
    offerExpiresAt: null,
    cancelReason: null,
    cancelCode: null,
    ...patch,
  };
}

function snapshot(items: AssignmentCard[], position: string, mine: AssignmentCard[] = []): QueueList {
  return { items, mine, position, nextCursor: null, dispatchMode: 'broadcast' };
}

/** Positions are commit-ordered numbers; these read as "event <tx><id>" for the cases below. */
const at = (tx: number, id: number) => BigInt(tx * 10 + id);

describe('currentCards', () => {
  it('applies only events after the snapshot position', () => {
    const log: LoggedEvent[] = [
      { position: at(5, 1), event: { kind: 'removed', assignmentId: 'a', reason: 'taken' } },
      { position: at(7, 2), event: { kind: 'upsert', card: card('b') } },
    ];
    const cards = currentCards(snapshot([card('a')], '61'), log);
    expect([...cards.keys()]).toEqual(['a', 'b']);
  });

  it('keeps the highest version when an event already in the snapshot arrives again', () => {
    const newer = card('a', { version: 3, urgent: true });
    const log: LoggedEvent[] = [
      { position: at(9, 1), event: { kind: 'upsert', card: card('a', { version: 2 }) } },
    ];
    expect(currentCards(snapshot([newer], '81'), log).get('a')?.version).toBe(3);
  });

  it('drops a card removed after the snapshot, and re-adds it if it comes back later', () => {
    const log: LoggedEvent[] = [
      { position: at(9, 1), event: { kind: 'removed', assignmentId: 'a', reason: 'offered_elsewhere' } },
    ];
    expect(currentCards(snapshot([card('a')], '81'), log).has('a')).toBe(false);
    const back: LoggedEvent = {
      position: at(10, 1),
      event: { kind: 'upsert', card: card('a', { version: 4 }) },
    };
    expect(currentCards(snapshot([card('a')], '81'), [...log, back]).get('a')?.version).toBe(4);
  });

  it('applies optimistic entries (no position) and forgets them at the next snapshot', () => {
    const accepted = card('a', { version: 2, status: 'accepted', mechanic: { id: ME, displayName: 'Me' } });
    const log: LoggedEvent[] = [{ position: null, event: { kind: 'upsert', card: accepted } }];
    const cards = currentCards(snapshot([card('a')], '81'), log);
    expect(queueCards(cards)).toEqual([]);
    expect(mySessionCards(cards, ME).map((c) => c.assignmentId)).toEqual(['a']);
    expect(pruneLog(log, '91')).toEqual([]);
  });
});

describe('queueCards', () => {
  it('orders urgent first, then the longest waiting', () => {
    const cards = currentCards(
      snapshot(
        [
          card('new', { queuedAt: '2026-11-24T10:05:00.000Z' }),
          card('old', { queuedAt: '2026-11-24T10:01:00.000Z' }),
          card('urgent', { urgent: true, queuedAt: '2026-11-24T10:09:00.000Z' }),
        ],
        '11',
      ),
      [],
    );
    expect(queueCards(cards).map((c) => c.assignmentId)).toEqual(['urgent', 'old', 'new']);
  });
});
