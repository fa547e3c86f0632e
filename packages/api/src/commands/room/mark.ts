import type { Db } from '@dispatch/db';

/**
 * Moves a member's marks forward (never back): delivered and read up to a position, clamped to
 * the room's newest message, read implying delivered. One statement; a change notifies the room
 * (trigger room_reads_changed), an unchanged mark writes nothing.
 */
export async function markRoom(
  db: Db,
  mark: { sessionId: string; userId: string; delivered: bigint; read: bigint },
): Promise<void> {
  await db.$executeRaw`
    WITH head AS (
      SELECT coalesce(max(position), 0) AS p FROM room_messages WHERE session_id = ${mark.sessionId}::uuid
    )
    INSERT INTO room_reads (session_id, user_id, delivered_up_to, read_up_to, updated_at)
    SELECT ${mark.sessionId}::uuid, ${mark.userId}::uuid, least(greatest(${mark.delivered.toString()}::bigint, ${mark.read.toString()}::bigint), head.p),
           least(${mark.read.toString()}::bigint, head.p), now()
      FROM head
    ON CONFLICT (session_id, user_id) DO UPDATE SET
      delivered_up_to = greatest(room_reads.delivered_up_to, EXCLUDED.delivered_up_to),
      read_up_to = greatest(room_reads.read_up_to, EXCLUDED.read_up_to),
      updated_at = now()
    WHERE EXCLUDED.delivered_up_to > room_reads.delivered_up_to OR EXCLUDED.read_up_to > room_reads.read_up_to`;
}
