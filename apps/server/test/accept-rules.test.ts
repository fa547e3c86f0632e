// Issue #11 item 7 (accept), over HTTP as a mechanic's browser sends it: what a mechanic may not
// see answers like an unknown id, a lost race says so, a double click is one accept, and capacity
// and availability hold under simultaneous calls.
import { randomUUID } from 'node:crypto';
import type { TestDatabase } from '@dispatch/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/server.ts';
import { freshDatabase, intake, logIn, start } from './harness.ts';

let database: TestDatabase;
let server: RunningServer;
const cookies = new Map<string, string>();
let workshopA: string;
let workshopB: string;

const EMAILS = [
  'customer1@demo.test',
  'virtual@demo.test',
  'a1@demo.test',
  'a2@demo.test',
  'b1@demo.test',
  'b2@demo.test',
] as const;

beforeAll(async () => {
  database = await freshDatabase();
  server = await start(database);
  for (const email of EMAILS) cookies.set(email, (await logIn(server, email)).cookie);
  const workshops = await database.db.workshop.findMany();
  workshopA = workshops.find((w) => w.name.startsWith('Northside'))?.id ?? '';
  workshopB = workshops.find((w) => w.name.startsWith('Harbor'))?.id ?? '';
  expect(workshopA).not.toBe('');
  expect(workshopB).not.toBe('');
});
afterAll(async () => {
  await server?.close();
  await database?.drop();
});

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: a JSON body, inspected field by field.
  body: any;
}

async function call(email: string, path: string, input: unknown): Promise<Answer> {
  const res = await fetch(`${server.url}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: cookies.get(email) ?? '' },
    body: JSON.stringify(input),
  });
  return { status: res.status, body: await res.json() };
}

let keys = 0;
async function book(overrides: Record<string, unknown> = {}) {
  keys += 1;
  const answer = await call('customer1@demo.test', 'session.create', {
    intake: { ...intake, ...overrides },
    idempotencyKey: `accept_rules_${keys}_${randomUUID()}`,
    allowAnotherOpen: true,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.result.data as { sessionId: string; assignmentId: string };
}

const accept = (email: string, assignmentId: string) => call(email, 'assignment.accept', { assignmentId });

const assignment = (id: string) => database.db.sessionAssignment.findUniqueOrThrow({ where: { id } });
const acceptEvents = (assignmentId: string) =>
  database.db.assignmentEvent.count({ where: { assignmentId, type: 'accept' } });

async function mechanicId(email: string): Promise<string> {
  return (await database.db.user.findUniqueOrThrow({ where: { email } })).id;
}

/** The parts of an error answer a client can tell apart (the request id and path always differ). */
function shapeOf(answer: Answer) {
  return {
    status: answer.status,
    message: answer.body.error?.message,
    code: answer.body.error?.code,
    dataCode: answer.body.error?.data?.code,
    httpStatus: answer.body.error?.data?.httpStatus,
    refusal: answer.body.error?.data?.refusal,
    zodError: answer.body.error?.data?.zodError,
  };
}

describe('a request the mechanic may not see answers exactly like an unknown id', () => {
  it.each([
    [
      'b1@demo.test',
      'a workshop-A in-person request',
      () => ({ sessionType: 'in_person', workshopId: workshopA }),
    ],
    ['virtual@demo.test', 'an in-person request', () => ({ sessionType: 'in_person', workshopId: null })],
    [
      'virtual@demo.test',
      'a workshop-B in-person request',
      () => ({ sessionType: 'in_person', workshopId: workshopB }),
    ],
  ] as const)('%s accepting %s', async (email, _what, overrides) => {
    const hidden = await book(overrides());
    const unknown = await accept(email, randomUUID());
    const invisible = await accept(email, hidden.assignmentId);
    expect(shapeOf(unknown)).toMatchObject({ status: 404, dataCode: 'NOT_FOUND' });
    expect(shapeOf(invisible)).toEqual(shapeOf(unknown));
    const row = await assignment(hidden.assignmentId);
    expect(row.status).toBe('queued');
    expect(row.mechanicId).toBeNull();
    expect(await acceptEvents(hidden.assignmentId)).toBe(0);
  });
});

describe('races', () => {
  it('the broadcast race loser who could see it is told another mechanic took it', async () => {
    const contested = await book({ sessionType: 'chat' });
    const [first, second] = await Promise.all([
      accept('a1@demo.test', contested.assignmentId),
      accept('a2@demo.test', contested.assignmentId),
    ]);
    const answers = [first, second] as Answer[];
    const won = answers.filter((a) => a.status === 200);
    const lost = answers.filter((a) => a.status !== 200);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(shapeOf(lost[0] as Answer)).toMatchObject({
      status: 409,
      dataCode: 'CONFLICT',
      message: 'Another mechanic took this request.',
    });
    const row = await assignment(contested.assignmentId);
    expect(row.status).toBe('accepted');
    const winner = first?.status === 200 ? 'a1@demo.test' : 'a2@demo.test';
    expect(row.mechanicId).toBe(await mechanicId(winner));
    expect(await acceptEvents(contested.assignmentId)).toBe(1);

    // Asked again afterwards, the loser gets the same answer.
    const loser = winner === 'a1@demo.test' ? 'a2@demo.test' : 'a1@demo.test';
    expect(shapeOf(await accept(loser, contested.assignmentId))).toEqual(shapeOf(lost[0] as Answer));
  });

  it("the winner's own double accept (two concurrent calls) both succeed, one accept recorded", async () => {
    const booked = await book({ sessionType: 'video' });
    const answers = await Promise.all([
      accept('a1@demo.test', booked.assignmentId),
      accept('a1@demo.test', booked.assignmentId),
    ]);
    for (const answer of answers) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body.result.data).toMatchObject({
        assignmentId: booked.assignmentId,
        status: 'accepted',
      });
    }
    expect(await acceptEvents(booked.assignmentId)).toBe(1);
    expect((await assignment(booked.assignmentId)).mechanicId).toBe(await mechanicId('a1@demo.test'));
  });

  it('a double accept still succeeds at capacity 1 (the held session is this one)', async () => {
    const a2 = await mechanicId('a2@demo.test');
    await database.db.sessionAssignment.updateMany({
      where: { mechanicId: a2, status: 'accepted' },
      data: { status: 'completed' },
    });
    await database.db.mechanic.update({ where: { userId: a2 }, data: { virtualCapacity: 1 } });
    const booked = await book({ sessionType: 'chat' });
    const answers = await Promise.all([
      accept('a2@demo.test', booked.assignmentId),
      accept('a2@demo.test', booked.assignmentId),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(await acceptEvents(booked.assignmentId)).toBe(1);
    // And once more, after the fact.
    expect((await accept('a2@demo.test', booked.assignmentId)).status).toBe(200);
  });
});

describe('capacity and availability', () => {
  it('one mechanic accepting two virtual requests at once at capacity 1: exactly one succeeds', async () => {
    const b1 = await mechanicId('b1@demo.test');
    await database.db.mechanic.update({ where: { userId: b1 }, data: { virtualCapacity: 1 } });
    expect(await database.db.sessionAssignment.count({ where: { mechanicId: b1, status: 'accepted' } })).toBe(
      0,
    );
    const [one, two] = [await book({ sessionType: 'chat' }), await book({ sessionType: 'video' })];
    const answers = await Promise.all([
      accept('b1@demo.test', one.assignmentId),
      accept('b1@demo.test', two.assignmentId),
    ]);
    const won = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status !== 200);
    expect(won).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(shapeOf(refused[0] as Answer)).toMatchObject({
      status: 409,
      dataCode: 'CONFLICT',
      refusal: 'at_capacity',
    });
    expect(await database.db.sessionAssignment.count({ where: { mechanicId: b1, status: 'accepted' } })).toBe(
      1,
    );
    const loserId = answers[0]?.status === 200 ? two.assignmentId : one.assignmentId;
    expect((await assignment(loserId)).status).toBe('queued');
    expect(await acceptEvents(loserId)).toBe(0);
  });

  it('an in-person accept while holding a virtual session is refused at_capacity, whatever the virtual capacity', async () => {
    const b1 = await mechanicId('b1@demo.test');
    await database.db.mechanic.update({ where: { userId: b1 }, data: { virtualCapacity: 1000 } });
    expect(await database.db.sessionAssignment.count({ where: { mechanicId: b1, status: 'accepted' } })).toBe(
      1,
    );
    const visit = await book({ sessionType: 'in_person', workshopId: workshopB });
    const answer = await accept('b1@demo.test', visit.assignmentId);
    expect(shapeOf(answer)).toMatchObject({ status: 409, dataCode: 'CONFLICT', refusal: 'at_capacity' });
    expect((await assignment(visit.assignmentId)).status).toBe('queued');

    // Once free, the same mechanic takes it; then even a virtual request is refused.
    await database.db.sessionAssignment.updateMany({
      where: { mechanicId: b1, status: 'accepted' },
      data: { status: 'completed' },
    });
    expect((await accept('b1@demo.test', visit.assignmentId)).status).toBe(200);
    const chat = await book({ sessionType: 'chat' });
    expect(shapeOf(await accept('b1@demo.test', chat.assignmentId))).toMatchObject({
      refusal: 'at_capacity',
    });
  });

  it('an Away mechanic is refused not_available, and can accept again once available', async () => {
    const away = await call('b2@demo.test', 'mechanic.setAvailability', { availability: 'away' });
    expect(away.status).toBe(200);
    const booked = await book({ sessionType: 'chat' });
    const answer = await accept('b2@demo.test', booked.assignmentId);
    expect(shapeOf(answer)).toMatchObject({ status: 409, dataCode: 'CONFLICT', refusal: 'not_available' });
    expect(answer.body.error.message).toMatch(/away/i);
    expect((await assignment(booked.assignmentId)).status).toBe('queued');
    expect(await acceptEvents(booked.assignmentId)).toBe(0);

    expect(
      (await call('b2@demo.test', 'mechanic.setAvailability', { availability: 'available' })).status,
    ).toBe(200);
    expect((await accept('b2@demo.test', booked.assignmentId)).status).toBe(200);
  });
});
