/** The app setting `guestVerification` over the admin API: validated, and its secret written but never read. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appSchema } from '../../src/http/schemas.js';
import { bodyOf, createHttpHarness, errorOf, type HttpHarness } from './harness.js';

const SETTING = {
  provider: 'hcaptcha',
  verifyUrl: 'https://api.hcaptcha.com/siteverify',
  secret: 'the-very-secret',
  siteKey: 'site-key',
};

let h: HttpHarness;
beforeEach(async () => {
  h = await createHttpHarness();
});
afterEach(async () => {
  await h.close();
});

function patch(app: number, guestVerification: unknown) {
  return h.call('PATCH', `/api/v1/apps/${app}`, { admin: true, body: { settings: { guestVerification } } });
}

describe('guestVerification', () => {
  it('is off by default, and no answer of the admin API ever carries the secret', async () => {
    expect(bodyOf(await h.call('GET', '/api/v1/apps/1', { admin: true }), appSchema).settings).toMatchObject({
      guestVerification: null,
    });
    const created = await h.call('POST', '/api/v1/apps', {
      admin: true,
      body: { name: 'Verified', settings: { guestVerification: SETTING } },
    });
    expect(created.statusCode).toBe(201);
    const app = bodyOf(created, appSchema);
    expect(app.settings.guestVerification).toEqual({ ...SETTING, secret: '[set]', timeoutMs: 3000 });
    const answers = [
      created,
      await h.call('GET', `/api/v1/apps/${app.id}`, { admin: true }),
      await h.call('GET', '/api/v1/apps', { admin: true }),
      await patch(app.id, { ...SETTING, timeoutMs: 500 }),
    ];
    for (const answer of answers) {
      expect(answer.statusCode).toBeLessThan(300);
      expect(answer.body).not.toContain(SETTING.secret);
    }
    expect((await h.engine.getApp(app.id)).settings.guestVerification?.secret).toBe(SETTING.secret);
  });

  it('a PATCH without the secret, or with [set], keeps it; a new one replaces it; null turns it off', async () => {
    expect((await patch(1, SETTING)).statusCode).toBe(200);
    const { secret: _secret, ...withoutSecret } = SETTING;
    expect((await patch(1, { ...withoutSecret, siteKey: 'other' })).statusCode).toBe(200);
    expect((await h.engine.getApp(1)).settings.guestVerification).toMatchObject({
      siteKey: 'other',
      secret: SETTING.secret,
    });
    expect((await patch(1, { ...SETTING, secret: '[set]' })).statusCode).toBe(200);
    expect((await h.engine.getApp(1)).settings.guestVerification?.secret).toBe(SETTING.secret);
    expect((await patch(1, { ...SETTING, secret: 'a-new-secret' })).statusCode).toBe(200);
    expect((await h.engine.getApp(1)).settings.guestVerification?.secret).toBe('a-new-secret');
    expect((await patch(1, null)).statusCode).toBe(200);
    expect((await h.engine.getApp(1)).settings.guestVerification).toBeNull();
  });

  it('refuses a first setting without a secret, plain http off the loopback and timeouts out of bounds', async () => {
    const { secret: _secret, ...withoutSecret } = SETTING;
    for (const bad of [
      withoutSecret,
      { ...SETTING, verifyUrl: 'http://verify.example/siteverify' },
      { ...SETTING, verifyUrl: 'not a url' },
      { ...SETTING, provider: 'other' },
      { ...SETTING, timeoutMs: 99 },
      { ...SETTING, timeoutMs: 10_001 },
    ]) {
      const answer = await patch(1, bad);
      expect(answer.statusCode, JSON.stringify(bad)).toBe(400);
      expect(errorOf(answer).code).toBe('bad_request');
    }
    expect((await patch(1, { ...SETTING, verifyUrl: 'http://127.0.0.1:8080/verify' })).statusCode).toBe(200);
  });
});
