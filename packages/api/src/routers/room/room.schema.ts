import { clientKeySchema, messageBodySchema, positionSchema } from '@dispatch/domain';
import { z } from 'zod';

// Each is merged with `{ sessionId }` by roomProcedure.
export const sendInput = z.object({ clientKey: clientKeySchema, body: messageBodySchema });

export const markInput = z.object({
  /** Everything up to here reached this member's client. */
  delivered: positionSchema.optional(),
  /** Everything up to here was on this member's screen. */
  read: positionSchema.optional(),
});

export const onMessageInput = z.object({ lastEventId: positionSchema.nullish() });

export const historyInput = z.object({
  /** Messages after this position; none: from the first. */
  after: positionSchema.optional(),
  limit: z.number().int().min(1).max(500).optional(),
});
