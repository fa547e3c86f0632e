import { type Actor, availableEvents, type DispatchMode, summaryOfCard } from '@dispatch/domain';
import { type AssignmentRow, domainState, toCard } from './rows.ts';

/**
 * Everything the customer's status page shows about one session, from its row. The honest place
 * in line (only requests the same mechanics could take) and the expected wait come from
 * `stats.waiting`, not from a count over every waiting request.
 */
export function sessionDetails(row: AssignmentRow, actor: Actor, now: Date, dispatchMode: DispatchMode) {
  const card = toCard(row);
  return {
    ...summaryOfCard(card),
    sessionType: card.sessionType,
    plan: card.plan,
    urgent: card.urgent,
    customerName: card.customerName,
    vehicle: card.vehicle,
    concern: card.concern,
    workshop: card.workshop,
    createdAt: card.createdAt,
    queuedAt: card.queuedAt,
    waiverSignedAt: row.session.waiver?.signedAt.toISOString() ?? null,
    actions: availableEvents(domainState(row), actor, now),
    dispatchMode,
  };
}
