import { useCallback, useEffect, useRef, useState } from 'react';
import type { AssignmentCard } from '../api-types.ts';

/** How long a request that left the queue keeps its place, greyed, before it goes. */
const GHOST_MS = 1_800;

export interface Ghost {
  card: AssignmentCard;
  /** "Taken by another mechanic", "Cancelled by the customer"… */
  text: string;
}

/**
 * A request that leaves the queue (taken, cancelled, offered elsewhere) stays in its place for a
 * beat, greyed and without buttons, so the next card's Accept never slides under the pointer.
 * It is not a card any more: no Accept, no alert, not counted.
 */
export function useGhosts(): { ghosts: Ghost[]; add(card: AssignmentCard, text: string): void } {
  const [ghosts, setGhosts] = useState<Ghost[]>([]);
  const timers = useRef(new Set<ReturnType<typeof setTimeout>>());
  const add = useCallback((card: AssignmentCard, text: string) => {
    setGhosts((current) => [
      ...current.filter((g) => g.card.assignmentId !== card.assignmentId),
      { card, text },
    ]);
    const timer = setTimeout(() => {
      timers.current.delete(timer);
      setGhosts((current) => current.filter((g) => g.card.assignmentId !== card.assignmentId));
    }, GHOST_MS);
    timers.current.add(timer);
  }, []);
  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const timer of pending) clearTimeout(timer);
    };
  }, []);
  return { ghosts, add };
}
