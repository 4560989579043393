/**
 * Slow mode and the word filter as a moneypot client sees them: a send too soon after the last is refused the way
 * the seed refuses sending too fast (RATE_LIMITED to the callback, a system_message with the wait, in words that
 * name slow mode); a filtered message is a client error with the engine's sentence, naming no phrase.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../helpers/server.js';
import type { TestServer } from '../../helpers/server.js';
import { api, NO_FLOOD, patchApp } from '../../native/helpers.js';
import { hashedToken, marker, MpPool } from './helpers.js';

describe('moneypot slow mode and filter', () => {
  let srv: TestServer;
  const pool = new MpPool();

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    await patchApp(srv, NO_FLOOD);
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  async function user(name: string, role = 'member') {
    const { client } = await pool.authed(srv, {
      app_id: 1,
      hashed_token: await hashedToken(srv, name, role),
    });
    return client;
  }

  it('a send inside the slow-mode interval is RATE_LIMITED with a slow-mode system message; mods pass', async () => {
    await api(srv, 'PATCH', '/api/v1/apps/1/rooms/lobby', { slowModeSeconds: 600 });
    try {
      const bob = await user('Bob');
      const mod = await user('Mod', 'mod');
      const bobSystem = bob.events<string>('system_message');
      expect(await bob.send(marker('first'))).toBeNull();
      expect(await bob.send(marker('second'))).toBe('RATE_LIMITED');
      expect(await bobSystem.next()).toMatch(/^This room is in slow mode; wait (599|600) s$/);
      expect(await mod.send(marker('mod one'))).toBeNull();
      expect(await mod.send(marker('mod two'))).toBeNull();
    } finally {
      await api(srv, 'PATCH', '/api/v1/apps/1/rooms/lobby', { slowModeSeconds: 0 });
    }
  });

  it('a filtered message is a client error that names no phrase', async () => {
    await patchApp(srv, {
      filter: {
        rules: [{ phrase: 'secretword', action: 'reject' }],
        links: 'anyone',
        linkMinAccountAgeHours: 0,
      },
      escalation: { ladder: [], strikeTtlHours: 1 },
    });
    try {
      const cat = await user('Cat');
      const errors = cat.events<string>('client_error');
      expect(await cat.send('the S.E.C.R.E.T word is secretword')).toBe('CLIENT_ERROR');
      const text = await errors.next();
      expect(text).toBe('Your message contains something that is not allowed here');
    } finally {
      await patchApp(srv, { filter: { rules: [], links: 'anyone', linkMinAccountAgeHours: 0 } });
    }
  });
});
