import { comparePositions, type Position, parsePosition } from '@dispatch/domain';
import type { AssignmentCard, QueueEvent, QueueList } from '../api-types.ts';

/** A queue event with the stream position it came at (null for this tab's own optimistic results). */
export interface LoggedEvent {
  position: Position | null;
  event: QueueEvent;
}

/**
 * The dashboard's view of its cards: the latest `queue.list` snapshot plus every streamed event
 * after the snapshot's position, applied in order. Events at or before that position are already in
 * the snapshot and are skipped; an upsert older than the card held (by `version`) is skipped too,
 * because an event reflected in the snapshot may arrive once more.
 */
export function currentCards(snapshot: QueueList, log: readonly LoggedEvent[]): Map<string, AssignmentCard> {
  const cards = new Map<string, AssignmentCard>();
  for (const card of [...snapshot.items, ...snapshot.mine]) upsert(cards, card);
  const from = parsePosition(snapshot.position);
  for (const entry of log) {
    if (from && entry.position && comparePositions(entry.position, from) <= 0) continue;
    apply(cards, entry.event);
  }
  return cards;
}

function apply(cards: Map<string, AssignmentCard>, event: QueueEvent): void {
  if (event.kind === 'upsert') upsert(cards, event.card);
  else if (event.kind === 'removed') cards.delete(event.assignmentId);
}

function upsert(cards: Map<string, AssignmentCard>, card: AssignmentCard): void {
  const held = cards.get(card.assignmentId);
  if (!held || held.version < card.version) cards.set(card.assignmentId, card);
}

/** What a new snapshot makes redundant: stream events it already reflects, and optimistic entries. */
export function pruneLog(log: readonly LoggedEvent[], snapshotPosition: string): LoggedEvent[] {
  const from = parsePosition(snapshotPosition);
  if (!from) return [...log];
  return log.filter((entry) => entry.position !== null && comparePositions(entry.position, from) > 0);
}

const TAKEABLE = new Set(['queued', 'offered']);
const MINE = new Set(['accepted', 'completed', 'cancelled']);

/** Urgent first, then the longest waiting: the same order the server uses. */
export function byUrgencyThenAge(a: AssignmentCard, b: AssignmentCard): number {
  if (a.urgent !== b.urgent) return a.urgent ? -1 : 1;
  return Date.parse(a.queuedAt ?? a.createdAt) - Date.parse(b.queuedAt ?? b.createdAt);
}

/** Cards a mechanic may take now (the server only sends those), in queue order. */
export function queueCards(cards: Map<string, AssignmentCard>): AssignmentCard[] {
  return [...cards.values()].filter((card) => TAKEABLE.has(card.status)).sort(byUrgencyThenAge);
}

/** The mechanic's own sessions: active ones first, then the most recent finished ones. */
export function mySessionCards(cards: Map<string, AssignmentCard>, userId: string): AssignmentCard[] {
  return [...cards.values()]
    .filter((card) => MINE.has(card.status) && card.mechanic?.id === userId)
    .sort((a, b) => {
      const activeA = a.status === 'accepted' ? 0 : 1;
      const activeB = b.status === 'accepted' ? 0 : 1;
      return activeA - activeB || Date.parse(b.createdAt) - Date.parse(a.createdAt);
    });
}

/** Admins see everything: open requests in queue order, finished ones after. */
export function allCards(cards: Map<string, AssignmentCard>): AssignmentCard[] {
  const open = (c: AssignmentCard) => (c.status === 'completed' || c.status === 'cancelled' ? 1 : 0);
  return [...cards.values()].sort((a, b) => open(a) - open(b) || byUrgencyThenAge(a, b));
}
