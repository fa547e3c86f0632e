import { foldLog, type LoggedEvent } from '@dispatch/web';
import type { AssignmentCard, QueueEvent, QueueList } from '../api-types.ts';

/** What the dashboard folds the queue's events into: its cards by id, and the dispatch mode. */
export interface QueueView {
  cards: Map<string, AssignmentCard>;
  dispatchMode: QueueList['dispatchMode'];
}

/** A snapshot's cards before any event: the takeable page and the mechanic's own sessions. */
export function queueViewOf(snapshot: QueueList): QueueView {
  const cards = new Map<string, AssignmentCard>();
  for (const card of [...snapshot.items, ...snapshot.mine]) upsert(cards, card);
  return { cards, dispatchMode: snapshot.dispatchMode };
}

/**
 * One queue event on the view. An upsert older than the card held (by `version`) is skipped,
 * because an event reflected in the snapshot may arrive once more. (The view's map is the fold's
 * own fresh copy, so it is updated in place.)
 */
export function applyQueueEvent(view: QueueView, event: QueueEvent): QueueView {
  if (event.kind === 'upsert') upsert(view.cards, event.card);
  else if (event.kind === 'removed') view.cards.delete(event.assignmentId);
  return view;
}

/** The cards a snapshot and the events after its position add up to (see foldLog). */
export function currentCards(
  snapshot: QueueList,
  log: readonly LoggedEvent<QueueEvent>[],
): Map<string, AssignmentCard> {
  return foldLog(snapshot, log, queueViewOf, applyQueueEvent).cards;
}

function upsert(cards: Map<string, AssignmentCard>, card: AssignmentCard): void {
  const held = cards.get(card.assignmentId);
  if (!held || held.version < card.version) cards.set(card.assignmentId, card);
}

const TAKEABLE = new Set(['queued', 'offered']);
const MINE = new Set(['accepted', 'completed', 'cancelled']);

/** Urgent first, then the longest waiting: the same order the server uses. */
export function byUrgencyThenAge(a: AssignmentCard, b: AssignmentCard): number {
  if (a.urgent !== b.urgent) return a.urgent ? -1 : 1;
  return Date.parse(a.queuedAt ?? a.createdAt) - Date.parse(b.queuedAt ?? b.createdAt);
}

/** Cards a mechanic may take now (the server only sends those), in queue order. */
export function queueCards(cards: ReadonlyMap<string, AssignmentCard>): AssignmentCard[] {
  return [...cards.values()].filter((card) => TAKEABLE.has(card.status)).sort(byUrgencyThenAge);
}

/** The mechanic's own sessions: active ones first, then the most recent finished ones. */
export function mySessionCards(cards: ReadonlyMap<string, AssignmentCard>, userId: string): AssignmentCard[] {
  return [...cards.values()]
    .filter((card) => MINE.has(card.status) && card.mechanic?.id === userId)
    .sort((a, b) => {
      const activeA = a.status === 'accepted' ? 0 : 1;
      const activeB = b.status === 'accepted' ? 0 : 1;
      return activeA - activeB || Date.parse(b.createdAt) - Date.parse(a.createdAt);
    });
}

/** Admins see everything: open requests in queue order, finished ones after. */
export function allCards(cards: ReadonlyMap<string, AssignmentCard>): AssignmentCard[] {
  const open = (c: AssignmentCard) => (c.status === 'completed' || c.status === 'cancelled' ? 1 : 0);
  return [...cards.values()].sort((a, b) => open(a) - open(b) || byUrgencyThenAge(a, b));
}
