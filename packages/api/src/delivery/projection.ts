import { canView, type DispatchMode, removalReason, type Viewer } from '@dispatch/domain';
import { summaryOfCard } from '../core/rows.ts';
import type { QueueEvent, SessionEvent } from '../core/views.ts';
import type { StoredEvent } from './stored-event.ts';

const upserts = new WeakMap<StoredEvent, QueueEvent>();

/** One payload object per event for every viewer who may see the card, so the socket layer serializes it once. */
function sharedUpsert(event: StoredEvent, card: StoredEvent['data']['card']): QueueEvent {
  let upsert = upserts.get(event);
  if (!upsert) {
    upsert = { kind: 'upsert', card };
    upserts.set(event, upsert);
  }
  return upsert;
}

/**
 * What one staff viewer may receive of an event: the card if they can see it now, the bare fact of
 * its removal if they just lost sight of it, otherwise nothing at all.
 */
export function projectForStaff(viewer: Viewer, event: StoredEvent, mode: DispatchMode): QueueEvent | null {
  const { before, after, card } = event.data;
  if (canView(viewer, after, mode)) return sharedUpsert(event, card);
  const reason = removalReason(viewer, before, after, mode);
  return reason ? { kind: 'removed', assignmentId: event.assignmentId, reason } : null;
}

/** What a customer receives: changes to their own sessions only. */
export function projectForCustomer(
  viewer: Viewer,
  event: StoredEvent,
  sessionId: string | null,
): SessionEvent | null {
  if (sessionId !== null && event.sessionId !== sessionId) return null;
  if (!canView(viewer, event.data.after)) return null;
  return { kind: 'session', session: summaryOfCard(event.data.card) };
}
