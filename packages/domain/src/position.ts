/**
 * A position in the event log: a bigint drawn in commit order among event writers (see
 * docs/DESIGN.md, "Positions"). It travels as its decimal text, an opaque string to clients
 * (tRPC `tracked()` ids, `lastEventId`, a snapshot's `position`).
 */
export type Position = bigint;

export const START_POSITION: Position = 0n;

/** PostgreSQL's bigint: positions beyond it cannot exist. */
export const MAX_POSITION: Position = 2n ** 63n - 1n;

const POSITION_PATTERN = /^\d{1,19}$/;
/** Positions handed out before commit-ordered positions: "<xid8>.<event id>". */
const LEGACY_PATTERN = /^(\d{1,20})\.(\d{1,19})$/;
const MAX_XID8 = 2n ** 64n - 1n;

export function encodePosition(p: Position): string {
  return p.toString();
}

/** Parses an encoded position; null when it is not one (or out of range). */
export function parsePosition(text: string): Position | null {
  if (!POSITION_PATTERN.test(text)) return null;
  const value = BigInt(text);
  return value <= MAX_POSITION ? value : null;
}

/** A position from before commit-ordered positions: the writing transaction and the event id. */
export interface LegacyPosition {
  tx: bigint;
  id: bigint;
}

export function parseLegacyPosition(text: string): LegacyPosition | null {
  const match = LEGACY_PATTERN.exec(text);
  if (!match?.[1] || !match[2]) return null;
  const tx = BigInt(match[1]);
  const id = BigInt(match[2]);
  return tx <= MAX_XID8 && id <= MAX_POSITION ? { tx, id } : null;
}

export function comparePositions(a: Position, b: Position): number {
  return a === b ? 0 : a < b ? -1 : 1;
}
