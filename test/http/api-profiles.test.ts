import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { userSchema } from '../../src/http/schemas.js';
import { bodyOf, createHttpHarness, errorOf, type HttpHarness } from './harness.js';

let h: HttpHarness;
beforeEach(async () => {
  h = await createHttpHarness();
  await h.engine.createUser(1, { username: 'alice' });
});
afterEach(async () => {
  await h.close();
});

const AVATAR = 'https://cdn.example.com/alice.png';

describe('PATCH /api/v1/apps/:app/users/:username (profile)', () => {
  const patch = (body: unknown, admin = true) =>
    h.call('PATCH', '/api/v1/apps/1/users/alice', { admin, body });

  it('sets, keeps absent fields, clears with null; the user and message authors carry it', async () => {
    const set = await patch({ displayName: ' Alice ', avatarUrl: AVATAR });
    expect(set.statusCode).toBe(200);
    expect(bodyOf(set, userSchema)).toMatchObject({
      username: 'alice',
      displayName: 'Alice',
      avatarUrl: AVATAR,
    });

    // With the role in the same request, both change.
    const both = bodyOf(await patch({ role: 'mod', displayName: 'Al' }), userSchema);
    expect(both).toMatchObject({ role: 'mod', displayName: 'Al', avatarUrl: AVATAR });

    await h.engine.publish(1, 'lobby', { username: 'alice', text: 'hi' });
    const history = await h.call('GET', '/api/v1/apps/1/rooms/lobby/messages', { admin: true });
    expect(JSON.stringify(history.json())).toContain('"displayName":"Al"');
    const cleared = bodyOf(await patch({ avatarUrl: null }), userSchema);
    expect(cleared.displayName).toBe('Al');
    expect(cleared).not.toHaveProperty('avatarUrl');
    const listed = await h.call('GET', '/api/v1/apps/1/users', { admin: true });
    expect(JSON.stringify(listed.json())).toContain('"displayName":"Al"');
  });

  it('refuses an invalid profile with invalid_profile, an empty body with bad_request, and needs the admin key', async () => {
    for (const [body, field] of [
      [{ avatarUrl: 'http://cdn.example.com/a.png' }, 'avatarUrl'],
      [{ avatarUrl: 'javascript:alert(1)' }, 'avatarUrl'],
      [{ displayName: '  ' }, 'displayName'],
      [{ displayName: 'a\u0000b' }, 'displayName'],
    ] as const) {
      const res = await patch(body);
      expect(res.statusCode).toBe(400);
      expect(errorOf(res)).toMatchObject({ code: 'invalid_profile', details: { field } });
    }
    expect(errorOf(await patch({})).code).toBe('bad_request');
    expect(errorOf(await patch({ displayName: 5 })).code).toBe('bad_request');
    expect((await patch({ displayName: 'x' }, false)).statusCode).toBe(401);
    const unknown = await h.call('PATCH', '/api/v1/apps/1/users/nobody', {
      admin: true,
      body: { displayName: 'x' },
    });
    expect(errorOf(unknown).code).toBe('not_found');
  });
});
