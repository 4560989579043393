import { describe, expect, it } from 'vitest';
import {
  hashPassword,
  needsRehash,
  passwordHashesComputed,
  verifyPassword,
} from '../../src/auth/passwords.js';

describe('passwords', () => {
  it('counts every hash computed, verifications included (parley_password_hashes_total)', async () => {
    const before = passwordHashesComputed();
    const stored = await hashPassword('counted password');
    await verifyPassword('wrong password', stored);
    expect(passwordHashesComputed() - before).toBe(2);
  });

  it('round-trips and rejects a wrong password', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('encodes its parameters and a random salt', async () => {
    const a = await hashPassword('same password');
    const b = await hashPassword('same password');
    expect(a).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('same password');
    const salt = Buffer.from(a.split('$')[4] ?? '', 'base64');
    expect(salt.length).toBe(16);
    expect(needsRehash(a)).toBe(false);
  });

  it('verifies hashes made with other parameters', async () => {
    const current = await hashPassword('pässwörd');
    const [, , , , salt] = current.split('$');
    const { scryptSync } = await import('node:crypto');
    const weak = scryptSync('pässwörd', Buffer.from(salt ?? '', 'base64'), 32, { N: 1024, r: 8, p: 1 });
    const stored = `scrypt$1024$8$1$${salt}$${weak.toString('base64')}`;
    expect(await verifyPassword('pässwörd', stored)).toBe(true);
    expect(await verifyPassword('passwörd', stored)).toBe(false);
    expect(needsRehash(stored)).toBe(true);
  });

  it('treats the same text in different Unicode normal forms alike', async () => {
    const stored = await hashPassword('caf\u00e9 au lait');
    expect(await verifyPassword('cafe\u0301 au lait', stored)).toBe(true);
  });

  it('returns false, never throws, for stored values it does not understand', async () => {
    const good = await hashPassword('secret-pw');
    const parts = good.split('$');
    const broken = [
      '',
      'plaintext',
      'bcrypt$10$abc',
      parts.slice(0, 5).join('$'),
      ['scrypt', '1000', ...parts.slice(2)].join('$'), // N not a power of two
      ['scrypt', String(2 ** 30), ...parts.slice(2)].join('$'), // too much memory
      ['scrypt', parts[1], parts[2], parts[3], parts[4], 'AAAA'].join('$'), // hash too short
      ['scrypt', parts[1], parts[2], parts[3], '!!!', parts[5]].join('$'),
    ];
    for (const stored of broken) {
      expect(await verifyPassword('secret-pw', stored)).toBe(false);
    }
  });
});
