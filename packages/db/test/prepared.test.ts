import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../src/client.ts';
import { preparedStatement, queryPrepared } from '../src/prepared.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing.ts';

let test: TestDatabase;
let db: Db;

beforeAll(async () => {
  test = await createTestDatabase();
  db = createDb(test.url, { poolSize: 2 });
});
afterAll(async () => {
  await db.$disconnect();
  await test.drop();
});

const TYPES = preparedStatement(
  'prepared_test_types',
  `SELECT $1::uuid AS id, $2::timestamptz AS at, $3::jsonb AS doc, 7::int4 AS n,
          ARRAY['a','b']::text[] AS list, $4::text AS label`,
);
const values = [
  '0b6f7a52-93a5-4c1f-8f3e-3b1f1d4c9a10',
  '2026-12-01T10:00:00.000Z',
  '{"k":[1,2]}',
  'naïve 🚗',
];
const expected = {
  id: '0b6f7a52-93a5-4c1f-8f3e-3b1f1d4c9a10',
  at: new Date('2026-12-01T10:00:00.000Z'),
  doc: { k: [1, 2] },
  n: 7,
  list: ['a', 'b'],
  label: 'naïve 🚗',
};

describe('queryPrepared', () => {
  it('returns the same rows on the pool (prepared) and inside a transaction (through Prisma)', async () => {
    expect(await queryPrepared(db, TYPES, values)).toEqual([expected]);
    const inside = await db.$transaction((tx) => queryPrepared(tx, TYPES, values));
    expect(inside).toEqual([expected]);
  });

  it('runs as a named statement, prepared once per connection', async () => {
    const single = createDb(test.url, { poolSize: 1 });
    try {
      for (let i = 0; i < 3; i += 1) await queryPrepared(single, TYPES, values);
      const held = preparedStatement(
        'prepared_test_held',
        'SELECT name FROM pg_prepared_statements ORDER BY name',
      );
      const rows = await queryPrepared<{ name: string }>(single, held, []);
      expect(rows.map((r) => r.name)).toEqual(['prepared_test_held', 'prepared_test_types']);
    } finally {
      await single.$disconnect();
    }
  });

  it('rejects with the SQLSTATE, so transient errors are still recognised', async () => {
    const failing = preparedStatement('prepared_test_fail', `SELECT 1 / $1::int AS x`);
    await expect(queryPrepared(db, failing, [0])).rejects.toMatchObject({ code: '22012' });
  });
});
