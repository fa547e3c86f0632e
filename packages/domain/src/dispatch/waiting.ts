import type { DispatchMode } from '../statuses.ts';
import type { WaitRange } from './estimate.ts';

/** The facts behind what a waiting customer is told. All counts are of mechanics eligible for it. */
export interface WaitingFacts {
  mode: DispatchMode;
  /** Eligible mechanics online and available. */
  online: number;
  /** Of those, how many could take it now: under capacity (and, in targeted mode, without an open offer). */
  free: number;
  /** 1 + requests ahead that the same mechanics would take first (see `honestPosition`). */
  position: number;
  /** Targeted mode: it is offered to a mechanic right now. */
  offeredNow: boolean;
  /** Targeted mode: everyone online has passed; a new round starts at this time. */
  nextRoundAt: Date | null;
  /** Why an accepted request came back to the queue (at its original place), if it did. */
  returned: WaitingNotice | null;
  /** Typical wait of recent comparable requests, or null when unknown. */
  typicalWait: WaitRange | null;
}

/** One-off notices above the message: why a request that had a mechanic is waiting again. */
export const WAITING_NOTICES = ['mechanic_lost_connection', 'moved_by_support'] as const;
export type WaitingNotice = (typeof WAITING_NOTICES)[number];

export const WAITING_MESSAGE_CODES = [
  'no_mechanic_online',
  'offering_one_at_a_time',
  'new_round_soon',
  'all_busy_first_in_line',
  'all_busy_in_line',
  'shown_to_mechanics',
  'waiting_in_line',
] as const;
export type WaitingMessageCode = (typeof WAITING_MESSAGE_CODES)[number];

export interface WaitingMessage {
  code: WaitingMessageCode;
  params: {
    online: number;
    /** Requests ahead of it that the same mechanics would take first. */
    ahead: number;
    /** Seconds until the next round (new_round_soon), else null. */
    nextRoundInSeconds: number | null;
    typicalWait: { lowSeconds: number; highSeconds: number } | null;
  };
  /** A one-off notice shown above the message. */
  notice: WaitingNotice | null;
}

/** English templates for the codes; apps may use their own wording for the same facts. */
export const WAITING_MESSAGE_TEXT = {
  no_mechanic_online:
    'No mechanic is online right now. Your request stays in line and goes out as soon as one is.',
  offering_one_at_a_time: '{online} mechanics online; offering your request to them one at a time.',
  new_round_soon:
    'Every mechanic online has seen your request; offering it to them again in {nextRoundInSeconds} s.',
  all_busy_first_in_line: 'All available mechanics are busy; you are first in line.',
  all_busy_in_line: 'All available mechanics are busy; {ahead} requests are ahead of yours.',
  shown_to_mechanics: 'Your request is on the screens of {online} mechanics; you are first in line.',
  waiting_in_line: '{online} mechanics online; {ahead} requests are ahead of yours.',
} as const satisfies Record<WaitingMessageCode, string>;

export const NOTICE_TEXT = {
  mechanic_lost_connection:
    'Your mechanic lost connection, so your request is back in line at its original place.',
  moved_by_support: 'Our support team moved your request; it is back in line at its original place.',
} as const satisfies Record<WaitingNotice, string>;

/** What to tell a waiting customer, from the facts. Pure; the truth at every moment. */
export function waitingMessage(facts: WaitingFacts, now: Date): WaitingMessage {
  const ahead = Math.max(0, facts.position - 1);
  const params = {
    online: facts.online,
    ahead,
    nextRoundInSeconds: null as number | null,
    typicalWait: facts.typicalWait
      ? { lowSeconds: facts.typicalWait.lowSeconds, highSeconds: facts.typicalWait.highSeconds }
      : null,
  };
  const notice = facts.returned;
  const say = (code: WaitingMessageCode): WaitingMessage => ({ code, params, notice });

  if (facts.online === 0) return say('no_mechanic_online');
  if (facts.mode === 'targeted') {
    if (facts.offeredNow) return say('offering_one_at_a_time');
    if (facts.nextRoundAt) {
      params.nextRoundInSeconds = Math.max(
        0,
        Math.ceil((facts.nextRoundAt.getTime() - now.getTime()) / 1000),
      );
      return say('new_round_soon');
    }
  }
  if (facts.free === 0) return say(ahead === 0 ? 'all_busy_first_in_line' : 'all_busy_in_line');
  if (ahead > 0) return say('waiting_in_line');
  return say(facts.mode === 'targeted' ? 'offering_one_at_a_time' : 'shown_to_mechanics');
}

/** Fills a template with the message's params (for logs, tests and apps without their own copy). */
export function renderWaitingMessage(message: WaitingMessage): string {
  const text: string = WAITING_MESSAGE_TEXT[message.code];
  const count = (key: string) => Number(message.params[key as 'online'] ?? 0);
  return text
    .replace(/\{online\} mechanics/g, () => plural(count('online'), 'mechanic', 'mechanics'))
    .replace(/\{ahead\} requests are/g, () => plural(count('ahead'), 'request is', 'requests are'))
    .replace(/\{(\w+)\}/g, (_, key: string) => String(message.params[key as 'online'] ?? ''));
}

/** "1 mechanic", "3 mechanics": a worried customer reads these, so they read right. */
function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
