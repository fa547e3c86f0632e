import { MESSAGE_MAX_CHARS, type RoomEvent, type RoomMessage, type RoomState } from '@dispatch/domain';

/** A message typed here and not yet confirmed by the server. It keeps its key until it is. */
export interface Outgoing {
  clientKey: string;
  body: string;
  /** sending: in flight; queued: will be retried by itself; failed: needs the person (Retry / Discard). */
  status: 'sending' | 'queued' | 'failed';
  error: string | null;
  /** When a queued message is tried again (ms since epoch). */
  retryAt: number | null;
  createdAt: string;
}

export interface RoomView {
  state: RoomState | null;
  /** Confirmed messages in position order, each once. */
  messages: RoomMessage[];
  outbox: Outgoing[];
}

export const EMPTY_ROOM: RoomView = { state: null, messages: [], outbox: [] };

const byPosition = (a: RoomMessage, b: RoomMessage) => {
  const x = BigInt(a.position);
  const y = BigInt(b.position);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Adds confirmed messages (from the stream, a send's answer or a history page): once each, in order. */
export function withMessages(view: RoomView, incoming: readonly RoomMessage[]): RoomView {
  if (incoming.length === 0) return view;
  const known = new Set(view.messages.map((m) => m.id));
  const fresh: RoomMessage[] = [];
  for (const message of incoming) {
    if (known.has(message.id)) continue;
    known.add(message.id);
    fresh.push(message);
  }
  const confirmedKeys = new Set(incoming.map((m) => m.clientKey));
  const outbox = view.outbox.filter((o) => !confirmedKeys.has(o.clientKey));
  if (fresh.length === 0 && outbox.length === view.outbox.length) return view;
  const last = view.messages.at(-1);
  const inOrder = !last || fresh.every((m) => byPosition(m, last) > 0);
  const messages = inOrder ? [...view.messages, ...fresh] : [...view.messages, ...fresh].sort(byPosition);
  return { ...view, messages, outbox };
}

/** One stream event applied. A resync drops what we had: the stream starts over from the first message. */
export function applyRoomEvent(view: RoomView, event: RoomEvent): RoomView {
  switch (event.kind) {
    case 'resync':
      return { ...view, messages: [] };
    case 'state':
      return { ...view, state: event.state };
    case 'message':
      return withMessages(view, [event.message]);
  }
}

export function updateOutgoing(
  view: RoomView,
  clientKey: string,
  change: Partial<Outgoing> | null,
): RoomView {
  const outbox =
    change === null
      ? view.outbox.filter((o) => o.clientKey !== clientKey)
      : view.outbox.map((o) => (o.clientKey === clientKey ? { ...o, ...change } : o));
  return { ...view, outbox };
}

/** The mark shown under one's own message: ✓ sent, ✓✓ delivered, Read. */
export function markOf(message: RoomMessage, state: RoomState | null): 'sent' | 'delivered' | 'read' {
  if (!state) return 'sent';
  const position = BigInt(message.position);
  if (position <= BigInt(state.marks.otherRead)) return 'read';
  if (position <= BigInt(state.marks.otherDelivered)) return 'delivered';
  return 'sent';
}

/** Messages from the other side after my read mark, as the view knows them. */
export function unreadIn(view: RoomView): number {
  if (!view.state) return 0;
  const myRead = BigInt(view.state.marks.myRead);
  const counted = view.messages.filter((m) => !m.mine && BigInt(m.position) > myRead).length;
  // The server's count covers messages this view has not loaded yet.
  return Math.max(counted, view.messages.length === 0 ? view.state.marks.unread : counted);
}

/** Where queued messages live between page loads, so a reload or a closed tab loses none. */
export const outboxStorageKey = (sessionId: string) => `room-outbox:${sessionId}`;

/**
 * What the composer may do with a draft: how many characters are left (the server's limit is on the
 * trimmed text), whether it can be sent, and if not because it is too long, the sentence saying so.
 */
export function draftCheck(draft: string): { left: number; canSend: boolean; tooLong: string | null } {
  const length = draft.trim().length;
  const left = MESSAGE_MAX_CHARS - length;
  const tooLong =
    left < 0
      ? `Too long to send: ${length.toLocaleString('en-GB')} characters, at most ${MESSAGE_MAX_CHARS.toLocaleString('en-GB')}. Remove ${(-left).toLocaleString('en-GB')} to send it.`
      : null;
  return { left, canSend: length > 0 && tooLong === null, tooLong };
}
