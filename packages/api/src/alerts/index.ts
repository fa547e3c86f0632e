export { deviceLabel } from './device-label.ts';
export { fromStoredEvent } from './from-stored-event.ts';
export { awayNotice, type OfferOutcomeInput, recordOfferOutcome } from './missed-offers.ts';
export {
  actionableUntil,
  headlineOf,
  type PlannedPush,
  type PlanSettings,
  type PushEvent,
  type PushMechanic,
  type PushPayload,
  planPushes,
  requestTag,
  requestTopic,
} from './plan.ts';
export { ROOM_ALERT_DELAY_MS, startRoomAlerts } from './room-messages.ts';
export { type EventSource, PushSender, type PushSenderOptions, startPushSender } from './sender.ts';
export { DEFAULT_VAPID_SUBJECT, type VapidKeys, vapidKeys } from './vapid.ts';
