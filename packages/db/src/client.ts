// Prisma client over node-postgres (driver adapter; no native query engine).
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { type Prisma, PrismaClient } from './generated/prisma/client.ts';

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
  const adapter = new PrismaPg({
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
  return new PrismaClient({ adapter });
}
