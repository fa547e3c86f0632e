import type { Db, DbTransaction } from '@dispatch/db';
import { encodePosition } from '@dispatch/domain';
import { HEAD_SQL, type HeadRow, headOf } from '../delivery/head.ts';

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
      const head = headOf(await tx.$queryRawUnsafe<HeadRow[]>(HEAD_SQL));
      return { position: encodePosition(head), data: await read(tx) };
    },
    { isolationLevel: 'RepeatableRead' },
  );
}
