// Driver adapter for the schema engine. adapter-pg's executeScript splits scripts on every ";",
// which breaks function bodies; here a script runs whole, as one simple-protocol query (one
// implicit transaction, like the native engine). Shadow databases are named in the URL itself.
import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  ColumnTypeEnum,
  DriverAdapterError,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type pg from 'pg';
import { createDatabaseIfMissing, dropDatabase, withDatabase } from './admin.ts';

interface PgError {
  code?: string;
  severity?: string;
  message: string;
  detail?: string;
  column?: string;
  hint?: string;
}

function toAdapterError(error: unknown): unknown {
  const pgError = error as PgError;
  if (typeof pgError?.code !== 'string' || !/^[0-9A-Z]{5}$/.test(pgError.code)) return error;
  return new DriverAdapterError({
    kind: 'postgres',
    code: pgError.code,
    severity: pgError.severity ?? 'ERROR',
    message: pgError.message,
    detail: pgError.detail,
    column: pgError.column,
    hint: pgError.hint,
  });
}

const PG_CHAR = 18; // the one-byte "char" of catalog columns such as pg_constraint.contype
const PG_TEXT = 25;

// adapter-pg has no column type for "char", which the engine's schema description reads and
// expects as a Character column: report it as text to adapter-pg, then retype it.
function readCharColumns(adapter: SqlDriverAdapter, pool: pg.Pool): void {
  const charColumns = new WeakMap<object, number[]>();
  const query = pool.query.bind(pool) as (config: unknown) => Promise<pg.QueryResult>;
  (pool as { query: unknown }).query = async (config: unknown) => {
    const result = await query(config);
    const indices: number[] = [];
    result?.fields?.forEach((field, index) => {
      if (field.dataTypeID !== PG_CHAR) return;
      field.dataTypeID = PG_TEXT;
      indices.push(index);
    });
    if (indices.length > 0) charColumns.set(result.rows, indices);
    return result;
  };
  const queryRaw = adapter.queryRaw.bind(adapter);
  adapter.queryRaw = async (sqlQuery) => {
    const resultSet = await queryRaw(sqlQuery);
    for (const index of charColumns.get(resultSet.rows) ?? []) {
      resultSet.columnTypes[index] = ColumnTypeEnum.Character;
    }
    return resultSet;
  };
}

async function connectWholeScripts(url: string, release: () => Promise<void>) {
  const adapter = await new PrismaPg({ connectionString: url }).connect();
  const pool = adapter.underlyingDriver();
  readCharColumns(adapter, pool);
  let disposed: Promise<void> | undefined;
  const dispose = () =>
    (disposed ??= (async () => {
      await adapter.dispose();
      await release();
    })());
  const wrapped: SqlDriverAdapter = Object.assign(Object.create(adapter) as SqlDriverAdapter, {
    executeScript: async (script: string) => {
      try {
        await pool.query(script);
      } catch (error) {
        throw toAdapterError(error);
      }
    },
    dispose,
  });
  return { wrapped, dispose };
}

export interface MigrationAdapter {
  factory: SqlMigrationAwareDriverAdapterFactory;
  /** Closes every pool the engine opened and drops leftover shadow databases. */
  disposeAll(): Promise<void>;
}

export function migrationAdapter(url: string): MigrationAdapter {
  const open = new Set<() => Promise<void>>();
  const connect = async (target: string, release: () => Promise<void> = async () => {}) => {
    const { wrapped, dispose } = await connectWholeScripts(target, async () => {
      open.delete(dispose);
      await release();
    });
    open.add(dispose);
    return wrapped;
  };
  return {
    factory: {
      provider: 'postgres',
      adapterName: '@dispatch/db-migrate',
      connect: () => connect(url),
      connectToShadowDb: async () => {
        const name = `prisma_migrate_shadow_db_${randomUUID().replaceAll('-', '')}`;
        await createDatabaseIfMissing(url, name);
        return connect(withDatabase(url, name), () => dropDatabase(url, name));
      },
    },
    disposeAll: async () => {
      await Promise.all([...open].map((dispose) => dispose()));
    },
  };
}
