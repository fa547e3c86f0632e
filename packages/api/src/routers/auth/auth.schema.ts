import { optionalPhoneSchema, text } from '@dispatch/domain';
import { z } from 'zod';

const emailSchema = z
  .email('Enter a valid email address')
  .max(254, 'Email is too long')
  .transform((email) => email.toLowerCase());

export const signUpInput = z.object({
  email: emailSchema,
  password: z
    .string()
    .min(10, 'Password needs at least 10 characters')
    .max(200, 'Password can be at most 200 characters'),
  displayName: text('Name', 2, 100),
  /** A callback number for a stranded driver; optional, validated, never shown to mechanics. */
  phone: optionalPhoneSchema.optional(),
});

export const logInInput = z.object({
  email: emailSchema,
  password: z.string().min(1, 'Enter your password').max(200, 'Password can be at most 200 characters'),
});
