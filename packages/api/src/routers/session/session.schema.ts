import { cancelReasonSchema, idempotencyKeySchema, intakeSchema, positionSchema } from '@dispatch/domain';
import { z } from 'zod';

export const createSessionInput = z.object({ intake: intakeSchema, idempotencyKey: idempotencyKeySchema });
export const sessionIdInput = z.object({ sessionId: z.uuid('Unknown session') });
export const cancelSessionInput = z.object({
  sessionId: z.uuid('Unknown session'),
  reason: cancelReasonSchema,
});
export const sessionOnChangeInput = z.object({
  sessionId: z.uuid('Unknown session').nullish(),
  lastEventId: positionSchema.nullish(),
});
