import type { RoomMessage, RoomState } from '@dispatch/domain';
import { describe, expect, it } from 'vitest';
import {
  applyRoomEvent,
  draftCheck,
  EMPTY_ROOM,
  markOf,
  type RoomView,
  unreadIn,
  withMessages,
} from '../src/room/room-state.ts';

const message = (position: number, mine = false, clientKey = `k${position}`): RoomMessage => ({
  id: `m${position}`,
  position: String(position),
  clientKey,
  author: mine ? 'customer' : 'mechanic',
  authorName: mine ? 'Dana' : 'Priya',
  mine,
  body: `message ${position}`,
  createdAt: new Date(0).toISOString(),
  photo: null,
});
const state = (marks: Partial<RoomState['marks']> = {}): RoomState => ({
  sessionId: 's',
  access: 'write',
  side: 'customer',
  sessionType: 'chat',
  customerName: 'Dana',
  mechanicName: 'Priya',
  marks: { otherDelivered: '0', otherRead: '0', myRead: '0', unread: 0, ...marks },
});

describe('the room view', () => {
  it('keeps each message once and in position order, however they arrive', () => {
    let view: RoomView = EMPTY_ROOM;
    view = withMessages(view, [message(2), message(5)]);
    view = withMessages(view, [message(5), message(3)]);
    view = applyRoomEvent(view, { kind: 'message', message: message(2) });
    view = applyRoomEvent(view, { kind: 'message', message: message(7) });
    expect(view.messages.map((m) => m.position)).toEqual(['2', '3', '5', '7']);
    expect(applyRoomEvent(view, { kind: 'resync', reason: 'position_unknown' }).messages).toEqual([]);
  });

  it('a confirmed message leaves the outbox (matched by its key)', () => {
    const view: RoomView = {
      ...EMPTY_ROOM,
      outbox: [
        { clientKey: 'mine', body: 'hi', status: 'queued', error: null, retryAt: null, createdAt: '' },
      ],
    };
    expect(withMessages(view, [message(4, true, 'mine')]).outbox).toEqual([]);
  });

  it('marks: sent, delivered, read from the other side’s positions; unread after my read mark', () => {
    const s = state({ otherDelivered: '5', otherRead: '3', myRead: '4' });
    expect([3, 5, 6].map((p) => markOf(message(p, true), s))).toEqual(['read', 'delivered', 'sent']);
    const view = withMessages({ ...EMPTY_ROOM, state: s }, [
      message(4),
      message(6, true),
      message(8),
      message(9),
    ]);
    expect(unreadIn(view)).toBe(2);
  });
});

describe('draftCheck', () => {
  it('lets a message up to the limit go, counting the trimmed text', () => {
    expect(draftCheck(`  ${'a'.repeat(2000)}  `)).toEqual({ left: 0, canSend: true, tooLong: null });
    expect(draftCheck('hello').canSend).toBe(true);
  });
  it('refuses an empty draft without a reason (there is nothing wrong to say)', () => {
    expect(draftCheck('   \n ')).toEqual({ left: 2000, canSend: false, tooLong: null });
  });
  it('refuses a draft over the limit and says by how much', () => {
    const check = draftCheck('a'.repeat(2100));
    expect(check.canSend).toBe(false);
    expect(check.left).toBe(-100);
    expect(check.tooLong).toBe('Too long to send: 2,100 characters, at most 2,000. Remove 100 to send it.');
  });
});
