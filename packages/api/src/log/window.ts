import type { Position } from '@dispatch/domain';
import type { StoredEvent } from './stored-event.ts';

/**
 * The newest events in memory, in position order, so subscribers catch up without a query.
 * Everything after `base` and up to `head` is held; older positions are read from the table.
 */
export class EventWindow {
  readonly #capacity: number;
  #events: StoredEvent[] = [];
  #base: Position;
  #head: Position;

  constructor(start: Position, capacity: number) {
    this.#base = start;
    this.#head = start;
    this.#capacity = capacity;
  }

  get head(): Position {
    return this.#head;
  }

  get base(): Position {
    return this.#base;
  }

  append(events: readonly StoredEvent[]): void {
    const last = events.at(-1);
    if (!last) return;
    this.#events.push(...events);
    this.#head = last.position;
    const excess = this.#events.length - this.#capacity;
    if (excess > 0) {
      const dropped = this.#events.splice(0, excess);
      const newBase = dropped.at(-1);
      if (newBase) this.#base = newBase.position;
    }
  }

  /** Events after `from`, at most `limit`; null when `from` is older than what memory holds. */
  after(from: Position, limit: number): StoredEvent[] | null {
    if (from < this.#base) return null;
    const start = this.#firstAfter(from);
    return this.#events.slice(start, start + limit);
  }

  #firstAfter(position: Position): number {
    let low = 0;
    let high = this.#events.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const event = this.#events[mid];
      if (event && event.position <= position) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
