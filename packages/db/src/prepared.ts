// Statements on the write path as named prepared statements on node-postgres, beside Prisma.
//
// Prisma stays the schema, migration and general query layer. The few statements every mutation
// runs (the assignment read, the state change, the booking, the auth lookup) and the push sender's
// per-event queries go to the same pool directly: PostgreSQL parses and plans each once per pooled
// connection instead of on every call, and the call skips Prisma's raw-query pipeline. Measured
// side by side in-process (issue #17, packages/bench/src/probe-write-path.ts): the figures are in
// docs/DESIGN.md, "Delivery: no event is ever lost".
import type pg from 'pg';
// The client's types come from the generated client, not client.ts, which imports this module.
import type { Prisma, PrismaClient } from './generated/prisma/client.ts';

type Db = PrismaClient;
type DbTransaction = Prisma.TransactionClient;

/** One statement with a name unique to its text: PostgreSQL keeps it prepared per connection. */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

export function preparedStatement(name: string, text: string): PreparedStatement {
  return { name, text };
}

const pools = new WeakMap<object, pg.Pool>();

/** Called by createDb: the pool under `db`, so prepared statements run on the same connections. */
export function rememberPool(db: Db, pool: pg.Pool): void {
  pools.set(db, pool);
}

/**
 * Runs `statement` with `values` ($1, $2, … in its text). On a client made by createDb it is a
 * named prepared statement on that client's pool; inside a `$transaction` (or on any other client)
 * it runs through Prisma on that transaction's connection, so transactional callers keep their
 * isolation. The rows come back with node-postgres's parsers in both cases for the column types
 * these statements return (uuid and text as strings, timestamptz as Date, jsonb parsed, int4 as
 * number, text[] as string[]).
 */
export async function queryPrepared<Row>(
  db: Db | DbTransaction,
  statement: PreparedStatement,
  values: readonly unknown[],
): Promise<Row[]> {
  const pool = pools.get(db);
  if (pool) {
    const result = await pool.query<Row & pg.QueryResultRow>({
      name: statement.name,
      text: statement.text,
      values: values as unknown[],
    });
    return result.rows;
  }
  return (db as DbTransaction).$queryRawUnsafe<Row[]>(statement.text, ...values);
}
