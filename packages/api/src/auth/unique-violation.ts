import { Prisma } from '@dispatch/db';

/** A unique constraint refused the write: the row a retry wanted to create already exists. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}
