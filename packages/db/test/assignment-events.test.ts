import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../src/testing.ts';

let test: TestDatabase;

beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(() => test.drop());

function event(assignmentId = randomUUID()) {
  return {
    assignmentId,
    sessionId: randomUUID(),
    type: 'assignment.queued',
    fromStatus: null,
    toStatus: 'queued' as const,
    actorKind: 'customer',
  };
}

describe('assignment_events', () => {
  it('fills tx_id with the writing transaction id, shared by rows of one transaction', async () => {
    const assignmentId = randomUUID();
    await test.db.$transaction([
      test.db.assignmentEvent.create({ data: event(assignmentId) }),
      test.db.assignmentEvent.create({ data: event(assignmentId) }),
    ]);
    await test.db.assignmentEvent.create({ data: event(assignmentId) });
    const rows = await test.db.$queryRaw<{ id: bigint; tx_id: string; data: unknown; created_at: Date }[]>`
      SELECT id, tx_id::text AS tx_id, data, created_at FROM assignment_events
      WHERE assignment_id = ${assignmentId}::uuid ORDER BY tx_id, id`;
    expect(rows).toHaveLength(3);
    const [first, second, third] = rows.map((row) => BigInt(row.tx_id));
    expect(first).toBeGreaterThan(0n);
    expect(second).toBe(first);
    expect(third).toBeGreaterThan(second ?? 0n);
    expect(rows[0]?.data).toEqual({});
    expect(rows[0]?.created_at).toBeInstanceOf(Date);
  });

  it('supports reading committed positions below the snapshot horizon', async () => {
    await test.db.assignmentEvent.create({ data: event() });
    const rows = await test.db.$queryRaw<{ id: bigint }[]>`
      SELECT id FROM assignment_events
      WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY tx_id, id`;
    expect(rows.length).toBeGreaterThan(0);
  });

  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    const { id } = await test.db.assignmentEvent.create({ data: event() });
    await expect(
      test.db.assignmentEvent.update({ where: { id }, data: { reason: 'edited' } }),
    ).rejects.toThrow(/append-only/);
    await expect(test.db.assignmentEvent.delete({ where: { id } })).rejects.toThrow(/append-only/);
    await expect(test.db.$executeRaw`UPDATE assignment_events SET reason = 'x'`).rejects.toThrow(
      /append-only/,
    );
    await expect(test.db.$executeRaw`DELETE FROM assignment_events`).rejects.toThrow(/append-only/);
    await expect(test.db.$executeRaw`TRUNCATE assignment_events`).rejects.toThrow(/append-only/);
    expect(await test.db.assignmentEvent.findUnique({ where: { id } })).toMatchObject({ id, reason: null });
  });
});
