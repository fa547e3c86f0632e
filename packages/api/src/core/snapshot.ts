import type { Db, DbTransaction } from '@dispatch/db';
import { encodePosition, START_POSITION } from '@dispatch/domain';

/**
 * Runs `read` in one REPEATABLE READ snapshot together with the event position that snapshot
 * reflects. Subscribing from that position misses nothing; an event the snapshot already shows may
 * arrive once more, and carries the same state, so applying it again changes nothing.
 */
export async function readWithPosition<T>(
  db: Db,
  read: (tx: DbTransaction) => Promise<T>,
): Promise<{ position: string; data: T }> {
  return db.$transaction(
    async (tx) => {
      const rows = await tx.$queryRaw<{ tx: string; id: string }[]>`
        SELECT tx_id::text AS tx, id::text AS id FROM assignment_events
        WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY tx_id DESC, id DESC LIMIT 1`;
      const head = rows[0] ? { tx: BigInt(rows[0].tx), id: BigInt(rows[0].id) } : START_POSITION;
      return { position: encodePosition(head), data: await read(tx) };
    },
    { isolationLevel: 'RepeatableRead' },
  );
}
