import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../src/password.ts';
import { DEMO_PASSWORD, seed } from '../src/seed.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing.ts';

let test: TestDatabase;

beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(() => test.drop());

describe('seed', () => {
  it('creates the demo people once, and is a no-op afterwards', async () => {
    const first = await seed(test.db);
    expect(first.created).toBe(true);
    const again = await Promise.all([seed(test.db), seed(test.db)]);
    expect(again.map((result) => result.created)).toEqual([false, false]);
    expect(await test.db.user.count()).toBe(8);
    expect(await test.db.workshop.count()).toBe(2);
    expect(first.logins.map((login) => login.email)).toEqual([
      'customer1@demo.test',
      'customer2@demo.test',
      'virtual@demo.test',
      'a1@demo.test',
      'a2@demo.test',
      'b1@demo.test',
      'b2@demo.test',
      'admin@demo.test',
    ]);
  });

  it('gives each person the right role, kind and workshop', async () => {
    const users = await test.db.user.findMany({ include: { mechanic: { include: { workshop: true } } } });
    const byEmail = new Map(users.map((user) => [user.email, user]));
    const summary = (email: string) => {
      const user = byEmail.get(email);
      return [user?.role, user?.mechanic?.kind ?? null, user?.mechanic?.workshop?.name ?? null];
    };
    expect(summary('customer1@demo.test')).toEqual(['customer', null, null]);
    expect(summary('customer2@demo.test')).toEqual(['customer', null, null]);
    expect(summary('virtual@demo.test')).toEqual(['mechanic', 'virtual_only', null]);
    expect(summary('a1@demo.test')).toEqual(['mechanic', 'workshop', 'Northside Garage']);
    expect(summary('a2@demo.test')).toEqual(['mechanic', 'workshop', 'Northside Garage']);
    expect(summary('b1@demo.test')).toEqual(['mechanic', 'workshop', 'Harbor Auto Works']);
    expect(summary('b2@demo.test')).toEqual(['mechanic', 'workshop', 'Harbor Auto Works']);
    expect(summary('admin@demo.test')).toEqual(['admin', null, null]);
    for (const user of users) {
      expect(user.displayName).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
      expect(await verifyPassword(DEMO_PASSWORD, user.passwordHash)).toBe(true);
    }
    expect(
      // Demo mechanics start Available, so a fresh demo can dispatch at once.
      users.filter((user) => user.mechanic).every((user) => user.mechanic?.availability === 'available'),
    ).toBe(true);
  });
});
