import { afterAll, beforeAll, expect, it } from 'vitest';
import { Dispatcher } from '../src/dispatch/dispatcher.ts';
import { createTestApi, idempotencyKey, intake, type TestApi } from './harness.ts';

let api: TestApi;
let dispatcher: Dispatcher;
beforeAll(async () => {
  api = await createTestApi({ dispatchMode: 'targeted', offerTimeoutMs: 30_000 });
  // The harness lifts every capacity for other tests; these run at the default of one.
  await api.database.db.mechanic.updateMany({ data: { virtualCapacity: 1 } });
  dispatcher = new Dispatcher(api.services);
});
afterAll(() => api?.close());

const later = (seconds: number) => {
  api.clock.now = new Date(api.clock.now.getTime() + seconds * 1000);
};
async function online() {
  await api.database.db.mechanic.updateMany({ data: { availability: 'offline', lastSeenAt: null } });
  const { id } = await api.user('virtual@demo.test');
  await api.database.db.mechanic.update({
    where: { userId: id },
    data: { availability: 'available', lastSeenAt: api.clock.now },
  });
  return id;
}
const book = async () =>
  (await api.as('customer1@demo.test')).session.create({
    intake: intake({ sessionType: 'video' }),
    idempotencyKey: idempotencyKey(),
    allowAnotherOpen: true,
  });

it('reports the share accepted within 30/60/120 s, the longest wait and acceptance per mechanic, on the board and /metrics', async () => {
  const mechanicId = await online();
  const mechanic = await api.as('virtual@demo.test');
  for (const waitSeconds of [10, 45, 90]) {
    const booked = await book();
    later(waitSeconds);
    await online();
    await dispatcher.runOnce();
    await mechanic.assignment.accept({ assignmentId: booked.assignmentId });
    await mechanic.assignment.complete({
      assignmentId: booked.assignmentId,
      outcome: 'resolved',
      note: 'Sorted out together.',
    });
  }
  const declined = await book();
  await dispatcher.runOnce();
  await mechanic.assignment.decline({ assignmentId: declined.assignmentId });
  await (await api.as('customer1@demo.test')).session.cancel({
    sessionId: declined.sessionId,
    reason: 'found help elsewhere',
  });
  const waiting = await book();
  later(100);

  const report = await (await api.as('admin@demo.test')).admin.serviceLevel();
  expect(report).toMatchObject({
    windowSeconds: 3600,
    requests: 4,
    acceptedWithin: { 30: 0.25, 60: 0.5, 120: 0.75 },
    longestWait: { sessionId: waiting.sessionId, seconds: 100 },
  });
  expect(report.mechanics.find((m) => m.mechanicId === mechanicId)).toMatchObject({
    offers: 4,
    acceptedOffers: 3,
    declined: 1,
    lapsed: 0,
    accepts: 3,
    acceptanceRate: 0.75,
  });
  expect(
    report.mechanics.find((m) => m.displayName && m.mechanicId !== mechanicId)?.acceptanceRate,
  ).toBeNull();

  await dispatcher.refreshServiceLevel();
  const text = await api.services.metrics.registry.metrics();
  expect(text).toContain('dispatch_accepted_within_ratio{threshold="30",process="test"} 0.25');
  expect(text).toContain('dispatch_accepted_within_ratio{threshold="120",process="test"} 0.75');
  expect(text).toContain('dispatch_longest_wait_seconds{process="test"} 100');
  expect(text).toContain(`dispatch_mechanic_acceptance_ratio{mechanic="${mechanicId}",process="test"} 0.75`);

  const board = await (await api.as('admin@demo.test')).admin.mechanics();
  expect(board.find((m) => m.mechanicId === mechanicId)).toMatchObject({
    presence: 'offline',
    load: { virtual: 0, inPerson: 0 },
    virtualCapacity: 1,
    canTake: ['video', 'chat', 'diagnostic', 'in_person'],
  });
});
