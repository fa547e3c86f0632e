import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigration } from '../src/migration-create.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing.ts';

let test: TestDatabase;
let dir: string;

beforeAll(async () => {
  test = await createTestDatabase();
  dir = await mkdtemp(path.join(tmpdir(), 'dispatch-migrations-'));
  await writeFile(path.join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');
});
afterAll(async () => {
  await test.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('createMigration', () => {
  it('writes the missing SQL into a new timestamped folder, then reports no changes', async () => {
    const now = new Date('2030-01-02T03:04:05Z');
    const folder = await createMigration(test.url, 'Add Everything!', { dir, now });
    expect(path.basename(folder ?? '')).toBe('20300102030405_add_everything');
    const sql = await readFile(path.join(folder ?? '', 'migration.sql'), 'utf8');
    expect(sql).toContain('CREATE TABLE "assignment_events"');

    expect(await createMigration(test.url, 'again', { dir, now })).toBeNull();
    expect(await readdir(dir)).toEqual(['20300102030405_add_everything', 'migration_lock.toml']);
  });
});
