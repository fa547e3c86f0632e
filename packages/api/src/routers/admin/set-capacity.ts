import { cancelReasonSchema, MAX_VIRTUAL_CAPACITY, MIN_VIRTUAL_CAPACITY } from '@dispatch/domain';
import { z } from 'zod';
import { CommandError } from '../../commands/index.ts';
import { adminProcedure } from '../../trpc.ts';

const setCapacityInput = z.object({
  mechanicId: z.uuid('Unknown mechanic'),
  virtualCapacity: z
    .number({ error: 'Capacity must be a number' })
    .int('Capacity must be a whole number')
    .min(MIN_VIRTUAL_CAPACITY, `Capacity must be at least ${MIN_VIRTUAL_CAPACITY}`)
    .max(MAX_VIRTUAL_CAPACITY, `Capacity can be at most ${MAX_VIRTUAL_CAPACITY}`),
  reason: cancelReasonSchema,
});

/**
 * Sets how many live virtual sessions a mechanic takes at once (an in-person visit still blocks
 * everything). One statement changes it and records who, from what, to what and why. Lowering it
 * below the current load ends nothing: it stops new offers and accepts until the load is under it.
 */
export const setCapacity = adminProcedure.input(setCapacityInput).mutation(async ({ ctx, input }) => {
  const rows = await ctx.db.$queryRaw<{ from_value: number; to_value: number }[]>`
    WITH old AS (
      SELECT user_id, virtual_capacity FROM mechanics WHERE user_id = ${input.mechanicId}::uuid FOR UPDATE
    ), changed AS (
      UPDATE mechanics m SET virtual_capacity = ${input.virtualCapacity}
        FROM old WHERE m.user_id = old.user_id RETURNING m.user_id
    )
    INSERT INTO mechanic_capacity_changes (id, mechanic_id, admin_id, from_value, to_value, reason, created_at)
    SELECT gen_random_uuid(), old.user_id, ${ctx.user.id}::uuid, old.virtual_capacity, ${input.virtualCapacity},
           ${input.reason}, ${ctx.now()}
      FROM old JOIN changed ON changed.user_id = old.user_id
    RETURNING from_value, to_value`;
  const change = rows[0];
  if (!change) throw new CommandError('not_found', 'No such mechanic.');
  ctx.log.info(
    { mechanicId: input.mechanicId, adminId: ctx.user.id, from: change.from_value, to: change.to_value },
    'mechanic capacity changed',
  );
  return { mechanicId: input.mechanicId, from: change.from_value, virtualCapacity: change.to_value };
});
