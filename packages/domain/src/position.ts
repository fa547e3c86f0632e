/**
 * A position in the event stream: the writing transaction's id (xid8) and the event's id.
 * Ordered by (tx, id); encoded as "tx.id" for tRPC's `tracked()` and `lastEventId`.
 */
export interface Position {
  tx: bigint;
  id: bigint;
}

export const START_POSITION: Position = { tx: 0n, id: 0n };

const POSITION_PATTERN = /^(\d{1,20})\.(\d{1,20})$/;

export function encodePosition(p: Position): string {
  return `${p.tx}.${p.id}`;
}

/** Parses an encoded position; null when it is not one. */
export function parsePosition(text: string): Position | null {
  const match = POSITION_PATTERN.exec(text);
  if (!match?.[1] || !match[2]) return null;
  return { tx: BigInt(match[1]), id: BigInt(match[2]) };
}

export function comparePositions(a: Position, b: Position): number {
  if (a.tx !== b.tx) return a.tx < b.tx ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}
