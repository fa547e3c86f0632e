import type { DbTransaction } from '@dispatch/db';
import type { CallSignal } from '@dispatch/domain';

/** How long a stored signal is kept; it is only ever read within moments of being written. */
const CALL_SIGNAL_TTL_SECONDS = 300;

export interface NewCallSignal {
  sessionId: string;
  fromUser: string;
  toUser: string;
  /** null: the server's `ended`, which names no attempt. */
  signal: Exclude<CallSignal, { kind: 'ended' }>;
  /** The addressee's attempt it is meant for (a `here` answers one join); null: any. */
  toAttempt: string | null;
}

/**
 * Stores one signal for relay: one statement, which also deletes signals past their TTL (nothing
 * here is history). The insert trigger notifies CALL_SIGNALS_CHANNEL with the row's id, and at
 * commit every process hears it; the one holding the addressee's subscription reads the row.
 *
 * Why a row and not the notification itself: an SDP offer with candidates can pass NOTIFY's
 * 8,000-byte payload limit, and chunking would need reassembly state in every process. A row
 * keeps the notification tiny and fixed-size, and a process that missed notifications while
 * its LISTEN connection was down can re-read what it missed.
 */
export async function storeCallSignal(db: DbTransaction, signal: NewCallSignal): Promise<void> {
  await db.$executeRaw`
    WITH expired AS (
      DELETE FROM call_signals
      WHERE created_at < now() - make_interval(secs => ${CALL_SIGNAL_TTL_SECONDS})
    )
    INSERT INTO call_signals (session_id, from_user, to_user, attempt, to_attempt, kind, payload)
    VALUES (${signal.sessionId}::uuid, ${signal.fromUser}::uuid, ${signal.toUser}::uuid,
            ${signal.signal.attempt}::uuid, ${signal.toAttempt}::uuid, ${signal.signal.kind},
            ${JSON.stringify(signal.signal.payload)}::jsonb)`;
}
