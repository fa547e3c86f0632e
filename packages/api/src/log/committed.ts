import type { EventRow } from './stored-event.ts';

/**
 * The event row a write statement returns beside its outcome (`to_jsonb` of the inserted row,
 * migration 20261202100000_committed_event_in_result): the table's columns, timestamps as text.
 */
export type CommittedEventJson = Omit<EventRow, 'position' | 'created_at'> & {
  position: number | string;
  created_at: string;
};

type Sink = (row: EventRow) => void;

// Keyed by the database client whose pool the statements ran on: a `$transaction`'s client is
// another object, never registered, because its events are not committed when the statement ends.
const sinks = new WeakMap<object, Sink>();

/**
 * Events committed by autocommit write statements on `db` are handed to `sink` (the process's
 * event hub) as soon as the statement returns, so this process need not wait for NOTIFY and a read
 * to deliver its own events.
 */
export function onCommittedEvents(db: object, sink: Sink): void {
  sinks.set(db, sink);
}

/** Called by the write commands with what the statement returned for the event it committed. */
export function eventCommitted(db: object, position: string, json: CommittedEventJson | undefined): void {
  const sink = sinks.get(db);
  if (!sink || !json) return;
  sink({ ...json, position, created_at: new Date(json.created_at) });
}
