import { afterAll, describe, expect, it } from 'vitest';
import { withClient } from '../src/admin.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing.ts';

const created: TestDatabase[] = [];
afterAll(() => Promise.all(created.map((test) => test.drop())));

describe('createTestDatabase', () => {
  it('gives each caller its own migrated database', async () => {
    const [one, two] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    if (!one || !two) throw new Error('unreachable');
    created.push(one, two);
    expect(one.url).not.toBe(two.url);
    await one.db.workshop.create({ data: { name: 'Only in one', address: '-' } });
    expect(await one.db.workshop.count()).toBe(1);
    expect(await two.db.workshop.count()).toBe(0);
  });

  it('drop() removes the database and may be called twice', async () => {
    const test = await createTestDatabase();
    const name = new URL(test.url).pathname.slice(1);
    await test.drop();
    await test.drop();
    const exists = await withClient(created[0]?.url ?? '', async (client) => {
      const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      return result.rowCount;
    });
    expect(exists).toBe(0);
  });
});
