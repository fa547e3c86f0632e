// The event log: the one owner of assignment_events (append, head, reads, stream, snapshots).
export {
  AUTH_REVOKED_CHANNEL,
  appendEvent,
  EVENT_ORDER_LOCK,
  EVENTS_CHANNEL,
  eventFields,
  type NewEvent,
} from './append.ts';
export { HEAD_SQL, type HeadRow, headOf } from './head.ts';
export { EventHub, type EventHubOptions } from './hub.ts';
export { resolveStart, type StreamStart } from './positions.ts';
export { projectForSessions, projectForStaff } from './projection.ts';
export { type Shared, shared, sharedJson } from './shared-payload.ts';
export { readWithPosition } from './snapshot.ts';
export { EVENT_COLUMNS, type EventRow, fromRow, type StoredEvent } from './stored-event.ts';
export {
  DEFAULT_SLOW_CONSUMER_LIMITS,
  type SlowConsumerLimits,
  streamEvents,
  TOO_SLOW_CLOSE_CODE,
  type Transport,
} from './stream.ts';
