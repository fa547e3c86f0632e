/**
 * The newest committed event. Positions are drawn in commit order (see append.ts), so every
 * committed event is at or below it, and no later commit can land below it.
 */
export const HEAD_SQL = 'SELECT coalesce(max(position), 0)::text AS position FROM assignment_events';

export type HeadRow = { position: string };

export function headOf(rows: readonly HeadRow[]): bigint {
  return BigInt(rows[0]?.position ?? '0');
}
