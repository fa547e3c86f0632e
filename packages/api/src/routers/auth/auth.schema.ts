import { z } from 'zod';

export const emailSchema = z
  .email('Enter a valid email address')
  .max(254, 'Email is too long')
  .transform((email) => email.toLowerCase());

export const signUpInput = z.object({
  email: emailSchema,
  password: z
    .string()
    .min(10, 'Password needs at least 10 characters')
    .max(200, 'Password can be at most 200 characters'),
  displayName: z.string().trim().min(2, 'Name needs at least 2 characters').max(100, 'Name is too long'),
});

export const logInInput = z.object({
  email: emailSchema,
  password: z.string().min(1, 'Enter your password').max(200, 'Password can be at most 200 characters'),
});
