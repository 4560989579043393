/**
 * Attacks on who may read and who is speaking: a non-member of a private room tries to join it, read it and
 * post to it, over both native framings; an authenticated client tries to set the author of what it sends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { api, ClientPool, emitAck, NO_FLOOD, patchApp, TRANSPORTS } from '../native/helpers.js';
import { recordOutcome } from './report.js';

const VAULT = 'vault';

let srv: TestServer;
const pool = new ClientPool();

async function token(username: string): Promise<string> {
  return (await api<{ token: string }>(srv, 'POST', '/api/v1/apps/1/tokens', { username })).token;
}

beforeAll(async () => {
  srv = await startTestServer();
  await patchApp(srv, NO_FLOOD);
  await api(srv, 'POST', '/api/v1/apps/1/rooms', { name: VAULT, visibility: 'private' });
  await api(srv, 'POST', '/api/v1/apps/1/users', { username: 'pr_in' });
  await api(srv, 'POST', `/api/v1/apps/1/rooms/${VAULT}/members`, { username: 'pr_in' });
});

afterAll(async () => {
  pool.closeAll();
  await srv?.close();
});

describe('private rooms: non-members cannot join, read or send', () => {
  it.each(TRANSPORTS)('over %s every attempt is refused and nothing leaks', async (transport) => {
    const member = pool.client(srv, transport, { token: await token('pr_in') });
    await member.connect();
    await member.join(VAULT);
    const outsider = pool.client(srv, transport, {
      token: await token(`pr_out_${transport.replace('.', '')}`),
    });
    await outsider.connect();
    const leaked: string[] = [];
    outsider.on('message', (m) => leaked.push(m.message.text));

    const attempts = [
      () => outsider.join(VAULT),
      () => outsider.history(VAULT, { limit: 50 }),
      () => outsider.send(VAULT, 'let me in'),
      () => outsider.members(VAULT),
    ];
    const refusals: string[] = [];
    for (const attempt of attempts) {
      const code = await attempt().then(
        () => 'accepted',
        (err: { code?: string }) => err.code ?? 'unknown',
      );
      refusals.push(code);
    }
    for (const code of refusals) expect(['forbidden', 'not_found', 'not_joined']).toContain(code);
    expect((await outsider.listRooms()).map((r) => r.name)).not.toContain(VAULT);

    const secret = `secret ${transport} ${Date.now()}`;
    await member.send(VAULT, secret);
    // A round trip after the member's message: the outsider's connection has nothing more on its way.
    await outsider.ping();
    const stored = await member.history(VAULT, { limit: 50 });
    expect(stored.messages.map((m) => m.text)).not.toContain('let me in');
    expect(leaked).toEqual([]);
    recordOutcome({
      id: `private-rooms-${transport}`,
      fault: `a non-member asks to join, read, send to and list members of a private room (${transport})`,
      expected: 'each refused (forbidden, not_found or not_joined); nothing delivered',
      measured: `refused: ${refusals.join(', ')}; nothing delivered`,
      numbers: { attempts: attempts.length, accepted: 0, leakedMessages: leaked.length },
    });
  });
});

describe('spoofed authors: a client cannot say who wrote what it sends', () => {
  const spoofs = [{ author: 'admin' }, { user: { username: 'admin' } }, { username: 'admin' }, { userId: 1 }];

  it('native ws: every author field is refused as bad_request, and a plain send is the signed-in user’s', async () => {
    const raw = pool.rawWs(srv, '?app=1');
    await raw.opened;
    expect(await raw.request('auth', { token: await token('sp_ws') })).toMatchObject({ ok: true });
    expect(await raw.request('join', { room: 'lobby' })).toMatchObject({ ok: true });
    for (const spoof of spoofs) {
      const reply = await raw.request('send', { room: 'lobby', text: 'from the admin', ...spoof });
      expect(reply).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    }
    // The frame itself, outside data, cannot carry one either.
    raw.sendText(
      JSON.stringify({ id: 999, op: 'send', data: { room: 'lobby', text: 'x' }, author: 'admin' }),
    );
    expect(await raw.frame((f) => f.id === 999)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    const sent = await raw.request('send', { room: 'lobby', text: 'honest' });
    expect(sent).toMatchObject({ ok: true, data: { message: { author: { username: 'sp_ws' } } } });
    recordOutcome({
      id: 'spoofed-authors-native-ws',
      fault: 'send with author, user, username or userId fields, in data and in the frame (native ws)',
      expected: 'refused as bad_request; messages carry the authenticated user',
      measured: 'all refused as bad_request; the honest send carries its sender',
      numbers: { attempts: spoofs.length + 1, accepted: 0 },
    });
  });

  it('native socket.io: the same refusals in acks', async () => {
    const socket = pool.rawIo(srv, { app: 1, token: await token('sp_sio') });
    await waitFor(() => socket.connected, { label: 'socket.io connect' });
    expect(await emitAck(socket, 'join', { room: 'lobby' })).toMatchObject({ ok: true });
    for (const spoof of spoofs) {
      const reply = await emitAck(socket, 'send', { room: 'lobby', text: 'from the admin', ...spoof });
      expect(reply).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    }
    const sent = await emitAck(socket, 'send', { room: 'lobby', text: 'honest' });
    expect(sent).toMatchObject({ ok: true, data: { message: { author: { username: 'sp_sio' } } } });
    const history = await emitAck(socket, 'history', { room: 'lobby', limit: 100 });
    const texts = (history.data as { messages: { text: string }[] }).messages.map((m) => m.text);
    expect(texts).not.toContain('from the admin');
    recordOutcome({
      id: 'spoofed-authors-native-socket.io',
      fault: 'send with author, user, username or userId fields (native socket.io)',
      expected: 'refused as bad_request; nothing stored under another name',
      measured: 'all refused as bad_request; nothing stored',
      numbers: { attempts: spoofs.length, accepted: 0 },
    });
  });
});
