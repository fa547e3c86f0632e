// Prisma client over node-postgres (driver adapter; no native query engine).
import { PrismaPg } from '@prisma/adapter-pg';
import { type Prisma, PrismaClient } from './generated/prisma/client.ts';

export type Db = PrismaClient;
/** The client handed to `db.$transaction(async (tx) => …)` callbacks. */
export type DbTransaction = Prisma.TransactionClient;

export interface CreateDbOptions {
  /** Pooled connections at most (node-postgres default: 10). */
  poolSize?: number;
}

export function createDb(url: string, options: CreateDbOptions = {}): Db {
  const adapter = new PrismaPg({ connectionString: url, max: options.poolSize });
  return new PrismaClient({ adapter });
}
