import type { Db, DbTransaction } from '@dispatch/db';
import { encodePosition } from '@dispatch/domain';
import { HEAD_SQL, type HeadRow, headOf } from './head.ts';

/**
 * Runs `read` in one REPEATABLE READ snapshot together with the event position that snapshot
 * reflects: positions are commit-ordered, so the snapshot holds exactly the events up to its
 * newest one. Subscribing from that position misses nothing; an event the snapshot already shows
 * may arrive once more and carries the same version, so applying it again changes nothing.
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
