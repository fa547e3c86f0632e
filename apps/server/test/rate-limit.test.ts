import type { TestDatabase } from '@dispatch/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freshDatabase, logIn, start } from './harness.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(() => database?.drop());

it('rate limits hold across server processes: attempts on either count against one allowance', async () => {
  const [one, two] = await Promise.all([start(database), start(database)]);
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      statuses.push((await logIn(i % 2 === 0 ? one : two, 'b1@demo.test', 'wrong-password!')).status);
    }
    // Ten attempts per minute per address and account in all, not ten on each process.
    expect(statuses.slice(0, 10).every((status) => status === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    const counters = await database.db.rateLimit.count({ where: { key: { startsWith: 'logIn:' } } });
    expect(counters).toBeGreaterThan(0);
  } finally {
    await Promise.all([one.close(), two.close()]);
  }
});
