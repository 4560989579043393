/**
 * Profiles over both framings with the typed client, against a real server on real sockets: `profile.set`
 * answers the user as now, `profile_changed` reaches the user's other connections and the rooms they are in,
 * live messages, history, reply quotes and members carry the profile; a bad URL or name is `invalid_profile`,
 * guests are refused, and so is everyone when the app's `usersSetProfile` is off.
 */
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/client/index.js';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { ClientPool, events, NO_FLOOD, patchApp, register, TRANSPORTS, refusalOf } from './helpers.js';

const AVATAR = 'https://cdn.example.com/avatars/alice.png';
const SECRET = 'a-long-enough-shared-secret-for-hs256';

function siteJwt(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(SECRET));
}

describe.each(TRANSPORTS)('profiles over %s', (transport) => {
  let srv: TestServer;
  const pool = new ClientPool();
  const tag = transport === 'ws' ? 'w' : 's';
  let aliceToken: string;
  let bobToken: string;
  let rooms = 0;

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    await patchApp(srv, { ...NO_FLOOD, jwt: { alg: 'HS256', secret: SECRET } });
    aliceToken = await register(srv, `alice${tag}`, 'alice-password');
    bobToken = await register(srv, `bob${tag}`, 'bob-password');
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  async function client(token: string): Promise<ParleyClient> {
    const c = pool.client(srv, transport, { token });
    await c.connect();
    return c;
  }

  const refusal = refusalOf;

  it('[proto.profile] set: the room hears profile_changed, live messages, history, quotes and members carry it', async () => {
    const room = `profile-${tag}-${++rooms}`;
    const alice = await client(aliceToken);
    const bob = await client(bobToken);
    await alice.createRoom(room);
    await alice.join(room);
    await bob.join(room);
    const first = await alice.send(room, 'before');
    if (first.kind !== 'message') throw new Error('not a message');
    expect(first.message.author).not.toHaveProperty('displayName');

    const changes = events(bob, 'profile_changed');
    const own = events(alice, 'profile_changed');
    const me = await alice.setProfile({ displayName: '  Alice Liddell  ', avatarUrl: AVATAR });
    expect(me).toMatchObject({ username: `alice${tag}`, displayName: 'Alice Liddell', avatarUrl: AVATAR });
    expect((await changes.next()).user).toEqual(me);
    expect((await own.next()).user).toEqual(me);

    const live = events(bob, 'message');
    await alice.send(room, 'after', { replyTo: first.message.id });
    const pushed = (await live.next()).message;
    expect(pushed.author).toEqual(me);
    // The quote shows the parent's author as they are now.
    expect(pushed.replyTo?.author).toEqual(me);

    const history = await bob.history(room);
    expect(history.messages.map((m) => m.author?.displayName)).toEqual(['Alice Liddell', 'Alice Liddell']);
    expect(history.messages.every((m) => m.author?.avatarUrl === AVATAR)).toBe(true);
    expect((await bob.members(room)).find((u) => u.id === me.id)).toEqual(me);

    // null clears, an absent field stays.
    const cleared = await alice.setProfile({ avatarUrl: null });
    expect(cleared.displayName).toBe('Alice Liddell');
    expect(cleared).not.toHaveProperty('avatarUrl');
    expect((await changes.next()).user).toEqual(cleared);
    const renamed = await alice.setProfile({ displayName: null });
    expect(renamed).toEqual({ id: me.id, username: `alice${tag}`, role: me.role });
  });

  it('[proto.profile.invalid] a URL that is not https, or a bad name, is invalid_profile and changes nothing', async () => {
    const alice = await client(aliceToken);
    for (const avatarUrl of [
      'http://cdn.example.com/a.png',
      'javascript:alert(1)',
      'data:image/png;base64,AAAA',
      '/relative.png',
      `https://example.com/${'a'.repeat(600)}`,
    ]) {
      const error = await refusal(alice.setProfile({ avatarUrl }));
      expect(error, avatarUrl.slice(0, 30)).toMatchObject({
        code: 'invalid_profile',
        details: { field: 'avatarUrl' },
      });
    }
    for (const displayName of ['   ', 'x'.repeat(65), 'new\nline', 'bell\u0007']) {
      const error = await refusal(alice.setProfile({ displayName }));
      expect(error).toMatchObject({ code: 'invalid_profile', details: { field: 'displayName' } });
    }
    expect(await alice.setProfile({})).not.toHaveProperty('displayName');
  });

  it('[proto.profile.rights] guests are refused; everyone is when usersSetProfile is off', async () => {
    const gus = pool.client(srv, transport, { guest: `gus${tag}` });
    await gus.connect();
    expect((await refusal(gus.setProfile({ displayName: 'Gus' }))).code).toBe('forbidden');

    const alice = await client(aliceToken);
    await patchApp(srv, { usersSetProfile: false });
    try {
      expect((await refusal(alice.setProfile({ displayName: 'Alice' }))).code).toBe('forbidden');
    } finally {
      await patchApp(srv, { usersSetProfile: true });
    }
    expect((await alice.setProfile({ displayName: 'Alice' })).displayName).toBe('Alice');
    await alice.setProfile({ displayName: null });
  });

  it('[proto.profile.jwt] the name and picture of a site JWT are stored at sign-in; invalid ones are ignored', async () => {
    const username = `site${tag}`;
    const first = pool.client(srv, transport, {
      jwt: await siteJwt({ sub: username, name: 'Site User', picture: 'https://site.example/u.png' }),
    });
    await first.connect();
    const room = `profile-${tag}-${++rooms}`;
    await first.createRoom(room);
    await first.join(room);
    const sent = await first.send(room, 'hello');
    if (sent.kind !== 'message') throw new Error('not a message');
    expect(sent.message.author).toMatchObject({
      username,
      displayName: 'Site User',
      avatarUrl: 'https://site.example/u.png',
    });
    first.close();

    // A bad picture does not refuse the sign-in: the valid name is taken, the picture kept as it was.
    const again = pool.client(srv, transport, {
      jwt: await siteJwt({ sub: username, name: 'Renamed', picture: 'javascript:alert(1)' }),
    });
    await again.connect();
    await again.join(room);
    const history = await again.history(room);
    expect(history.messages[0]?.author).toMatchObject({
      displayName: 'Renamed',
      avatarUrl: 'https://site.example/u.png',
    });
  });
});
