import {
  type AssignmentCard,
  type AssignmentStatus,
  awayReasonIn,
  canTake,
  type DispatchMode,
  type MechanicKind,
  type MechanicLoad,
  type MechanicViewer,
  mayAlert,
  NO_MECHANIC_AVAILABLE,
  type VisibilityFacts,
} from '@dispatch/domain';

/**
 * What the push sender needs of one committed event. The event log (today's `StoredEvent`) maps
 * onto it with no loss; the position is opaque and only used as the key of the delivery claim.
 */
export interface PushEvent {
  position: string;
  assignmentId: string;
  sessionId: string;
  type: string;
  toStatus: AssignmentStatus;
  reason?: string | null;
  data: { before: VisibilityFacts | null; after: VisibilityFacts; card: AssignmentCard };
  createdAt: Date;
}

/** A mechanic who has at least one subscribed device. */
export interface PushMechanic {
  userId: string;
  kind: MechanicKind;
  workshopId: string | null;
  /** Their own stored choice: only `available` mechanics are alerted, by any channel. */
  availability: 'available' | 'away' | 'offline';
  /** Live sessions they hold now, and their capacity: a mechanic at capacity is not alerted. */
  load: MechanicLoad;
  virtualCapacity: number;
}

type PushKind = 'alert' | 'retract' | 'customer' | 'notice';

/** The JSON the service worker receives. */
export type PushPayload =
  | {
      kind: 'alert';
      tag: string;
      assignmentId: string;
      version: number;
      title: string;
      body: string;
      /** Absolute deadline (ms since epoch); the worker drops an alert that arrives after it. */
      actionableUntil: number;
      offered: boolean;
    }
  | { kind: 'retract'; tag: string; assignmentId: string; reason: RetractReason }
  | { kind: 'notice'; tag: string; title: string; body: string; url: string };

type RetractReason =
  | 'taken'
  | 'accepted_by_you'
  | 'cancelled'
  | 'offered_elsewhere'
  | 'expired'
  | 'unavailable';

export interface PlannedPush {
  userId: string;
  kind: PushKind;
  payload: PushPayload;
  /** Seconds the push service keeps it for an unreachable device: how long it stays actionable. */
  ttlSeconds: number;
  urgency: 'high' | 'normal';
  /** RFC 8030 Topic: a newer push with the same topic replaces an undelivered older one. */
  topic: string;
  /**
   * `alert`: only devices without a focused live dashboard; `retract`: only devices that were
   * alerted about this request; `all`: every device of the user.
   */
  devices: 'unfocused' | 'alerted' | 'all';
}

export interface PlanSettings {
  dispatchMode: DispatchMode;
  offerTimeoutMs: number;
  queueTimeoutMs: number;
}

const TYPE_LABEL: Record<AssignmentCard['sessionType'], string> = {
  video: 'Video call',
  chat: 'Chat',
  diagnostic: 'Diagnostic',
  in_person: 'In person',
};

/** "Urgent video call: 2019 Honda Civic", as the dashboard writes it. */
export function headlineOf(card: AssignmentCard): string {
  const type = TYPE_LABEL[card.sessionType];
  const vehicle = `${card.vehicle.year} ${card.vehicle.make} ${card.vehicle.model}`;
  return `${card.urgent ? `Urgent ${type.toLowerCase()}` : type}: ${vehicle}`;
}

/** Topic and notification tag per request: 32 URL-safe characters (a UUID without dashes). */
export function requestTopic(assignmentId: string): string {
  return assignmentId.replaceAll('-', '').slice(0, 32);
}

export function requestTag(assignmentId: string): string {
  return `request-${assignmentId}`;
}

/**
 * Until when the request stays actionable for a mechanic: the offer window (targeted), or the
 * queue timeout counted from when it was queued (broadcast).
 */
export function actionableUntil(card: AssignmentCard, settings: PlanSettings, now: Date): number {
  if (card.status === 'offered' && card.offerExpiresAt) return Date.parse(card.offerExpiresAt);
  if (card.status === 'offered') return now.getTime() + settings.offerTimeoutMs;
  const queuedAt = Date.parse(card.queuedAt ?? card.createdAt);
  return queuedAt + settings.queueTimeoutMs;
}

function viewerOf(mechanic: PushMechanic): MechanicViewer {
  return { role: 'mechanic', userId: mechanic.userId, kind: mechanic.kind, workshopId: mechanic.workshopId };
}

function retractReason(after: VisibilityFacts, mechanicId: string): RetractReason {
  switch (after.status) {
    case 'accepted':
      return after.mechanicId === mechanicId ? 'accepted_by_you' : 'taken';
    case 'cancelled':
      return 'cancelled';
    case 'offered':
      return after.mechanicId === mechanicId ? 'unavailable' : 'offered_elsewhere';
    case 'expired':
    case 'declined':
      return 'expired';
    default:
      return 'unavailable';
  }
}

/**
 * Which pushes one event causes, decided only by the domain's `canTake` (with the dispatch mode)
 * and its capacity rule:
 *   - a mechanic for whom the request just became takeable, who chose Available and is under
 *     capacity for its session type, is alerted;
 *   - a mechanic for whom it stopped being takeable gets a retraction (sent only to the devices
 *     that were alerted, whatever their availability now), closing the notification;
 *   - the customer hears "Accepted by …", "No mechanic available" and "Completed".
 */
export function planPushes(
  event: PushEvent,
  mechanics: readonly PushMechanic[],
  settings: PlanSettings,
  now: Date,
): PlannedPush[] {
  const { before, after, card } = event.data;
  const mode = settings.dispatchMode;
  const planned: PlannedPush[] = [];
  const topic = requestTopic(event.assignmentId);
  const tag = requestTag(event.assignmentId);
  const until = actionableUntil(card, settings, now);
  const ttlSeconds = Math.max(0, Math.floor((until - now.getTime()) / 1000));
  for (const mechanic of mechanics) {
    const viewer = viewerOf(mechanic);
    const takeableBefore = before !== null && canTake(viewer, before, mode);
    const takeableAfter = canTake(viewer, after, mode);
    if (takeableAfter && !takeableBefore) {
      // Their own choice (a closed tab is exactly who push is for) and the accept statement's
      // capacity rule: an alert they could not act on is noise.
      const reachable = { ...mechanic, presence: mechanic.availability };
      if (!mayAlert(reachable, card.sessionType) || ttlSeconds <= 0) continue;
      planned.push({
        userId: mechanic.userId,
        kind: 'alert',
        payload: {
          kind: 'alert',
          tag,
          assignmentId: event.assignmentId,
          version: card.version,
          title:
            after.status === 'offered'
              ? `Offered to you — ${headlineOf(card)}`
              : `New request — ${headlineOf(card)}`,
          body: card.concern.slice(0, 140),
          actionableUntil: until,
          offered: after.status === 'offered',
        },
        ttlSeconds,
        urgency: 'high',
        topic,
        devices: 'unfocused',
      });
    } else if (takeableBefore && !takeableAfter) {
      planned.push({
        userId: mechanic.userId,
        kind: 'retract',
        payload: {
          kind: 'retract',
          tag,
          assignmentId: event.assignmentId,
          reason: retractReason(after, mechanic.userId),
        },
        // The retraction replaces (same topic) an alert the device has not fetched yet; it only
        // matters while the alert could still be waiting at the push service.
        ttlSeconds: Math.max(60, Math.ceil(settings.queueTimeoutMs / 1000)),
        urgency: 'high',
        topic,
        devices: 'alerted',
      });
    }
  }
  const customer = customerPush(event, before);
  if (customer) planned.push(customer);
  // Missed-offer accountability: the expiry that set the offered mechanic away says so in its
  // reason (see expiryReason in packages/domain); tell that mechanic on every device.
  const away = awayReasonIn(event.reason);
  const offeredTo = before?.status === 'offered' ? before.mechanicId : null;
  if (away && offeredTo) {
    planned.push({
      userId: offeredTo,
      kind: 'notice',
      payload: {
        kind: 'notice',
        tag: 'availability',
        title: 'You are now away',
        body: `${away} (${event.createdAt.toISOString().slice(11, 16)} UTC). Open the dashboard and choose Available to get requests again.`,
        url: '/mechanic/',
      },
      ttlSeconds: 3600,
      urgency: 'high',
      topic: 'availability',
      devices: 'all',
    });
  }
  return planned;
}

function customerPush(event: PushEvent, before: VisibilityFacts | null): PlannedPush | null {
  const { after, card } = event.data;
  if (before?.status === after.status) return null;
  const url = `/#/session/${event.sessionId}`;
  const tag = `session-${event.sessionId}`;
  const common = {
    userId: after.customerId,
    kind: 'customer' as const,
    ttlSeconds: 24 * 60 * 60,
    topic: requestTopic(event.sessionId),
    devices: 'all' as const,
  };
  if (after.status === 'accepted') {
    return {
      ...common,
      urgency: 'high',
      payload: {
        kind: 'notice',
        tag,
        url,
        title: `Accepted by ${card.mechanic?.displayName ?? 'a mechanic'}`,
        body: `Your ${TYPE_LABEL[card.sessionType].toLowerCase()} request was accepted. Open it to get started.`,
      },
    };
  }
  if (after.status === 'completed') {
    return {
      ...common,
      urgency: 'normal',
      payload: { kind: 'notice', tag, url, title: 'Completed', body: 'Your session is complete. Thank you!' },
    };
  }
  if (
    after.status === 'cancelled' &&
    (card.cancelCode === NO_MECHANIC_AVAILABLE.code || event.reason === NO_MECHANIC_AVAILABLE.reason)
  ) {
    return {
      ...common,
      urgency: 'high',
      payload: {
        kind: 'notice',
        tag,
        url,
        title: 'No mechanic available',
        body: 'Nobody could take your request in time. Open the app to book again.',
      },
    };
  }
  return null;
}
