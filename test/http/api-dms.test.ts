import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { roomSchema } from '../../src/http/schemas.js';
import { bodyOf, createHttpHarness, errorOf, type HttpHarness } from './harness.js';

let h: HttpHarness;
beforeEach(async () => {
  h = await createHttpHarness();
  for (const username of ['alice', 'bob']) await h.engine.createUser(1, { username });
});
afterEach(async () => {
  await h.close();
});

describe('POST /api/v1/apps/:app/dms', () => {
  it('opens the one DM room of two users, the same from either side, with the admin key only', async () => {
    const first = await h.call('POST', '/api/v1/apps/1/dms', {
      admin: true,
      body: { from: 'alice', to: 'bob' },
    });
    expect(first.statusCode).toBe(200);
    const room = bodyOf(first, roomSchema);
    expect(room).toMatchObject({ visibility: 'private', dm: true });
    const other = await h.call('POST', '/api/v1/apps/1/dms', {
      admin: true,
      body: { from: 'bob', to: 'alice' },
    });
    expect(bodyOf(other, roomSchema).id).toBe(room.id);

    const history = await h.call('GET', `/api/v1/apps/1/rooms/${encodeURIComponent(room.name)}/messages`, {
      admin: true,
    });
    expect(history.statusCode).toBe(200);

    const anonymous = await h.call('POST', '/api/v1/apps/1/dms', { body: { from: 'alice', to: 'bob' } });
    expect(anonymous.statusCode).toBe(401);
  });

  it('refuses oneself, unknown users, a blocked sender and an app with DMs off, with catalogue errors', async () => {
    const post = (body: unknown) => h.call('POST', '/api/v1/apps/1/dms', { admin: true, body });
    expect(errorOf(await post({ from: 'alice', to: 'alice' })).code).toBe('bad_request');
    expect(errorOf(await post({ from: 'alice', to: 'nobody' })).code).toBe('not_found');
    expect(errorOf(await post({ from: 'alice' })).code).toBe('bad_request');

    const [, bob] = await Promise.all([
      h.engine.catalog.findUser(1, 'alice'),
      h.engine.catalog.findUser(1, 'bob'),
    ]);
    await h.engine.dms.block(1, { id: bob.id, username: 'bob', role: bob.role }, 'alice');
    const blocked = await post({ from: 'alice', to: 'bob' });
    expect(blocked.statusCode).toBe(403);
    expect(errorOf(blocked).code).toBe('blocked');
    expect((await post({ from: 'bob', to: 'alice' })).statusCode).toBe(200);

    await h.engine.updateApp(1, { settings: { dms: false } });
    const off = await post({ from: 'bob', to: 'alice' });
    expect(off.statusCode).toBe(403);
    expect(errorOf(off).code).toBe('dms_disabled');
  });
});
