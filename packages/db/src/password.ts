// Password hashing with scrypt from node:crypto. Format: scrypt$N$r$p$salt$hash (base64).
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

const N = 16384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, length, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, { N, r: R, p: P }, KEY_LENGTH);
  return ['scrypt', N, R, P, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** False for a wrong password and for a malformed or foreign hash; never throws on bad input. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const expected = Buffer.from(parts[5] ?? '', 'base64');
  const valid = (x: number | undefined): x is number => Number.isInteger(x) && (x ?? 0) > 0;
  if (!valid(n) || !valid(r) || !valid(p) || n > 2 ** 20 || salt.length === 0 || expected.length === 0)
    return false;
  // Node refuses N*r above its default memory limit; allow what a stored hash may need.
  const maxmem = 256 * n * r + 1024 * 1024;
  const actual = await derive(password, salt, { N: n, r, p, maxmem }, expected.length);
  return timingSafeEqual(actual, expected);
}
