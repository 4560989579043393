/**
 * The numeric dialect driven with a raw WebSocket client exactly as its seed document shows
 * (docs/dialects/numeric.md): login by URL, the action types 0-7, every error, app selection and limits.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startTestServer } from '../../helpers/server.js';
import type { TestServer } from '../../helpers/server.js';
import { api, NO_FLOOD, patchApp } from '../../native/helpers.js';
import {
  ALREADY_JOINED,
  CHANNEL_RULE,
  MESSAGE_RULE,
  NICK_RULE,
  NOT_PRESENT,
} from '../../../src/gateways/numeric/rules.js';
import {
  BAD_APP,
  CANNOT_CREATE,
  CANNOT_JOIN,
  CREATING_TOO_FAST,
  GUESTS_DISABLED,
  NICK_TAKEN,
  ORIGIN_REFUSED,
  READ_ONLY,
  TOO_FAST,
  UNKNOWN_APP,
} from '../../../src/gateways/numeric/errors.js';
import { isType, NumericClient, NumericPool } from './helpers.js';
import type { Frame } from './helpers.js';

const isError = (message?: string) => (frame: Frame) =>
  frame.type === -1 && (message === undefined || frame.message === message);

/** A refused login: `{type: -1, time, message}`, then the socket closes with `code`. */
async function expectRefused(client: NumericClient, message: string, code = 4003): Promise<void> {
  const frame = await client.next();
  expect(frame).toEqual({ type: -1, time: expect.any(Number), message });
  expect((await client.closed).code).toBe(code);
}

describe('numeric dialect', () => {
  let srv: TestServer;
  const pool = new NumericPool();

  /** A fresh app (so that user lists are exact); resolves with its id. */
  async function newApp(settings: Record<string, unknown> = {}): Promise<number> {
    const app = await api<{ id: number }>(srv, 'POST', '/api/v1/apps', {
      name: 'numeric test app',
      settings: { guestsCanWrite: true, ...NO_FLOOD, ...settings },
    });
    return app.id;
  }

  beforeAll(async () => {
    // A long presence grace period: departures announced at once prove that the dialect does not wait for it.
    srv = await startTestServer({ engine: { presenceGraceMs: 60_000 } });
    await patchApp(srv, { ...NO_FLOOD, maxMessageLength: 4096 });
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  describe('log in (type 2)', () => {
    it('logs in with the URL nickname and broadcasts type 2 to everyone connected to the app', async () => {
      const ann = pool.open(srv, 'ann');
      await ann.opened;
      expect(await ann.next()).toEqual({ type: 2, time: expect.any(Number), user: 'ann' });
      const ben = await pool.login(srv, 'ben');
      expect(await ann.next(isType(2))).toEqual({ type: 2, time: expect.any(Number), user: 'ben' });
      // `time` is seconds since the epoch, as later versions sent (Python's time.time()).
      expect(Math.abs((ben.frames[0]?.time as number) - Date.now() / 1000)).toBeLessThan(60);
    });

    it('URL-decodes the nickname', async () => {
      const client = pool.open(srv, 'Zoë_2');
      await client.opened;
      expect(await client.next()).toMatchObject({ type: 2, user: 'Zoë_2' });
    });

    it('refuses invalid nicknames with type -1 and closes with 4003', async () => {
      for (const nick of ['a', 'x'.repeat(21), 'bad-nick', 'two words', 'dot.ted', '']) {
        await expectRefused(pool.open(srv, nick), NICK_RULE);
      }
      // Not valid percent-encoding, and no nickname segment at all.
      const base = srv.url.replace(/^http/, 'ws');
      for (const path of ['/numeric/chat/login/%E0%A4%A', '/numeric/chat/login']) {
        const client = new NumericClient(new WebSocket(`${base}${path}`));
        try {
          await expectRefused(client, NICK_RULE);
        } finally {
          client.close();
        }
      }
    });

    it('refuses a nickname that is online (in any case) or that belongs to an account', async () => {
      const first = await pool.login(srv, 'taken_nick');
      await expectRefused(pool.open(srv, 'taken_nick'), NICK_TAKEN);
      await expectRefused(pool.open(srv, 'TAKEN_NICK'), NICK_TAKEN);
      await api(srv, 'POST', '/api/v1/apps/1/users', { username: 'acct_owner', password: 'secret-password' });
      await expectRefused(pool.open(srv, 'acct_owner'), NICK_TAKEN);
      // The first connection is undisturbed.
      first.send({ type: 2 });
      expect(await first.next()).toMatchObject({ type: 2, user: 'taken_nick' });
    });

    it('two logins with one nickname at the same moment: exactly one succeeds', async () => {
      const a = pool.open(srv, 'racer');
      const b = pool.open(srv, 'racer');
      const [first, second] = await Promise.all([a.next(), b.next()]);
      const types = [first.type, second.type].sort();
      expect(types).toEqual([-1, 2]);
      const loser = first.type === -1 ? a : b;
      expect((await loser.closed).code).toBe(4003);
    });

    it('refuses guests where the app does not allow them, and unknown or malformed apps', async () => {
      const closed = await newApp({ allowGuests: false });
      await expectRefused(pool.open(srv, 'guest_one', `?app=${closed}`), GUESTS_DISABLED);
      await expectRefused(pool.open(srv, 'guest_one', '?app=999999'), UNKNOWN_APP);
      for (const app of ['abc', '0', '-1', '1.5', '1e3']) {
        await expectRefused(pool.open(srv, 'guest_one', `?app=${app}`), BAD_APP);
      }
    });

    it("checks the app's allowed origins", async () => {
      const app = await newApp({ allowedOrigins: ['https://good.example'] });
      const bad = pool.open(srv, 'origin_bad', `?app=${app}`, { origin: 'https://evil.example' });
      await expectRefused(bad, ORIGIN_REFUSED);
      const good = pool.open(srv, 'origin_ok', `?app=${app}`, { origin: 'https://good.example' });
      expect(await good.next()).toMatchObject({ type: 2, user: 'origin_ok' });
    });

    it('selects the app from ?app=N: apps do not hear of each other', async () => {
      const app = await newApp();
      const inApp = await pool.login(srv, 'app_user', `?app=${app}`);
      const inDefault = await pool.login(srv, 'default_user');
      await pool.login(srv, 'app_user2', `?app=${app}`);
      await inApp.next(isType(2, { user: 'app_user2' }));
      await inDefault.expectNone(isType(2, { user: 'app_user2' }));
      inApp.send({ type: 6 });
      expect((await inApp.next(isType(6))).users).toEqual(['app_user', 'app_user2']);
    });

    it('answers a type 2 from the client with its own login; another nickname is refused', async () => {
      const client = await pool.login(srv, 'again');
      client.send({ type: 2, user: 'again' });
      expect(await client.next()).toMatchObject({ type: 2, user: 'again' });
      client.send({ type: 2, user: 'someone_else' });
      expect(await client.next()).toMatchObject({
        type: -1,
        message: 'You are already logged in as again.',
      });
    });
  });

  describe('channels (types 4 and 5)', () => {
    it('joins and leaves with # stripped, creating the channel on first join, told to its members', async () => {
      const ann = await pool.login(srv, 'join_ann');
      const ben = await pool.login(srv, 'join_ben');
      const outsider = await pool.login(srv, 'join_out');

      ann.send({ type: 4, channel: '#django' });
      expect(await ann.next(isType(4))).toEqual({
        type: 4,
        time: expect.any(Number),
        channel: 'django',
        user: 'join_ann',
      });
      // Created as a public room of the app.
      const rooms = await api<{ rooms: { name: string; visibility: string }[] }>(
        srv,
        'GET',
        '/api/v1/apps/1/rooms',
      );
      expect(rooms.rooms).toContainEqual(expect.objectContaining({ name: 'django', visibility: 'public' }));

      ben.send({ type: 4, channel: '##django' });
      expect(await ben.next(isType(4))).toMatchObject({ channel: 'django', user: 'join_ben' });
      expect(await ann.next(isType(4))).toMatchObject({ channel: 'django', user: 'join_ben' });

      ben.send({ type: 5, channel: 'django' });
      expect(await ben.next(isType(5))).toMatchObject({ channel: 'django', user: 'join_ben' });
      // At once, although the presence grace period is a minute.
      expect(await ann.next(isType(5))).toMatchObject({ channel: 'django', user: 'join_ben' });

      // Back within the grace period: the engine is silent (the user never left in its view); the dialect says it.
      ben.send({ type: 4, channel: 'DJANGO' });
      expect(await ben.next(isType(4))).toMatchObject({ channel: 'django', user: 'join_ben' });
      expect(await ann.next(isType(4))).toMatchObject({ channel: 'django', user: 'join_ben' });

      await outsider.expectNone((f) => f.type === 4 || f.type === 5);
    });

    it("answers joining twice and leaving a channel not joined with the later versions' texts", async () => {
      const ann = await pool.login(srv, 'twice_ann');
      ann.send({ type: 4, channel: 'twice' });
      await ann.next(isType(4));
      ann.send({ type: 4, channel: '#twice' });
      expect(await ann.next()).toEqual({ type: -1, time: expect.any(Number), message: ALREADY_JOINED });
      ann.send({ type: 5, channel: 'never_joined' });
      expect(await ann.next()).toMatchObject({ type: -1, message: NOT_PRESENT });
      ann.send({ type: 5, channel: 'twice' });
      await ann.next(isType(5));
      ann.send({ type: 5, channel: 'twice' });
      expect(await ann.next()).toMatchObject({ type: -1, message: NOT_PRESENT });
    });

    it('refuses channel names outside 2-16 letters, digits and underscores', async () => {
      const ann = await pool.login(srv, 'names_ann');
      for (const channel of [
        '#a',
        'a',
        '',
        '###',
        'x'.repeat(17),
        'bad-name',
        'two words',
        'a.b',
        '#'.repeat(300),
      ]) {
        ann.send({ type: 4, channel });
        expect(await ann.next()).toMatchObject({ type: -1, message: CHANNEL_RULE });
      }
      ann.send({ type: 4, channel: `##${'x'.repeat(16)}` });
      expect(await ann.next()).toMatchObject({ type: 4, channel: 'x'.repeat(16) });
    });

    it('replays the last 50 messages on join with history: true, then live ones without it', async () => {
      const ann = await pool.login(srv, 'hist_ann');
      ann.send({ type: 4, channel: 'history' });
      await ann.next(isType(4));
      for (let i = 1; i <= 55; i++) ann.send({ type: 0, dest: 'history', message: `message ${i}` });
      ann.send({ type: 7, dest: 'history', message: 'waves' });
      await ann.next(isType(7));

      const ben = await pool.login(srv, 'hist_ben');
      ben.send({ type: 4, channel: '#history' });
      const frames = await ben.until((f) => f.type === 7 && f.history === true);
      const join = frames.findIndex(isType(4));
      const replay = frames.slice(join + 1);
      expect(replay).toHaveLength(50);
      expect(replay[0]).toEqual({
        type: 0,
        time: expect.any(Number),
        dest: 'history',
        message: 'message 7',
        user: 'hist_ann',
        history: true,
      });
      expect(replay[48]).toMatchObject({ type: 0, message: 'message 55', history: true });
      expect(replay[49]).toMatchObject({ type: 7, message: 'waves', user: 'hist_ann', history: true });

      ann.send({ type: 0, dest: 'history', message: 'live' });
      const live = await ben.next(isType(0, { message: 'live' }));
      expect(live.history).toBeUndefined();
    });

    it('cannot join a private room', async () => {
      await api(srv, 'POST', '/api/v1/apps/1/rooms', { name: 'secret_room', visibility: 'private' });
      const ann = await pool.login(srv, 'priv_ann');
      ann.send({ type: 4, channel: 'secret_room' });
      expect(await ann.next()).toMatchObject({ type: -1, message: CANNOT_JOIN });
    });

    it('tells the client when a channel it is in is deleted', async () => {
      const ann = await pool.login(srv, 'del_ann');
      ann.send({ type: 4, channel: 'doomed' });
      await ann.next(isType(4));
      await api(srv, 'DELETE', '/api/v1/apps/1/rooms/doomed');
      expect(await ann.next(isType(5))).toMatchObject({ channel: 'doomed', user: 'del_ann' });
      ann.send({ type: 0, dest: 'doomed', message: 'anyone?' });
      expect(await ann.next()).toMatchObject({ type: -1, message: NOT_PRESENT });
    });
  });

  describe('messages (types 0 and 7)', () => {
    it('sends to everyone in the channel, adding the sender as `user`; outsiders get nothing', async () => {
      const ann = await pool.login(srv, 'msg_ann');
      const ben = await pool.login(srv, 'msg_ben');
      const outsider = await pool.login(srv, 'msg_out');
      for (const client of [ann, ben]) {
        client.send({ type: 4, channel: '#chat' });
        await client.next(isType(4));
      }
      // The document's example.
      ben.send({ type: 0, dest: '#chat', message: 'hello world' });
      const expected = {
        type: 0,
        time: expect.any(Number),
        dest: 'chat',
        message: 'hello world',
        user: 'msg_ben',
      };
      expect(await ann.next(isType(0))).toEqual(expected);
      expect(await ben.next(isType(0))).toEqual(expected);
      await outsider.expectNone(isType(0));

      // Later versions' clients name the channel `channel`.
      ann.send({ type: 0, channel: 'chat', message: 'from a later client' });
      expect(await ben.next(isType(0))).toMatchObject({
        dest: 'chat',
        message: 'from a later client',
        user: 'msg_ann',
      });

      // Text is literal: no slash commands.
      ann.send({ type: 0, dest: 'chat', message: '/help' });
      expect(await ben.next(isType(0))).toMatchObject({ message: '/help', user: 'msg_ann' });

      // Type 7: /me actions.
      ann.send({ type: 7, dest: '#chat', message: 'waves' });
      expect(await ben.next(isType(7))).toEqual({
        type: 7,
        time: expect.any(Number),
        dest: 'chat',
        message: 'waves',
        user: 'msg_ann',
      });
    });

    it('never lets a client speak as someone else', async () => {
      const ann = await pool.login(srv, 'spoof_ann');
      ann.send({ type: 4, channel: 'spoof' });
      await ann.next(isType(4));
      ann.send({ type: 0, dest: 'spoof', message: 'hi', user: 'someone_else' });
      expect(await ann.next()).toMatchObject({ type: -1, message: 'Unknown field "user".' });
      await ann.expectNone(isType(0));
      ann.send({ type: 3, user: 'someone_else' });
      expect(await ann.next()).toMatchObject({ type: -1, message: 'You can only log yourself out.' });
    });

    it('refuses to send to a channel not joined and text outside 1-2048 characters', async () => {
      const ann = await pool.login(srv, 'len_ann');
      ann.send({ type: 0, dest: 'not_joined', message: 'hello' });
      expect(await ann.next()).toMatchObject({ type: -1, message: NOT_PRESENT });
      ann.send({ type: 4, channel: 'lengths' });
      await ann.next(isType(4));
      for (const message of ['', '   ', 'x'.repeat(2049), '😀'.repeat(2049)]) {
        ann.send({ type: 0, dest: 'lengths', message });
        expect(await ann.next()).toMatchObject({ type: -1, message: MESSAGE_RULE });
      }
      ann.send({ type: 0, dest: 'lengths', message: '😀'.repeat(2048) });
      expect(await ann.next()).toMatchObject({ type: 0, message: '😀'.repeat(2048) });
      ann.send({ type: 7, dest: 'lengths', message: ' ' });
      expect(await ann.next()).toMatchObject({ type: -1, message: MESSAGE_RULE });
    });

    it("answers the app's own, shorter limit with its number", async () => {
      const app = await newApp({ maxMessageLength: 100 });
      const ann = await pool.login(srv, 'short_ann', `?app=${app}`);
      ann.send({ type: 4, channel: 'short' });
      await ann.next(isType(4));
      ann.send({ type: 0, dest: 'short', message: 'x'.repeat(101) });
      expect(await ann.next()).toMatchObject({
        type: -1,
        message: 'Message should contain 1-100 characters.',
      });
    });

    it("answers messages beyond the app's flood limit with type -1", async () => {
      const app = await newApp({ flood: { burst: 2, perSecond: 0.01 } });
      const ann = await pool.login(srv, 'flood_ann', `?app=${app}`);
      ann.send({ type: 4, channel: 'flood' });
      await ann.next(isType(4));
      for (let i = 0; i < 3; i++) ann.send({ type: 0, dest: 'flood', message: `m${i}` });
      const frames = await ann.until(isError());
      expect(frames.filter(isType(0))).toHaveLength(2);
      expect(frames.at(-1)?.message).toMatch(
        /^You are sending messages too fast\. Try again in \d+ seconds?\.$/,
      );
    });

    it('answers a muted sender with type -1 and delivers nothing', async () => {
      const ann = await pool.login(srv, 'mute_ann');
      const ben = await pool.login(srv, 'mute_ben');
      for (const client of [ann, ben]) {
        client.send({ type: 4, channel: 'muting' });
        await client.next(isType(4));
      }
      await api(srv, 'POST', '/api/v1/apps/1/mutes', { username: 'mute_ann', minutes: 5 });
      ann.send({ type: 0, dest: 'muting', message: 'can you hear me' });
      expect(await ann.next(isError())).toMatchObject({ message: 'You are muted for 5 minutes' });
      await ben.expectNone(isType(0));
    });

    it('read-only guests may join existing channels but neither create channels nor write', async () => {
      const app = await newApp({ guestsCanWrite: false });
      await api(srv, 'POST', `/api/v1/apps/${app}/rooms`, { name: 'existing' });
      const ann = await pool.login(srv, 'ro_ann', `?app=${app}`);
      ann.send({ type: 4, channel: 'new_one' });
      expect(await ann.next()).toMatchObject({ type: -1, message: CANNOT_CREATE });
      ann.send({ type: 4, channel: 'existing' });
      expect(await ann.next()).toMatchObject({ type: 4, channel: 'existing' });
      ann.send({ type: 0, dest: 'existing', message: 'hello' });
      expect(await ann.next()).toMatchObject({ type: -1, message: READ_ONLY });
    });

    it('limits how fast one connection creates channels', async () => {
      const ann = await pool.login(srv, 'creator');
      for (let i = 0; i < 5; i++) {
        ann.send({ type: 4, channel: `made_${i}` });
        expect(await ann.next()).toMatchObject({ type: 4, channel: `made_${i}` });
      }
      ann.send({ type: 4, channel: 'made_5' });
      expect(await ann.next()).toMatchObject({ type: -1, message: CREATING_TOO_FAST });
      // Joining channels that exist is not limited.
      ann.send({ type: 4, channel: 'lobby' });
      expect(await ann.next()).toMatchObject({ type: 4, channel: 'lobby' });
    });
  });

  describe('user lists (type 6)', () => {
    it('lists the users of the app, or of one channel', async () => {
      const app = await newApp();
      const ann = await pool.login(srv, 'list_ann', `?app=${app}`);
      const ben = await pool.login(srv, 'list_ben', `?app=${app}`);
      await pool.login(srv, 'list_cat', `?app=${app}`);
      await ann.next(isType(2, { user: 'list_cat' }));
      ann.send({ type: 6 });
      const all = await ann.next(isType(6));
      expect(all).toEqual({ type: 6, time: expect.any(Number), users: expect.any(Array) });
      expect([...(all.users as string[])].sort()).toEqual(['list_ann', 'list_ben', 'list_cat']);

      for (const client of [ann, ben]) {
        client.send({ type: 4, channel: 'listed' });
        await client.next(isType(4, { user: client === ann ? 'list_ann' : 'list_ben' }));
      }
      ann.send({ type: 6, channel: '#listed' });
      const inChannel = await ann.next(isType(6));
      expect(inChannel).toMatchObject({ channel: 'listed' });
      expect([...(inChannel.users as string[])].sort()).toEqual(['list_ann', 'list_ben']);

      ann.send({ type: 6, channel: 'nobody_here' });
      expect(await ann.next(isType(6))).toMatchObject({ channel: 'nobody_here', users: [] });

      // A departure is reflected at once, grace period or not.
      ben.send({ type: 5, channel: 'listed' });
      await ann.next(isType(5));
      ann.send({ type: 6, channel: 'listed' });
      expect((await ann.next(isType(6))).users).toEqual(['list_ann']);
      ben.send({ type: 3 });
      await ann.next(isType(3));
      ann.send({ type: 6 });
      expect([...((await ann.next(isType(6))).users as string[])].sort()).toEqual(['list_ann', 'list_cat']);
    });
  });

  describe('log out (type 3)', () => {
    it('announces the logout at once (leaves first), closes with 1000, and a quick return is announced', async () => {
      const ann = await pool.login(srv, 'out_ann');
      const ben = await pool.login(srv, 'out_ben');
      for (const client of [ann, ben]) {
        client.send({ type: 4, channel: 'leaving' });
        await client.next(isType(4, { user: client === ann ? 'out_ann' : 'out_ben' }));
      }
      ben.send({ type: 3 });
      const frames = await ann.until(isType(3, { user: 'out_ben' }));
      expect(frames.filter((f) => f.type === 5 || f.type === 3)).toEqual([
        { type: 5, time: expect.any(Number), channel: 'leaving', user: 'out_ben' },
        { type: 3, time: expect.any(Number), user: 'out_ben' },
      ]);
      expect(await ben.closed).toMatchObject({ code: 1000 });
      // The leaver itself is not sent its own logout (the document: "the remaining clients").
      expect(ben.frames.filter(isType(3))).toEqual([]);

      // The nickname is free again at once, and its return is announced (the engine is silent within the grace).
      await pool.login(srv, 'out_ben');
      expect(await ann.next(isType(2))).toMatchObject({ user: 'out_ben' });
    });
  });

  describe('invalid frames (type -1)', () => {
    it('answers every invalid frame with {type: -1, time, message}', async () => {
      let ann = await pool.login(srv, 'bad_frames');
      const cases: [string, string][] = [
        ['not json', 'Invalid JSON.'],
        ['', 'Invalid JSON.'],
        ['[1,2]', 'The frame must be a JSON object with a "type".'],
        ['"text"', 'The frame must be a JSON object with a "type".'],
        ['null', 'The frame must be a JSON object with a "type".'],
        ['{}', 'Missing field "type".'],
        ['{"type":"4","channel":"x1"}', 'Field "type" must be an integer.'],
        ['{"type":4.5}', 'Field "type" must be an integer.'],
        ['{"type":42}', 'Unknown type 42.'],
        ['{"type":-1,"message":"x"}', 'Unknown type -1.'],
        [
          '{"type":1,"user":"x","password":"y"}',
          'Registration is not supported: log in with a nickname in the URL.',
        ],
        ['{"type":4}', 'Missing field "channel".'],
        ['{"type":4,"channel":5}', 'Field "channel" must be a string.'],
        ['{"type":4,"channel":"ok_name","extra":1}', 'Unknown field "extra".'],
        ['{"type":4,"channel":"ok_name","__proto__":{"admin":true}}', 'Unknown field "__proto__".'],
        ['{"type":0,"message":"hi"}', 'Missing field "dest".'],
        ['{"type":0,"dest":"a1","channel":"a1","message":"hi"}', 'Give "dest" or "channel", not both.'],
        ['{"type":0,"dest":"lobby"}', 'Missing field "message".'],
        ['{"type":0,"dest":"lobby","message":["hi"]}', 'Field "message" must be a string.'],
        ['{"type":6,"channel":null}', 'Field "channel" must be a string.'],
        ['{"type":3,"user":7}', 'Field "user" must be a string.'],
      ];
      for (const [i, [frame, message]] of cases.entries()) {
        // A fresh connection every 10: the 20th invalid frame within 10 s closes one ([proto.invalid-frames]).
        if (i > 0 && i % 10 === 0) ann = await pool.login(srv, `bad_frames${i}`);
        ann.sendText(frame);
        expect(await ann.next(), frame).toEqual({ type: -1, time: expect.any(Number), message });
      }
      ann.ws.send(Buffer.from([1, 2, 3]), { binary: true });
      expect(await ann.next()).toMatchObject({ type: -1, message: 'Binary frames are not supported.' });
      // Still logged in and working.
      ann.send({ type: 6 });
      expect(await ann.next()).toMatchObject({ type: 6 });
    });

    it('limits how fast one connection sends other frames than messages', async () => {
      const app = await newApp({ flood: { burst: 1, perSecond: 0.01 } });
      const ann = await pool.login(srv, 'ctl_ann', `?app=${app}`);
      for (let i = 0; i < 40; i++) ann.send({ type: 6 });
      expect(await ann.next(isError())).toMatchObject({ message: TOO_FAST });
    });

    it('closes a connection whose frame is over the size limit with 1009; others are undisturbed', async () => {
      const ann = await pool.login(srv, 'big_ann');
      const ben = await pool.login(srv, 'big_ben');
      ann.sendText(JSON.stringify({ type: 0, dest: 'lobby', message: 'x'.repeat(2 * 1024 * 1024) }));
      expect((await ann.closed).code).toBe(1009);
      ben.send({ type: 6 });
      expect(await ben.next(isType(6))).toMatchObject({ type: 6 });
    });
  });
});

describe('numeric dialect shutdown', () => {
  it('closes every connection with 1001', async () => {
    const srv = await startTestServer();
    const pool = new NumericPool();
    try {
      const ann = await pool.login(srv, 'shut_ann');
      const closing = srv.close();
      expect((await ann.closed).code).toBe(1001);
      await closing;
    } finally {
      pool.closeAll();
      await srv.close();
    }
  });
});
