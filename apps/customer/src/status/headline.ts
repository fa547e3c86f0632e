import type { RouterOutputs } from '@dispatch/api/client-types';
import { SESSION_TYPE_LABELS } from '@dispatch/domain';

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

/** What happens next once a mechanic has accepted, by session type. */
export function nextStep(session: Pick<SessionDetails, 'sessionType' | 'workshop'>): string {
  switch (session.sessionType) {
    case 'video':
      return 'Join the video call below when you are ready: your mechanic joins from their side.';
    case 'chat':
      return 'Your mechanic will open the chat in a moment.';
    case 'diagnostic':
      return 'Your mechanic will walk you through the diagnostic in a moment. Have your keys at hand.';
    case 'in_person':
      return session.workshop
        ? `Your mechanic expects you at ${session.workshop.name}: the address and a map are below.`
        : 'Your mechanic expects you at their workshop: the address and a map are below.';
  }
}
