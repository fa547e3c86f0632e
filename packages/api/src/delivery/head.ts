import { type Position, START_POSITION } from '@dispatch/domain';

/**
 * The newest event no commit can land behind: the last row written by a transaction older than
 * every running one. The hub starts from it, and a snapshot's position is it (see core/snapshot.ts).
 */
export const HEAD_SQL = `SELECT tx_id::text AS tx, id::text AS id FROM assignment_events
  WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY tx_id DESC, id DESC LIMIT 1`;

export type HeadRow = { tx: string; id: string };

export function headOf(rows: readonly HeadRow[]): Position {
  const row = rows[0];
  return row ? { tx: BigInt(row.tx), id: BigInt(row.id) } : START_POSITION;
}
