// Issue #11 item 7 (one open request): simultaneous first bookings by one customer with different
// idempotency keys (two tabs) and no allowAnotherOpen make exactly one open request.
import { hashPassword } from '@dispatch/db';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CommandError } from '../src/commands/errors.ts';
import { createTestApi, idempotencyKey, intake, type TestApi } from './harness.ts';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api?.close());

const ROUNDS = 10;
const AT_ONCE = 5;

it(`${AT_ONCE} simultaneous first bookings, ${ROUNDS} customers: exactly one open request each`, async () => {
  const passwordHash = await hashPassword('long-enough-password');
  const made: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const user = await api.database.db.user.create({
      data: {
        email: `race-${round}-${idempotencyKey()}@example.test`,
        passwordHash,
        displayName: 'Two Tabs',
        role: 'customer',
      },
    });
    const customer = await api.as(user.email);
    const answers = await Promise.allSettled(
      Array.from({ length: AT_ONCE }, () =>
        customer.session.create({ intake: intake(), idempotencyKey: idempotencyKey() }),
      ),
    );
    made.push(answers.filter((a) => a.status === 'fulfilled').length);
    for (const answer of answers) {
      if (answer.status === 'fulfilled') continue;
      const error = answer.reason as TRPCError;
      expect(error).toBeInstanceOf(TRPCError);
      expect(error.code).toBe('CONFLICT');
      expect((error.cause as CommandError).details.refusal).toBe('open_request_exists');
    }
    expect(await api.database.db.helpSession.count({ where: { customerId: user.id } })).toBe(made.at(-1));
  }
  expect(made, `open requests made per customer: ${made.join(',')}`).toEqual(Array(ROUNDS).fill(1));
});

it('with allowAnotherOpen the same simultaneous bookings all go through', async () => {
  const customer = await api.as('customer2@demo.test');
  const answers = await Promise.all(
    Array.from({ length: AT_ONCE }, () =>
      customer.session.create({ intake: intake(), idempotencyKey: idempotencyKey(), allowAnotherOpen: true }),
    ),
  );
  expect(new Set(answers.map((a) => a.sessionId)).size).toBe(AT_ONCE);
});
