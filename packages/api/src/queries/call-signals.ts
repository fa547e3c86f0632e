import type { DbTransaction } from '@dispatch/db';
import type { CallSignal } from '@dispatch/domain';
import { CALL_SIGNALS_CHANNEL, type EventHub } from '../log/index.ts';

interface SignalRow {
  id: bigint;
  attempt: string;
  kind: string;
  payload: unknown;
}

export interface CallFollow extends AsyncIterable<CallSignal> {
  /** Stops following; the iterator ends. */
  close(): void;
}

/**
 * The signals addressed to one member of one session's call, as they are stored, from any server
 * process: the CALL_SIGNALS_CHANNEL notification names the row, this reads it. Listening starts
 * when this is called, so a signal stored after it returns is never missed. After a LISTEN
 * reconnect it re-reads the rows it may have missed; the session leaving `accepted` ends the call
 * (`ended`, then the iterator finishes).
 */
export function followCallSignals(options: {
  db: DbTransaction;
  hub: EventHub;
  sessionId: string;
  toUser: string;
  /** This subscription's attempt: signals meant for another attempt of the same user are skipped. */
  attempt: string;
  signal?: AbortSignal;
}): CallFollow {
  const { db, hub, sessionId, toUser, attempt } = options;
  const pending: bigint[] = [];
  const delivered = new Set<bigint>();
  let catchUp = false;
  let ended = false;
  let closed = false;
  let wake: (() => void) | null = null;
  const poke = () => {
    wake?.();
    wake = null;
  };
  // Rows stored from this moment on are this subscription's to read.
  const since = new Date();
  const stopNotices = hub.onNotice(CALL_SIGNALS_CHANNEL, (payload) => {
    const [id, session, to] = payload.split(':');
    if (session !== sessionId || to !== toUser || !id || !/^\d+$/.test(id)) return;
    pending.push(BigInt(id));
    poke();
  });
  const stopReconnects = hub.onListenerReconnect(() => {
    catchUp = true;
    poke();
  });
  const stopEvents = hub.onEvents((events) => {
    if (events.some((event) => event.sessionId === sessionId && event.toStatus !== 'accepted')) {
      ended = true;
      poke();
    }
  });
  const close = () => {
    if (closed) return;
    closed = true;
    stopNotices();
    stopReconnects();
    stopEvents();
    poke();
  };
  options.signal?.addEventListener('abort', close, { once: true });

  const read = async (): Promise<SignalRow[]> => {
    if (catchUp) {
      catchUp = false;
      pending.length = 0;
      return db.$queryRaw<SignalRow[]>`
        SELECT id, attempt::text AS attempt, kind, payload FROM call_signals
        WHERE session_id = ${sessionId}::uuid AND to_user = ${toUser}::uuid AND created_at >= ${since}
          AND (to_attempt IS NULL OR to_attempt = ${attempt}::uuid)
        ORDER BY id`;
    }
    const ids = pending
      .splice(0)
      .filter((id) => !delivered.has(id))
      .map(String);
    if (ids.length === 0) return [];
    // In the order the notifications came: the order the signals were committed.
    return db.$queryRaw<SignalRow[]>`
      SELECT id, attempt::text AS attempt, kind, payload FROM call_signals
      WHERE id = ANY(${ids}::text[]::bigint[]) AND (to_attempt IS NULL OR to_attempt = ${attempt}::uuid)
      ORDER BY array_position(${ids}::text[]::bigint[], id)`;
  };

  async function* iterate(): AsyncGenerator<CallSignal> {
    try {
      while (!closed) {
        if (ended) {
          yield { kind: 'ended', attempt: null, payload: {} };
          return;
        }
        if (pending.length === 0 && !catchUp) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          continue;
        }
        for (const row of await read()) {
          if (delivered.has(row.id)) continue;
          delivered.add(row.id);
          yield { kind: row.kind, attempt: row.attempt, payload: row.payload } as CallSignal;
        }
      }
    } finally {
      close();
    }
  }
  const iterator = iterate();
  return { close, [Symbol.asyncIterator]: () => iterator };
}
