import { cancelReasonSchema, idempotencyKeySchema, intakeSchema, positionSchema } from '@dispatch/domain';
import { z } from 'zod';

export const createSessionInput = z.object({
  intake: intakeSchema,
  idempotencyKey: idempotencyKeySchema,
  /** The customer saw the warning that they already have an open request, and wants another. */
  allowAnotherOpen: z.boolean().default(false),
});
export const cancelSessionInput = z.object({ reason: cancelReasonSchema });
export const sessionOnChangeInput = z.object({
  sessionId: z.uuid('Unknown session').nullish(),
  lastEventId: positionSchema.nullish(),
});
