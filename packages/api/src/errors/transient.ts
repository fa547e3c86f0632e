/** PostgreSQL SQLSTATEs after which the same call is worth retrying: nothing was written. */
const TRANSIENT_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available (lock_timeout)
  '57014', // query_canceled (statement_timeout)
  '25P03', // idle_in_transaction_session_timeout
  '53300', // too_many_connections
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000', // connection_exception
  '08003',
  '08006',
]);
/** Prisma's codes for an unreachable or overloaded database, or a timed-out transaction. */
const TRANSIENT_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028', 'P2034']);
/** Driver-adapter error kinds meaning the same. */
const TRANSIENT_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'TooManyConnections',
  'TransactionWriteConflict',
  'SocketTimeout',
  'TransactionAlreadyClosed',
]);
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
const TRANSIENT_MESSAGE =
  /Connection terminated|connection timeout|Unable to start a transaction|expired transaction|Transaction already closed/i;

/**
 * Whether an error says the database was briefly unable to serve (down, restarting, overloaded,
 * a lock or statement timeout): the caller gets SERVICE_UNAVAILABLE with a retry hint, not a 500.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const e = current as {
      code?: unknown;
      originalCode?: unknown;
      kind?: unknown;
      message?: unknown;
      cause?: unknown;
    };
    for (const code of [e.code, e.originalCode]) {
      if (typeof code !== 'string') continue;
      if (TRANSIENT_SQLSTATES.has(code) || TRANSIENT_PRISMA_CODES.has(code) || TRANSIENT_NODE_CODES.has(code))
        return true;
    }
    if (typeof e.kind === 'string' && TRANSIENT_KINDS.has(e.kind)) return true;
    if (
      e.kind === 'postgres' &&
      typeof e.originalCode === 'string' &&
      TRANSIENT_SQLSTATES.has(e.originalCode)
    )
      return true;
    if (typeof e.message === 'string' && TRANSIENT_MESSAGE.test(e.message)) return true;
    current = e.cause;
  }
  return false;
}
