import { SESSION_TYPE_LABELS } from '@dispatch/domain';
import type { AssignmentCard } from '../api-types.ts';

export { SESSION_TYPE_LABELS };

export function vehicleOf(card: AssignmentCard): string {
  return `${card.vehicle.year} ${card.vehicle.make} ${card.vehicle.model}`;
}

/** "Urgent video call: 2019 Honda Civic" — one line for notifications and announcements. */
export function headline(card: AssignmentCard): string {
  const type = SESSION_TYPE_LABELS[card.sessionType];
  return `${card.urgent ? `Urgent ${type.toLowerCase()}` : type}: ${vehicleOf(card)}`;
}
