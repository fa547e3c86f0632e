import { createDb, type Db } from '@dispatch/db';
import { type RoundTripCounter, roundTripCounter, type TestDatabase } from '@dispatch/db/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PresenceTracker } from '../src/ws/presence-tracker.ts';
import { freshDatabase } from './harness.ts';

/**
 * Presence writes are batched: what changes while one write is under way goes out together in the
 * next. These tests hold the tracker to what the admin board and "who could see this?" read from
 * PostgreSQL: after any burst of connects and disconnects, `mechanic_connections` holds exactly
 * this process's live counts and `last_seen_at` moved for everyone who connected.
 */

let database: TestDatabase;
let db: Db;
let counter: RoundTripCounter;
let mechanics: string[];
const log = pino({ level: 'silent' });

beforeAll(async () => {
  database = await freshDatabase();
  counter = roundTripCounter();
  db = createDb(database.url, { poolSize: 4, Client: counter.Client });
  const rows = await database.db.$queryRaw<{ id: string }[]>`
    SELECT user_id::text AS id FROM mechanics ORDER BY user_id`;
  mechanics = rows.map((row) => row.id);
  expect(mechanics.length).toBeGreaterThanOrEqual(4);
});
afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

/** This process's rows, as `mechanic id → connections`. */
async function countsOf(process: string): Promise<Record<string, number>> {
  const rows = await database.db.$queryRaw<{ id: string; n: number }[]>`
    SELECT mechanic_id::text AS id, connections AS n FROM mechanic_connections WHERE process = ${process}`;
  return Object.fromEntries(rows.map((row) => [row.id, row.n]));
}

async function lastSeen(id: string): Promise<Date | null> {
  const [row] = await database.db.$queryRaw<{ at: Date | null }[]>`
    SELECT last_seen_at AS at FROM mechanics WHERE user_id = ${id}::uuid`;
  return row?.at ?? null;
}

/**
 * Resolves once the tracker has sent nothing for 250 ms: its own batched writes have gone out.
 * (Not beat(): the heartbeat rewrites every count and would hide a change a batch lost.)
 */
async function quiet(): Promise<void> {
  let seen = -1;
  while (seen !== counter.count()) {
    seen = counter.count();
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Resolves once every write queued so far, the heartbeat's included, has finished. */
const settled = (tracker: PresenceTracker) => tracker.beat();

describe('presence writes', () => {
  it('a burst of connects and disconnects lands as this process’s exact counts, in a few statements', async () => {
    const now = new Date('2026-12-02T10:00:00.000Z');
    const tracker = new PresenceTracker(db, log, () => now, 'burst');
    const [a, b, c, d] = mechanics as [string, string, string, string];
    counter.reset();
    // All in one tick: the first change is written at once, the rest together after it.
    tracker.connected(a);
    tracker.connected(b);
    tracker.connected(b);
    tracker.connected(c);
    tracker.disconnected(c);
    tracker.connected(d);
    tracker.connected(d);
    tracker.disconnected(d);
    await quiet();
    // One write for the whole burst: last_seen_at for who arrived, then the counts; no more.
    const writes = counter
      .statements()
      .filter((s) => /mechanic_connections|UPDATE "public"."mechanics"/.test(s));
    expect(writes.length).toBeLessThanOrEqual(4);

    expect(await countsOf('burst')).toEqual({ [a]: 1, [b]: 2, [d]: 1 });
    for (const id of [a, b, c, d]) expect(await lastSeen(id)).toEqual(now);
    expect(new Set(tracker.online)).toEqual(new Set([a, b, d]));

    // Everyone's last socket closes: their rows go, and nothing else changes.
    tracker.disconnected(a);
    tracker.disconnected(b);
    tracker.disconnected(b);
    await quiet();
    expect(await countsOf('burst')).toEqual({ [d]: 1 });
    tracker.stop();
    await tracker.forget();
    expect(await countsOf('burst')).toEqual({});
  });

  it('changes made while a write is under way go out in the next one, none lost', async () => {
    let now = new Date('2026-12-02T11:00:00.000Z');
    const tracker = new PresenceTracker(db, log, () => now, 'overlap');
    const [a, b] = mechanics as [string, string];
    tracker.connected(a);
    // The first write has started; these land while it runs.
    await new Promise((resolve) => setImmediate(resolve));
    now = new Date('2026-12-02T11:00:05.000Z');
    tracker.connected(b);
    tracker.disconnected(a);
    await quiet();
    expect(await countsOf('overlap')).toEqual({ [b]: 1 });
    expect(await lastSeen(b)).toEqual(now);
    tracker.stop();
    await tracker.forget();
  });

  it('the heartbeat refreshes every live count and drops this process’s rows nobody holds any more', async () => {
    const now = new Date('2026-12-02T12:00:00.000Z');
    const [a, b, c] = mechanics as [string, string, string];
    // A row this process left behind (written before a restart) and one of another process.
    await database.db.$executeRaw`
      INSERT INTO mechanic_connections (process, mechanic_id, connections, seen_at)
      VALUES ('beat', ${c}::uuid, 3, now() - interval '1 hour'), ('other', ${c}::uuid, 2, now())`;
    const tracker = new PresenceTracker(db, log, () => now, 'beat');
    tracker.connected(a);
    tracker.connected(b);
    await settled(tracker);
    expect(await countsOf('beat')).toEqual({ [a]: 1, [b]: 1 });
    expect(await countsOf('other')).toEqual({ [c]: 2 });
    const [seen] = await database.db.$queryRaw<{ at: Date }[]>`
      SELECT min(seen_at) AS at FROM mechanic_connections WHERE process = 'beat'`;
    expect(seen?.at).toEqual(now);
    tracker.stop();
    await tracker.forget();
    expect(await countsOf('beat')).toEqual({});
    expect(await countsOf('other')).toEqual({ [c]: 2 });
  });

  it('after stop() nothing more is written, and a failed write does not stop the ones after it', async () => {
    const now = new Date('2026-12-02T13:00:00.000Z');
    const [a, b] = mechanics as [string, string];
    // Writes to a database that is not there fail (and are logged); the queue goes on.
    const away = createDb('postgresql://nobody@127.0.0.1:1/none?connect_timeout=1', { poolSize: 1 });
    const failing = new PresenceTracker(away, log, () => now, 'away');
    failing.connected(a);
    await expect(settled(failing)).resolves.toBeUndefined();
    failing.disconnected(a);
    await expect(settled(failing)).resolves.toBeUndefined();
    await away.$disconnect();

    const tracker = new PresenceTracker(db, log, () => now, 'stopped');
    tracker.connected(a);
    await settled(tracker);
    tracker.stop();
    tracker.connected(b);
    await settled(tracker);
    expect(await countsOf('stopped')).toEqual({ [a]: 1 });
    await tracker.forget();
    expect(await countsOf('stopped')).toEqual({});
  });
});
