import type { RouterOutputs } from '@dispatch/api/client-types';
import { SESSION_TYPE_LABELS, type SessionOutcome } from '@dispatch/domain';
import { describeWait } from '../ui/time.ts';

export type SessionDetails = RouterOutputs['session']['get'];

/** The page's h1: where the customer stands, in words a worried person reads at a glance. */
export function headline(session: Pick<SessionDetails, 'status' | 'mechanicName'>): string {
  switch (session.status) {
    case 'pending_waiver':
      return 'Waiting for your waiver';
    case 'waiting':
      return 'Waiting for a mechanic';
    case 'in_progress':
      return `Accepted by ${session.mechanicName ?? 'a mechanic'}`;
    case 'completed':
      return 'Session completed';
    case 'cancelled':
      return 'Session cancelled';
  }
}

/** The shared label; a customer is told where an in-person visit happens. */
export function sessionTypeLabel(type: SessionDetails['sessionType']): string {
  return type === 'in_person' ? `${SESSION_TYPE_LABELS.in_person} at a workshop` : SESSION_TYPE_LABELS[type];
}

/**
 * What happens next once a mechanic has accepted, by session type. The chat is open below the
 * moment a mechanic accepts (and the video call, for a video session): say so, not "in a moment".
 */
export function nextStep(session: Pick<SessionDetails, 'sessionType' | 'workshop' | 'mechanicName'>): string {
  const name = session.mechanicName ?? 'your mechanic';
  switch (session.sessionType) {
    case 'video':
      // True before, during and after the call: the call card below says which it is.
      return `Your video call and chat with ${name} are below.`;
    case 'chat':
      return `Chat with ${name} below.`;
    case 'diagnostic':
      return `Chat with ${name} below: they walk you through the diagnostic there. Have your keys at hand.`;
    case 'in_person':
      return session.workshop
        ? `${capitalised(name)} expects you at ${session.workshop.name}: the address and a map are below. You can chat below.`
        : `${capitalised(name)} expects you at their workshop: the address and a map are below. You can chat below.`;
  }
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * The sentence on a completed session, by its outcome: hope for a better car only when the
 * problem was resolved. `outcome` is null until the summary has loaded (or if none was given).
 */
export function completedMessage(mechanicName: string | null, outcome: SessionOutcome | null): string {
  const name = mechanicName ?? 'your mechanic';
  switch (outcome) {
    case 'resolved':
      return `Your session with ${name} is finished and the problem is resolved. We hope your car is in better shape. Thank you for using Mechanic on call.`;
    case 'needs_workshop':
      return `Your session with ${name} is finished: your car needs a visit to a workshop. Their notes are below, to take with you.`;
    case 'could_not_help':
      return `Your session with ${name} is finished, but they could not help this time. We are sorry. You can book another session, in person at a workshop if that suits the problem better.`;
    case null:
      return `Your session with ${name} is finished. Thank you for using Mechanic on call.`;
  }
}

/**
 * How long requests like this one usually wait, in words, or '' when it would not help: nothing
 * is known, or nobody is online (recent history says nothing about a queue no one is watching).
 */
export function typicalWaitSentence(
  range: { lowSeconds: number; highSeconds: number } | null,
  online: number,
): string {
  if (!range || online === 0) return '';
  const intro = 'Requests like yours are usually taken';
  const lower = describeWait(range.lowSeconds);
  const upper = describeWait(range.highSeconds);
  if (lower === upper) return `${intro} in ${upper}.`;
  if (range.lowSeconds < 60) return `${intro} within ${upper}.`;
  return `${intro} in ${lower} to ${upper.replace(/^about /, '')}.`;
}
