import { capacityAllows, type MechanicLoad, SESSION_TYPES, type SessionType } from '@dispatch/domain';
import { TRPCError } from '@trpc/server';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { completion, createTestApi, idempotencyKey, intake, type TestApi } from './harness.ts';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api?.close());

/**
 * The accept statement's capacity check (apply_assignment_change, in SQL) and the domain's
 * capacityAllows() are two writings of one rule: over random sequences of accepts and completions
 * by one mechanic, every accept succeeds exactly when the domain rule says it may.
 */
it('the accept statement enforces exactly the domain capacity rule', async () => {
  const email = 'a2@demo.test';
  const me = await api.user(email);
  const mechanic = await api.as(email);
  const customer = await api.as('customer2@demo.test');
  const step = fc.oneof(
    fc.record({ kind: fc.constant('accept' as const), type: fc.constantFrom(...SESSION_TYPES) }),
    fc.record({ kind: fc.constant('complete' as const) }),
  );
  let checked = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 2 }),
      fc.array(step, { minLength: 3, maxLength: 7 }),
      async (capacity, steps) => {
        // Start each run free, with this capacity.
        for (const card of (await mechanic.queue.list()).mine.filter((c) => c.status === 'accepted'))
          await mechanic.assignment.complete({
            assignmentId: card.assignmentId,
            ...completion(card.sessionType),
          });
        await api.database.db.mechanic.update({
          where: { userId: me.id },
          data: { virtualCapacity: capacity },
        });
        const held: { id: string; type: SessionType }[] = [];
        for (const s of steps) {
          if (s.kind === 'complete') {
            const done = held.shift();
            if (done) await mechanic.assignment.complete({ assignmentId: done.id, ...completion(done.type) });
            continue;
          }
          const load: MechanicLoad = {
            virtual: held.filter((h) => h.type !== 'in_person').length,
            inPerson: held.filter((h) => h.type === 'in_person').length,
          };
          const booked = await customer.session.create({
            intake: intake({ sessionType: s.type, workshopId: null }),
            idempotencyKey: idempotencyKey(),
            allowAnotherOpen: true,
          });
          const outcome = await mechanic.assignment.accept({ assignmentId: booked.assignmentId }).then(
            () => 'ok',
            (error: unknown) =>
              error instanceof TRPCError
                ? ((error.cause as { details?: { refusal?: string } })?.details?.refusal ?? error.code)
                : 'error',
          );
          expect(outcome).toBe(capacityAllows(load, capacity, s.type) ? 'ok' : 'at_capacity');
          if (outcome === 'ok') held.push({ id: booked.assignmentId, type: s.type });
          checked += 1;
        }
      },
    ),
    { numRuns: 12 },
  );
  await api.database.db.mechanic.update({ where: { userId: me.id }, data: { virtualCapacity: 1000 } });
  console.info(`capacity rule: ${checked} accepts checked against capacityAllows`);
  expect(checked).toBeGreaterThan(10);
}, 120_000);
