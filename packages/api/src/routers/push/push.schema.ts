import { z } from 'zod';

const base64url = z
  .string()
  .regex(/^[A-Za-z0-9_-]+=*$/, 'Not base64url')
  .max(200);

export const subscribeInput = z.object({
  endpoint: z.url({ protocol: /^https?$/, error: 'The push endpoint must be an http(s) URL' }).max(2000),
  keys: z.object({ p256dh: base64url, auth: base64url }),
});

export const endpointInput = z.object({ endpoint: z.string().max(2000) });
export const focusInput = z.object({ endpoint: z.string().max(2000), focused: z.boolean() });
export const removeDeviceInput = z.object({ id: z.uuid() });
