// The event log: the one owner of assignment_events (append, head, reads, stream, snapshots).
export { AUTH_REVOKED_CHANNEL, appendEvent, CALL_SIGNALS_CHANNEL, eventFields } from './append.ts';
export { type CommittedEventJson, eventCommitted, onCommittedEvents } from './committed.ts';
export { HEAD_SQL, type HeadRow, headOf } from './head.ts';
export { EventHub, type EventHubOptions } from './hub.ts';
export { StaffFanOut } from './live-fanout.ts';
export { resolveStart } from './positions.ts';
export { projectForSessions, projectForStaff } from './projection.ts';
export { shared, sharedJson } from './shared-payload.ts';
export { readWithPosition } from './snapshot.ts';
export { EVENT_COLUMNS, type EventRow, fromRow, type StoredEvent } from './stored-event.ts';
export { DEFAULT_SLOW_CONSUMER_LIMITS, streamEvents, TOO_SLOW_CLOSE_CODE } from './stream.ts';
