// Prisma client over node-postgres (driver adapter; no native query engine).
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { type Prisma, PrismaClient } from './generated/prisma/client.ts';
import { rememberPool } from './prepared.ts';

export type Db = PrismaClient;
/** The client handed to `db.$transaction(async (tx) => …)` callbacks. */
export type DbTransaction = Prisma.TransactionClient;

export interface CreateDbOptions {
  /** Pooled connections at most (node-postgres default: 10). */
  poolSize?: number;
  /**
   * Limits on this client's own connections, so one stalled caller cannot hold others back for
   * long: a transaction left idle is ended by the server, a lock or a statement waits this long.
   */
  limits?: { statementTimeoutMs: number; lockTimeoutMs: number; idleInTransactionTimeoutMs: number };
  /**
   * The node-postgres Client class the pool connects with (default pg.Client). Tests and probes
   * pass a subclass that counts `query` calls: each one is one round trip to the server.
   */
  Client?: typeof pg.Client;
}

export function createDb(url: string, options: CreateDbOptions = {}): Db {
  const { limits } = options;
  // One pool shared by Prisma and the write path's prepared statements (prepared.ts); Prisma's
  // $disconnect ends it.
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize,
    ...(options.Client ? { Client: options.Client } : {}),
    ...(limits
      ? {
          statement_timeout: limits.statementTimeoutMs,
          lock_timeout: limits.lockTimeoutMs,
          idle_in_transaction_session_timeout: limits.idleInTransactionTimeoutMs,
        }
      : {}),
  });
  // An idle connection's error (the server restarted, say) must not crash the process before
  // Prisma has attached its own listener: the pool drops that connection and the next query opens
  // another, and the query that meets the outage gets the error.
  pool.on('error', () => {});
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  const db = new PrismaClient({ adapter });
  rememberPool(db, pool);
  return db;
}
