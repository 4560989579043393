/**
 * Bots (docs/bots.md) against a real server on real sockets: created by the operator with an API key shown once,
 * signed in with it over both native framings and over REST, marked `bot` wherever they author a message, and
 * answering slash commands, through their endpoint (a receiver of the test's own on the loopback, checking the
 * signature) or as a `command` event on their connections.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient, SendResult } from '../../src/client/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { SiteReceiver, type ReceivedCall, type SiteAnswer } from '../helpers/siteReceiver.js';
import { api, ClientPool, events, NO_FLOOD, patchApp, register, TRANSPORTS } from './helpers.js';

const SECRET = 'bot-endpoint-secret';

interface BotWithKey {
  bot: { username: string; endpoint: unknown; commands: { name: string }[] };
  apiKey: string;
}

function answerFor(call: ReceivedCall): SiteAnswer {
  const data = call.body['data'] as { command: string; args: string };
  if (data.args === 'hang') return 'hold';
  if (data.args === 'huge') return { body: { text: 'x'.repeat(10 * 1024 * 1024) } };
  if (data.args === 'fail') return { status: 500, body: {} };
  if (data.args === 'long') return { body: { text: 'y'.repeat(5000) } };
  return { body: { text: `${data.command}: ${data.args}` } };
}

function commandAnswer(result: SendResult): { text: string; error: string | null } {
  if (result.kind !== 'command') throw new Error('expected a command answer');
  return { text: result.text, error: result.error };
}

describe.each(TRANSPORTS)('bots over %s', (transport) => {
  let srv: TestServer;
  const receiver = new SiteReceiver(SECRET, answerFor);
  const pool = new ClientPool();
  const tag = transport === 'ws' ? 'w' : 's';
  let annToken = '';
  let hooked: BotWithKey;
  let live: BotWithKey;
  let rooms = 0;

  beforeAll(async () => {
    await receiver.start();
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    await patchApp(srv, NO_FLOOD);
    annToken = await register(srv, `botann${tag}`);
    hooked = await api<BotWithKey>(srv, 'POST', '/api/v1/apps/1/bots', {
      username: `weather${tag}`,
      displayName: 'Weather',
      endpoint: { url: receiver.url, secret: SECRET },
      commands: [{ name: `weather${tag}`, description: 'The weather in a city', usage: '/weather city' }],
    });
    live = await api<BotWithKey>(srv, 'POST', '/api/v1/apps/1/bots', {
      username: `live${tag}`,
      commands: [{ name: `live${tag}`, description: 'Answered by the connected bot' }],
    });
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    receiver.release({ body: {} });
    pool.closeAll();
    await srv?.close();
    await receiver.close();
  });

  async function connect(credentials: { token: string } | { apiKey: string }): Promise<ParleyClient> {
    const client = pool.client(srv, transport, credentials);
    await client.connect();
    return client;
  }

  async function room(): Promise<{ name: string; ann: ParleyClient }> {
    const name = `bots-${tag}-${++rooms}`;
    const ann = await connect({ token: annToken });
    await ann.createRoom(name);
    await ann.join(name);
    return { name, ann };
  }

  it('a bot signs in with its key, is a bot, and its messages carry bot: true', async () => {
    expect(hooked.apiKey).toMatch(/^pb_/);
    expect(hooked.bot.endpoint).toEqual({ url: receiver.url, secret: '[set]' });
    const { name, ann } = await room();
    const bot = await connect({ apiKey: live.apiKey });
    expect(bot.user).toMatchObject({ username: `live${tag}`, kind: 'bot' });
    await bot.join(name);
    const seen = events(ann, 'message');
    await bot.send(name, 'beep');
    const message = (await seen.next()).message;
    expect(message.author).toMatchObject({ username: `live${tag}`, bot: true });
    expect((await ann.history(name)).messages[0]?.author?.bot).toBe(true);
  });

  it('a wrong key, or a user token given as a key, is refused', async () => {
    for (const apiKey of ['pb_wrong', annToken]) {
      const client = pool.client(srv, transport, { apiKey }, { reconnect: false });
      await expect(client.connect()).rejects.toMatchObject({ code: 'unauthorized' });
    }
  });

  it("a command goes to the bot's endpoint, signed, and its answer is posted as the bot; the command is not", async () => {
    const { name, ann } = await room();
    const seen = events(ann, 'message');
    const before = receiver.calls.length;
    const result = await ann.send(name, `/weather${tag} Paris`);
    expect(commandAnswer(result)).toEqual({ text: '', error: null });
    const answer = (await seen.next()).message;
    expect(answer.text).toBe(`weather${tag}: Paris`);
    expect(answer.author).toMatchObject({ username: `weather${tag}`, displayName: 'Weather', bot: true });
    const call = receiver.calls[before];
    expect(call?.verified).toBe(true);
    expect(call?.body).toMatchObject({
      type: 'command',
      appId: 1,
      data: { command: `weather${tag}`, args: 'Paris', room: { name }, user: { username: `botann${tag}` } },
    });
    expect((await ann.history(name)).messages.map((m) => m.text)).toEqual([`weather${tag}: Paris`]);
  });

  it('a 10 MB answer, a 500, a too-long text and a hanging endpoint give the sender a notice, and nothing is posted', async () => {
    const { name, ann } = await room();
    const notices = events(ann, 'system');
    const cases: [string, RegExp][] = [
      ['huge', /64 KiB/],
      ['fail', /HTTP 500/],
      ['long', /could not post its answer \(too_long\)/],
      ['hang', /did not answer in time/],
    ];
    for (const [args, notice] of cases) {
      const answer = commandAnswer(await ann.send(name, `/weather${tag} ${args}`));
      expect(answer.error).toBe('unavailable');
      expect(answer.text).toMatch(notice);
      expect((await notices.next()).text).toMatch(notice);
    }
    expect((await ann.history(name)).messages).toEqual([]);
  });

  it('without an endpoint the connected bot is told with a command event and answers by sending', async () => {
    const { name, ann } = await room();
    const bot = await connect({ apiKey: live.apiKey });
    const stop = bot.onCommand((command) => {
      void command.reply(`you said ${command.args} (${command.user.username})`);
    });
    const told = events(bot, 'command');
    const seen = events(ann, 'message');
    expect(commandAnswer(await ann.send(name, `/live${tag} hello`))).toEqual({ text: '', error: null });
    expect(await told.next()).toMatchObject({
      room: { name },
      command: `live${tag}`,
      args: 'hello',
      user: { username: `botann${tag}` },
    });
    const answer = (await seen.next((e) => e.message.author?.bot === true)).message;
    expect(answer.text).toBe(`you said hello (botann${tag})`);
    stop();
  });

  it('a bot without an endpoint that is offline: the sender hears so', async () => {
    const { name, ann } = await room();
    const answer = commandAnswer(await ann.send(name, `/live${tag} anyone?`));
    expect(answer).toMatchObject({ error: 'unavailable' });
    expect(answer.text).toMatch(/is offline/);
  });

  it('built-ins win, and an unknown command answers as before', async () => {
    const { name, ann } = await room();
    expect(commandAnswer(await ann.send(name, '/help')).error).toBeNull();
    const unknown = commandAnswer(await ann.send(name, '/nosuchcommand x'));
    expect(unknown.error).toBe('bad_request');
    expect(unknown.text).toMatch(/Unknown command/);
  });
});

describe('bots over REST and the admin API', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer();
    await patchApp(srv, NO_FLOOD);
  });
  afterAll(async () => srv?.close());

  async function post(key: string, room: string, text: string): Promise<Response> {
    return fetch(`${srv.url}/api/v1/apps/1/bot/rooms/${room}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ text }),
    });
  }

  it('a bot posts with its key as a Bearer token; a wrong or rotated key is refused; a deleted bot is gone', async () => {
    const created = await api<BotWithKey>(srv, 'POST', '/api/v1/apps/1/bots', { username: 'poster' });
    const res = await post(created.apiKey, 'lobby', 'from REST');
    expect(res.status).toBe(201);
    const body = (await res.json()) as { message: { author: unknown; text: string } };
    expect(body.message).toMatchObject({ text: 'from REST', author: { username: 'poster', bot: true } });
    expect((await post('pb_nope', 'lobby', 'x')).status).toBe(401);
    expect((await post(srv.adminKey, 'lobby', 'x')).status).toBe(401);
    const rotated = await api<BotWithKey>(srv, 'POST', '/api/v1/apps/1/bots/poster/key');
    expect(rotated.apiKey).not.toBe(created.apiKey);
    expect((await post(created.apiKey, 'lobby', 'old key')).status).toBe(401);
    expect((await post(rotated.apiKey, 'lobby', 'new key')).status).toBe(201);
    await api(srv, 'DELETE', '/api/v1/apps/1/bots/poster');
    expect((await post(rotated.apiKey, 'lobby', 'deleted')).status).toBe(401);
    const again = await api<BotWithKey>(srv, 'POST', '/api/v1/apps/1/bots', { username: 'poster' });
    expect((await post(again.apiKey, 'lobby', 'back')).status).toBe(201);
  });

  it('validates what it is given, keeps command names unique, and records every change without secrets', async () => {
    const base = { username: 'valid' };
    const bad = [
      { ...base, commands: [{ name: 'Bad Name', description: '' }] },
      { ...base, commands: [{ name: 'help', description: 'mine' }] },
      {
        ...base,
        commands: [
          { name: 'x', description: '' },
          { name: 'x', description: '' },
        ],
      },
      { ...base, endpoint: { url: 'http://example.com/bot', secret: 's' } },
      { ...base, endpoint: { url: 'https://example.com/bot' } },
      { ...base, extra: true },
      { username: 'has space' },
    ];
    for (const body of bad) {
      await expect(api(srv, 'POST', '/api/v1/apps/1/bots', body)).rejects.toThrow(/400/);
    }
    await register(srv, 'ahuman');
    await expect(api(srv, 'POST', '/api/v1/apps/1/bots', { username: 'ahuman' })).rejects.toThrow(/409/);
    await api(srv, 'POST', '/api/v1/apps/1/bots', {
      username: 'one',
      endpoint: { url: 'https://bots.example/one', secret: 'top-secret-1' },
      commands: [{ name: 'dice', description: 'Rolls a die' }],
    });
    await expect(
      api(srv, 'POST', '/api/v1/apps/1/bots', {
        username: 'two',
        commands: [{ name: 'dice', description: 'Mine too' }],
      }),
    ).rejects.toThrow(/409/);
    const patched = await api<{ endpoint: unknown; commands: unknown[]; displayName: string }>(
      srv,
      'PATCH',
      '/api/v1/apps/1/bots/one',
      { displayName: 'One', endpoint: { url: 'https://bots.example/uno' }, commands: [] },
    );
    expect(patched).toMatchObject({
      displayName: 'One',
      endpoint: { url: 'https://bots.example/uno', secret: '[set]' },
      commands: [],
    });
    const { bots } = await api<{ bots: { username: string }[] }>(srv, 'GET', '/api/v1/apps/1/bots');
    expect(bots.map((b) => b.username)).toContain('one');
    await expect(api(srv, 'PATCH', '/api/v1/apps/1/bots/ahuman', { commands: [] })).rejects.toThrow(/404/);
    const audit = await api<{ entries: { action: string }[] }>(srv, 'GET', '/api/v1/apps/1/audit');
    const actions = audit.entries.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['bot.create', 'bot.update']));
    expect(JSON.stringify(audit.entries)).not.toContain('top-secret-1');
  });
});
