import { readFileSync } from 'node:fs';
import {
  canView,
  type DispatchMode,
  describeSight,
  type SightCode,
  type SightVerdict,
  utcClock,
} from '@dispatch/domain';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { audit, fixFindings } from '../src/audit/index.ts';
import { whoCouldSee } from '../src/queries/who-could-see.ts';
import { createTestApi, idempotencyKey, intake, type TestApi } from './harness.ts';

// The documented query, as an operator runs it with psql; here with bind parameters.
const SQL = readFileSync(new URL('../../../docs/who-could-see.sql', import.meta.url), 'utf8')
  .replaceAll(":'session_id'", '$1')
  .replaceAll(":'mode'", '$2::text');

let api: TestApi;
let pool: pg.Pool;
let workshopA: { id: string; name: string };
const ids: Record<string, string> = {};
const EMAILS = ['a1', 'a2', 'b1', 'b2', 'virtual'].map((n) => `${n}@demo.test`);

beforeAll(async () => {
  api = await createTestApi();
  pool = new pg.Pool({ connectionString: api.database.url, max: 2 });
  workshopA = await api.database.db.workshop.findFirstOrThrow({
    where: { name: { startsWith: 'Northside' } },
  });
  for (const email of EMAILS) ids[email] = (await api.user(email)).id;
});
afterAll(async () => {
  await pool?.end();
  await api?.close();
});

/** Every mechanic available, online, roomy and free, before each case. */
beforeEach(async () => {
  const db = api.database.db;
  await db.sessionAssignment.updateMany({
    where: { status: { in: ['accepted', 'offered', 'queued', 'declined', 'expired'] } },
    data: { status: 'cancelled', mechanicId: null },
  });
  await db.mechanic.updateMany({
    data: {
      availability: 'available',
      lastSeenAt: new Date(),
      awaySetAt: null,
      awayReason: null,
      virtualCapacity: 1000,
    },
  });
});

async function book(overrides: Parameters<typeof intake>[0] = {}) {
  const customer = await api.as('customer1@demo.test');
  return customer.session.create({
    intake: intake(overrides),
    idempotencyKey: idempotencyKey(),
    allowAnotherOpen: true,
  });
}

async function accepted(email: string, overrides: Parameters<typeof intake>[0] = {}) {
  const booked = await book(overrides);
  await (await api.as(email)).assignment.accept({ assignmentId: booked.assignmentId });
  return booked;
}

/**
 * The verdicts for one session, checked three ways: each `visible` is exactly the server's
 * canView for that mechanic, and the documented SQL gives the same code for every mechanic.
 */
async function verdicts(sessionId: string, mode: DispatchMode): Promise<Map<string, SightVerdict>> {
  const answer = await whoCouldSee(api.database.db, sessionId, mode, new Date());
  if (!answer) throw new Error('no such session');
  const { rows } = await pool.query<{ email: string; verdict: SightCode; reason: string }>(SQL, [
    sessionId,
    mode,
  ]);
  const sql = new Map(rows.map((r) => [r.email, r.verdict]));
  const mechanics = await api.database.db.mechanic.findMany();
  expect(answer.verdicts).toHaveLength(mechanics.length);
  for (const v of answer.verdicts) {
    const m = mechanics.find((row) => row.userId === v.mechanicId);
    if (!m) throw new Error('unknown mechanic');
    const viewer = { role: 'mechanic' as const, userId: m.userId, kind: m.kind, workshopId: m.workshopId };
    expect(v.visible, `${v.email}: visible agrees with canView`).toBe(canView(viewer, answer.request, mode));
    expect(sql.get(v.email), `${v.email}: the SQL query agrees`).toBe(v.code);
  }
  return new Map(answer.verdicts.map((v) => [v.email, v]));
}

const codes = (map: Map<string, SightVerdict>) =>
  Object.fromEntries(EMAILS.map((email) => [email.split('@')[0], map.get(email)?.code]));

describe('who could see this? (domain verdicts over a matrix of mechanics and requests)', () => {
  it('a general video call: can see it, offline, away since, at capacity; with receipts by process', async () => {
    const db = api.database.db;
    const awayAt = new Date(Date.now() - 120_000);
    await db.mechanic.update({
      where: { userId: ids['b1@demo.test'] },
      data: { availability: 'away', awaySetAt: awayAt },
    });
    const seenAt = new Date(Date.now() - 5 * 60_000);
    await db.mechanic.update({ where: { userId: ids['b2@demo.test'] }, data: { lastSeenAt: seenAt } });
    await db.mechanic.update({ where: { userId: ids['a2@demo.test'] }, data: { virtualCapacity: 0 } });
    const { sessionId } = await book({ sessionType: 'video' });
    const delivered = new Date();
    await pool.query(
      `INSERT INTO delivery_receipt_rows (session_id, mechanic_id, channel, position, version, process, at)
       VALUES ($1, $2, 'delivered', 7, 0, 'web-2', $3), ($1, $2, 'shown', NULL, 0, NULL, $4),
              ($1, $2, 'push_sent', 7, 0, 'web-1', $5)`,
      [
        sessionId,
        ids['a1@demo.test'],
        delivered,
        new Date(delivered.getTime() + 67),
        new Date(delivered.getTime() + 266),
      ],
    );
    const map = await verdicts(sessionId, 'broadcast');
    expect(codes(map)).toEqual({
      a1: 'can_see',
      a2: 'at_capacity',
      b1: 'away',
      b2: 'offline',
      virtual: 'can_see',
    });
    expect(map.get('b1@demo.test')?.since).toBe(awayAt.toISOString());
    expect(map.get('b2@demo.test')?.since).toBe(seenAt.toISOString());
    expect(map.get('a1@demo.test')?.alertable).toBe(true);
    // Away and offline still pass the visibility rule (the card is there when they are back), unalerted.
    expect(map.get('b1@demo.test')).toMatchObject({ visible: true, alertable: false });
    const a1 = map.get('a1@demo.test') as SightVerdict;
    const t = (ms: number) => utcClock(new Date(delivered.getTime() + ms).toISOString());
    expect(describeSight(a1)).toBe(
      `Can see it; delivered ${t(0)} on web-2 and shown ${t(67)}; push sent ${t(266)} on web-1`,
    );
    expect(describeSight(map.get('a2@demo.test') as SightVerdict)).toBe('At capacity (0 of 0 live sessions)');

    // The admin procedure answers the same.
    const admin = await api.as('admin@demo.test');
    const answer = await admin.admin.whoCouldSee({ sessionId });
    expect(Object.fromEntries(answer.verdicts.map((v) => [v.email, v.code]))).toEqual(
      Object.fromEntries([...map].map(([email, v]) => [email, v.code])),
    );
  });

  it('an in-person visit at workshop A: virtual-only, wrong workshop, busy with live sessions, on a visit', async () => {
    await accepted('a2@demo.test', { sessionType: 'chat' });
    await accepted('b2@demo.test', { sessionType: 'chat' });
    const { sessionId } = await book({ sessionType: 'in_person', workshopId: workshopA.id });
    const map = await verdicts(sessionId, 'broadcast');
    expect(codes(map)).toEqual({
      a1: 'can_see',
      a2: 'finish_live_sessions_first',
      b1: 'wrong_workshop',
      b2: 'wrong_workshop',
      virtual: 'virtual_only',
    });
    expect(describeSight(map.get('b1@demo.test') as SightVerdict)).toBe(
      `Cannot see it: wrong workshop (this is for ${workshopA.name})`,
    );

    await (await api.as('a1@demo.test')).assignment.accept({
      assignmentId: (await api.database.db.sessionAssignment.findUniqueOrThrow({ where: { sessionId } })).id,
    });
    const video = await book({ sessionType: 'video' });
    expect(codes(await verdicts(video.sessionId, 'broadcast'))).toMatchObject({
      a1: 'in_person_in_progress',
    });
  });

  it('before the waiver, and once taken, completed or cancelled', async () => {
    const pending = await book({ plan: 'free' });
    expect(new Set(Object.values(codes(await verdicts(pending.sessionId, 'broadcast'))))).toEqual(
      new Set(['not_queued']),
    );

    const taken = await accepted('a1@demo.test');
    const map = await verdicts(taken.sessionId, 'broadcast');
    expect(codes(map)).toMatchObject({ a1: 'accepted_it', a2: 'taken_by_other', virtual: 'taken_by_other' });
    expect(map.get('a2@demo.test')?.other).toBe((await api.user('a1@demo.test')).displayName);
    await (await api.as('a1@demo.test')).assignment.complete({
      assignmentId: taken.assignmentId,
      outcome: 'resolved',
      note: 'Sorted out together.',
    });
    expect(codes(await verdicts(taken.sessionId, 'broadcast'))).toMatchObject({
      a1: 'finished_it',
      a2: 'taken_by_other',
    });

    const cancelled = await book();
    await (await api.as('customer1@demo.test')).session.cancel({
      sessionId: cancelled.sessionId,
      reason: 'changed my mind',
    });
    expect(new Set(Object.values(codes(await verdicts(cancelled.sessionId, 'broadcast'))))).toEqual(
      new Set(['closed']),
    );
  });

  it('targeted offers: one at a time, held by one, declined, expired', async () => {
    const { sessionId } = await book({ sessionType: 'video' });
    expect(codes(await verdicts(sessionId, 'targeted'))).toEqual({
      a1: 'waiting_turn',
      a2: 'waiting_turn',
      b1: 'waiting_turn',
      b2: 'waiting_turn',
      virtual: 'waiting_turn',
    });
    const admin = await api.as('admin@demo.test');
    await admin.admin.reassign({ sessionId, mechanicId: ids['a2@demo.test'] as string, reason: 'test' });
    let map = await verdicts(sessionId, 'targeted');
    expect(codes(map)).toMatchObject({ a2: 'holds_offer', a1: 'offered_to_other' });
    expect(map.get('a2@demo.test')).toMatchObject({ visible: true, alertable: true });

    const assignmentId = (await api.database.db.sessionAssignment.findUniqueOrThrow({ where: { sessionId } }))
      .id;
    await (await api.as('a2@demo.test')).assignment.decline({ assignmentId });
    map = await verdicts(sessionId, 'targeted');
    expect(codes(map)).toMatchObject({ a2: 'declined', a1: 'waiting_turn' });
    expect(map.get('a2@demo.test')?.since).not.toBeNull();

    // Offered to a1, who lets it run out: the audit's fix expires it, as the dispatcher would.
    await admin.admin.reassign({ sessionId, mechanicId: ids['a1@demo.test'] as string, reason: 'test' });
    await api.database.db.sessionAssignment.update({
      where: { sessionId },
      data: { offerExpiresAt: new Date(Date.now() - 60_000) },
    });
    await fixFindings(
      api.database.db,
      (await audit(api.database.db)).filter((f) => f.kind === 'overdue_offer'),
      new Date(),
    );
    map = await verdicts(sessionId, 'targeted');
    expect(codes(map)).toMatchObject({ a1: 'offer_expired', a2: 'declined' });
    expect(describeSight(map.get('a1@demo.test') as SightVerdict)).toMatch(
      /^Offer expired at \d\d:\d\d:\d\d\.\d{3} \(not answered\)$/,
    );
  });

  it('answers NOT_FOUND for an unknown session, and one mechanic by email', async () => {
    const admin = await api.as('admin@demo.test');
    await expect(
      admin.admin.whoCouldSee({ sessionId: '00000000-0000-4000-8000-000000000000' }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const { sessionId } = await book();
    const one = await whoCouldSee(api.database.db, sessionId, 'broadcast', new Date(), 'A1@demo.test');
    expect(one?.verdicts.map((v) => v.email)).toEqual(['a1@demo.test']);
  });
});
