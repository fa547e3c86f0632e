// "Who could see this?": for one request and one mechanic, a plain verdict and its reason, decided
// by the same rules the server uses (canView, capacityVerdict, effectivePresence, the targeted
// offer rules) plus what the event trail and the delivery receipts say happened. Pure: the caller
// loads the facts and passes the time in.
import { capacityVerdict, type MechanicLoad } from './dispatch/capacity.ts';
import { effectivePresence } from './dispatch/presence.ts';
import { RECEIPT_CHANNEL_LABELS, type ReceiptChannel } from './receipts.ts';
import type { Availability, DispatchMode, MechanicKind, SessionType } from './statuses.ts';
import { canView, isEligible, type MechanicViewer, type VisibilityFacts } from './visibility.ts';

export interface SightMechanic {
  userId: string;
  displayName: string;
  email: string;
  kind: MechanicKind;
  workshopId: string | null;
  workshopName: string | null;
  /** Their own choice. */
  availability: Availability;
  lastSeenAt: Date | null;
  awaySetAt: Date | null;
  awayReason: string | null;
  load: MechanicLoad;
  virtualCapacity: number;
  /** Open connections now, over every server process. */
  connections: number;
}

export interface SightRequest extends VisibilityFacts {
  mechanicName: string | null;
  workshopName: string | null;
  declinedBy: readonly string[];
}

/** What the event trail says this mechanic did with the request (the latest of each). */
export interface SightHistory {
  offeredAt: Date | null;
  declinedAt: Date | null;
  expiredAt: Date | null;
  acceptedAt: Date | null;
}

export const NO_HISTORY: SightHistory = {
  offeredAt: null,
  declinedAt: null,
  expiredAt: null,
  acceptedAt: null,
};

export interface SightReceipt {
  channel: ReceiptChannel;
  at: Date;
  process: string | null;
}

export const SIGHT_CODES = [
  'virtual_only',
  'wrong_workshop',
  'not_queued',
  'holds_offer',
  'accepted_it',
  'finished_it',
  'taken_by_other',
  'offered_to_other',
  'closed',
  'declined',
  'offer_expired',
  'offline',
  'away',
  'in_person_in_progress',
  'finish_live_sessions_first',
  'at_capacity',
  'waiting_turn',
  'can_see',
] as const;
export type SightCode = (typeof SIGHT_CODES)[number];

export interface SightVerdict {
  mechanicId: string;
  displayName: string;
  email: string;
  /** Whether the server's visibility rule (canView) lets them see it now. */
  visible: boolean;
  /** Whether they would be alerted about it now (visible, available, under capacity, and it is open). */
  alertable: boolean;
  code: SightCode;
  /** When the fact behind the code happened (away since, offline since, declined at...), ISO. */
  since: string | null;
  /** A name the reason needs: the other mechanic, the request's workshop. */
  other: string | null;
  /** Away reason the system wrote, or a capacity figure ("1 of 1"). */
  detail: string | null;
  connections: number;
  /** What their connections received and did, oldest first. */
  receipts: { channel: ReceiptChannel; at: string; process: string | null }[];
}

function viewerOf(m: SightMechanic): MechanicViewer {
  return { role: 'mechanic', userId: m.userId, kind: m.kind, workshopId: m.workshopId };
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** The verdict for one mechanic and one request, now. */
export function sightVerdict(
  mechanic: SightMechanic,
  request: SightRequest,
  history: SightHistory,
  receipts: readonly SightReceipt[],
  mode: DispatchMode,
  now: Date,
): SightVerdict {
  const visible = canView(viewerOf(mechanic), request, mode);
  const presence = effectivePresence(mechanic.availability, mechanic.lastSeenAt, now);
  const capacity = capacityVerdict(mechanic.load, mechanic.virtualCapacity, request.sessionType);
  const base = {
    mechanicId: mechanic.userId,
    displayName: mechanic.displayName,
    email: mechanic.email,
    visible,
    connections: mechanic.connections,
    receipts: [...receipts]
      .sort((a, b) => a.at.getTime() - b.at.getTime())
      .map((r) => ({ channel: r.channel, at: r.at.toISOString(), process: r.process })),
  };
  const open = request.status === 'queued' || request.status === 'offered';
  const alertable = visible && open && presence === 'available' && capacity.ok;
  const verdict = (
    code: SightCode,
    since: Date | null = null,
    other: string | null = null,
    detail: string | null = null,
  ): SightVerdict => ({ ...base, alertable, code, since: iso(since), other, detail });

  if (!isEligible(mechanic, request)) {
    return mechanic.kind === 'virtual_only'
      ? verdict('virtual_only')
      : verdict('wrong_workshop', null, request.workshopName);
  }
  if (request.status === 'pending_waiver') return verdict('not_queued');
  const theirs = request.mechanicId === mechanic.userId;
  switch (request.status) {
    case 'offered':
      return theirs
        ? verdict('holds_offer', history.offeredAt)
        : verdict('offered_to_other', null, request.mechanicName);
    case 'accepted':
      return theirs
        ? verdict('accepted_it', history.acceptedAt)
        : verdict('taken_by_other', null, request.mechanicName);
    case 'completed':
      return theirs ? verdict('finished_it') : verdict('taken_by_other', null, request.mechanicName);
    case 'cancelled':
      return verdict('closed');
    default:
      break;
  }
  // Waiting (queued, or between a pass and its requeue): who passed, who is reachable, who has room.
  // A pass (a decline, or an offer left to run out) keeps them from being offered it again this round.
  if (request.declinedBy.includes(mechanic.userId)) {
    const { expiredAt, declinedAt } = history;
    return expiredAt && (!declinedAt || expiredAt > declinedAt)
      ? verdict('offer_expired', expiredAt)
      : verdict('declined', declinedAt);
  }
  if (presence === 'offline') return verdict('offline', mechanic.lastSeenAt);
  if (presence === 'away') return verdict('away', mechanic.awaySetAt, null, mechanic.awayReason);
  if (!capacity.ok) {
    const { virtual } = mechanic.load;
    const detail =
      capacity.code === 'at_capacity'
        ? `${virtual} of ${mechanic.virtualCapacity}`
        : capacity.code === 'finish_live_sessions_first'
          ? String(virtual)
          : null;
    return verdict(capacity.code, null, null, detail);
  }
  if (!visible) return verdict('waiting_turn');
  return verdict('can_see');
}

export type TimeFormat = (iso: string) => string;

/** "14:02:01.234" in UTC: the default where no time zone is known. */
export const utcClock: TimeFormat = (value) => value.slice(11, 23);

const TYPE_TEXT: Record<SessionType, string> = {
  video: 'video call',
  chat: 'chat',
  diagnostic: 'diagnostic',
  in_person: 'in-person visit',
};

/** The verdict as one plain sentence: why, then what their screens received and did. */
export function describeSight(
  v: SightVerdict,
  time: TimeFormat = utcClock,
  sessionType?: SessionType,
): string {
  const at = (prefix: string) => (v.since ? `${prefix} ${time(v.since)}` : '');
  const reason = (() => {
    switch (v.code) {
      case 'virtual_only':
        return `Cannot see it: virtual-only, and this is ${sessionType ? `an ${TYPE_TEXT[sessionType]}` : 'in person'}`;
      case 'wrong_workshop':
        return `Cannot see it: wrong workshop (this is for ${v.other ?? 'another workshop'})`;
      case 'not_queued':
        return 'Nobody sees it yet: waiting for the waiver';
      case 'holds_offer':
        return `Offered to them${at(' at')}`;
      case 'accepted_it':
        return `Accepted it${at(' at')}`;
      case 'finished_it':
        return 'Completed it';
      case 'taken_by_other':
        // "Now": what their screen received before it was taken follows in the same line.
        return `Cannot see it now: taken by ${v.other ?? 'another mechanic'}`;
      case 'offered_to_other':
        return `Cannot see it now: offered to ${v.other ?? 'another mechanic'}`;
      case 'closed':
        return 'Closed: no longer open';
      case 'declined':
        return `Declined${at(' at')}`;
      case 'offer_expired':
        return `Offer expired${at(' at')} (not answered)`;
      case 'offline':
        return v.since ? `Offline since ${time(v.since)}` : 'Offline (never connected)';
      case 'away':
        return `Away${at(' since')}${v.detail ? ` (${v.detail})` : ''}`;
      case 'in_person_in_progress':
        return 'At capacity: on an in-person visit';
      case 'finish_live_sessions_first':
        return `At capacity: an in-person visit needs them free (${v.detail ?? 'busy'} live)`;
      case 'at_capacity':
        return `At capacity (${v.detail ?? 'full'} live sessions)`;
      case 'waiting_turn':
        return 'Not offered to them yet (one mechanic at a time)';
      case 'can_see':
        return 'Can see it';
    }
  })();
  const evidence = describeReceipts(v, time);
  if (evidence) return `${reason}; ${evidence}`;
  // They may see it, but no connection of theirs was handed it (no dashboard open, or receipts off).
  return (v.code === 'can_see' || v.code === 'holds_offer') && v.connections === 0
    ? `${reason}; no open dashboard was handed it`
    : reason;
}

/** "delivered 14:02:01.234 on web-2 and shown 14:02:01.301; sound played 14:02:01.310, push sent 14:02:01.500 on web-1". */
export function describeReceipts(v: Pick<SightVerdict, 'receipts'>, time: TimeFormat = utcClock): string {
  const first = (channel: ReceiptChannel) => v.receipts.find((r) => r.channel === channel);
  const delivered = v.receipts.filter((r) => r.channel === 'delivered');
  // The first delivery on each process: one line per connection's process.
  const perProcess = new Map<string, string>();
  for (const r of delivered) if (!perProcess.has(r.process ?? '?')) perProcess.set(r.process ?? '?', r.at);
  const parts: string[] = [];
  if (perProcess.size > 0) {
    parts.push(
      `delivered ${[...perProcess].map(([process, at]) => `${time(at)} on ${process}`).join(' and ')}`,
    );
  }
  const shown = first('shown');
  if (shown) parts.push(`shown ${time(shown.at)}`);
  const alerts = v.receipts.filter((r) => r.channel !== 'delivered' && r.channel !== 'shown');
  // The first of each alert channel.
  const firstOf = new Map<ReceiptChannel, (typeof alerts)[number]>();
  for (const r of alerts) if (!firstOf.has(r.channel)) firstOf.set(r.channel, r);
  const alertText = [...firstOf.values()].map(
    (r) =>
      `${ALERT_TEXT[r.channel] ?? RECEIPT_CHANNEL_LABELS[r.channel]} ${time(r.at)}${r.process ? ` on ${r.process}` : ''}`,
  );
  const text = parts.join(' and ');
  if (alertText.length === 0) return text;
  return `${text ? `${text}; ` : ''}${alertText.join(', ')}`;
}

/** Each alert channel as what happened ("sound played 14:02:01.310"), so the list reads as a sentence. */
const ALERT_TEXT: Partial<Record<ReceiptChannel, string>> = {
  in_page: 'alerted in the page',
  notification: 'desktop notification shown',
  sound: 'sound played',
  push_sent: 'push sent',
  push_shown: 'push notification shown',
  push_clicked: 'push notification opened',
};
