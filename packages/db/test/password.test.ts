import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../src/password.ts';

describe('password hashing', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('demo-password-1');
    expect(await verifyPassword('demo-password-1', hash)).toBe(true);
    expect(await verifyPassword('demo-password-2', hash)).toBe(false);
  });

  it('uses the scrypt$N$r$p$salt$hash format with a random salt', async () => {
    const [first, second] = await Promise.all([hashPassword('same'), hashPassword('same')]);
    const parts = first.split('$');
    expect(parts.slice(0, 4)).toEqual(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(parts[4] ?? '', 'base64')).toHaveLength(16);
    expect(first).not.toBe(second);
  });

  it('returns false for malformed hashes instead of throwing', async () => {
    for (const stored of [
      '',
      'plain',
      'scrypt$1$2$3',
      'bcrypt$16384$8$1$AAAA$AAAA',
      'scrypt$x$8$1$AAAA$AAAA',
    ]) {
      expect(await verifyPassword('anything', stored)).toBe(false);
    }
  });
});
