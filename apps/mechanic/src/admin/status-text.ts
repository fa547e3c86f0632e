import type { AssignmentCard } from '../api-types.ts';

export const STATUS_TEXT: Record<AssignmentCard['status'], string> = {
  pending_waiver: 'Waiting for waiver',
  queued: 'Queued',
  offered: 'Offered',
  declined: 'Declined',
  expired: 'Offer expired',
  accepted: 'Accepted',
  cancelled: 'Cancelled',
  completed: 'Completed',
};
