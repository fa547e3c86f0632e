import { type AssignmentState, availableEvents, type TransitionEventType } from '@dispatch/domain';
import type { AssignmentCard } from '../api-types.ts';

/**
 * Which buttons can work for this mechanic now, asked of the domain's transition table rather than
 * re-deciding state rules here. A card carries what the guards read (status, mechanic, offer expiry);
 * the customer id only matters to customer actors, and the server never offers a declined request.
 */
export function mechanicActions(
  card: AssignmentCard,
  userId: string,
  now = new Date(),
): Set<TransitionEventType> {
  const state: AssignmentState = {
    status: card.status,
    customerId: '',
    mechanicId: card.mechanic?.id ?? null,
    offerExpiresAt: card.offerExpiresAt ? new Date(card.offerExpiresAt) : null,
    declinedBy: [],
  };
  return new Set(availableEvents(state, { kind: 'mechanic', userId }, now));
}
