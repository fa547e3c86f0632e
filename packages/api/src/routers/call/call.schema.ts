import { callAttemptSchema, callSignalSchema } from '@dispatch/domain';
import { z } from 'zod';

/** `call.signal`: one signal of this tab's attempt, for the peer (its one attempt if `to` is set). */
export const signalInput = z.object({
  attempt: callAttemptSchema,
  to: callAttemptSchema.nullable().default(null),
  signal: callSignalSchema,
});

/** `call.onSignal`: this tab's attempt (crypto.randomUUID() when it joins). */
export const onSignalInput = z.object({ attempt: callAttemptSchema });
