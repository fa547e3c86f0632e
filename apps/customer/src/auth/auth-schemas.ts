import { optionalPhoneSchema } from '@dispatch/domain';
import { z } from 'zod';

/*
 * The auth inputs as the server checks them (packages/api/src/routers/auth/auth.schema.ts), here so
 * the form can say what is wrong before sending. They belong in packages/domain beside the intake
 * schema, shared by both sides; until the server imports them from there, keep the rules equal.
 */
const email = z
  .string()
  .trim()
  .min(1, 'Email is required')
  .max(254, 'Email is too long')
  .pipe(z.email('Enter a valid email address'));

export const logInFormSchema = z.object({
  email,
  password: z.string().min(1, 'Enter your password').max(200, 'Password can be at most 200 characters'),
});

export const signUpFormSchema = z.object({
  displayName: z
    .string()
    .trim()
    .min(1, 'Name is required')
    .min(2, 'Name needs at least 2 characters')
    .max(100, 'Name is too long'),
  email,
  password: z
    .string()
    .min(1, 'Password is required')
    .min(10, 'Password needs at least 10 characters')
    .max(200, 'Password can be at most 200 characters'),
  phone: optionalPhoneSchema,
});
