/**
 * A socketapi user and a native ParleyClient in the same app and room: messages both ways, app-wide presence,
 * moderation issued natively (mute, kick) and by the admin API (ban) enforced on the socketapi side, and the
 * Parley extensions (join-channel, send-message, leave-channel) with their errors.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../helpers/server.js';
import type { TestServer } from '../../helpers/server.js';
import { api, ClientPool, events, NO_FLOOD, patchApp, setRole } from '../../native/helpers.js';
import { SocketApiPool, tokenFor, unique } from './helpers.js';

interface MessageModel {
  id: number;
  channel_id: number;
  user_id: number | null;
  username: string | null;
  kind: string;
  text: string;
  html: string;
  created_at: string;
  edited_at: string | null;
}

interface ErrorData {
  event: string;
  message: string;
}

const LOBBY_ID = 1;

describe('socketapi ↔ native in the same room', () => {
  let srv: TestServer;
  const pool = new SocketApiPool();
  const natives = new ClientPool();

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    await patchApp(srv, NO_FLOOD);
  });
  afterEach(() => {
    pool.closeAll();
    natives.closeAll();
  });
  afterAll(async () => {
    pool.closeAll();
    natives.closeAll();
    await srv?.close();
  });

  async function nativeUser(username: string, role?: string) {
    const token = await tokenFor(srv, username);
    if (role) await setRole(srv, username, role);
    const client = natives.client(srv, 'ws', { token });
    const auth = await client.connect();
    return { client, id: auth?.user.id ?? 0 };
  }

  it('messages both ways in the lobby', async () => {
    const sa = await pool.user(srv, unique('sa'));
    const nativeName = unique('nat');
    const native = await nativeUser(nativeName);
    await native.client.join('lobby');
    const nativeMessages = events(native.client, 'message');

    sa.emit('join-channel', { transaction: 'j', channelId: LOBBY_ID });
    const joined = await sa.wait<{
      transaction: string;
      channelId: number;
      messages: unknown[];
      missed: number;
    }>('channel-joined');
    expect(joined).toMatchObject({ transaction: 'j', channelId: LOBBY_ID, missed: 0 });
    expect(Array.isArray(joined.messages)).toBe(true);

    await native.client.send('lobby', 'hello from **native**');
    const { message: heard } = await sa.wait<{ message: MessageModel }>('message-created');
    expect(heard).toEqual({
      id: expect.any(Number),
      channel_id: LOBBY_ID,
      user_id: native.id,
      username: nativeName,
      kind: 'text',
      text: 'hello from **native**',
      html: expect.stringContaining('<strong>native</strong>'),
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      edited_at: null,
    });

    sa.emit('send-message', { transaction: 's1', channelId: LOBBY_ID, text: 'hello from socketapi' });
    const { data: sent, before } = await sa.next<{ transaction: string; message: MessageModel }>(
      'message-sent',
    );
    expect(sent).toMatchObject({
      transaction: 's1',
      message: { text: 'hello from socketapi', user_id: sa.userId, channel_id: LOBBY_ID },
    });
    const got = await nativeMessages.next((e) => e.message.text === 'hello from socketapi');
    expect(got.message.author?.id).toBe(sa.userId);
    expect(got.room.name).toBe('lobby');
    // The sender hears its own message as everyone in the channel does (the push precedes the reply).
    expect(before).toEqual([{ event: 'message-created', data: { message: sent.message } }]);

    // Edits and deletions made natively.
    const edited = await native.client.edit('lobby', heard.id, 'edited natively');
    expect(await sa.wait('message-updated')).toMatchObject({
      message: { id: heard.id, text: 'edited natively', edited_at: expect.any(String) },
    });
    expect(edited.id).toBe(heard.id);
    await native.client.delete('lobby', heard.id);
    expect(await sa.wait('message-deleted')).toEqual({ channelId: LOBBY_ID, messageId: heard.id });

    // A later joiner gets the history, without the deleted message.
    const late = await pool.user(srv, unique('late'));
    late.emit('join-channel', { channelId: LOBBY_ID });
    const history = await late.wait<{ messages: MessageModel[] }>('channel-joined');
    const texts = history.messages.map((m) => m.text);
    expect(texts).toContain('hello from socketapi');
    expect(texts).not.toContain('edited natively');
  });

  it('leave-channel stops the channel’s messages; errors for channels not joined or unknown', async () => {
    const sa = await pool.user(srv, unique('leaver'));
    const native = await nativeUser(unique('talker'));
    await native.client.join('lobby');
    sa.emit('join-channel', { channelId: LOBBY_ID });
    await sa.wait('channel-joined');
    sa.emit('leave-channel', { transaction: 'bye', channelId: LOBBY_ID });
    expect(await sa.wait('channel-left')).toEqual({ transaction: 'bye', channelId: LOBBY_ID });
    await native.client.send('lobby', 'after the leave');
    expect((await sa.marker()).map((r) => r.event)).not.toContain('message-created');

    sa.emit('send-message', { transaction: 'nj', channelId: LOBBY_ID, text: 'x' });
    expect(await sa.wait<ErrorData>('socket-api-error')).toEqual({
      event: 'send-message',
      message: 'Join lobby first',
    });
    expect(await sa.wait('socket-api-error-nj')).toBe('Join lobby first');
    sa.emit('leave-channel', { channelId: LOBBY_ID });
    expect(await sa.wait<ErrorData>('socket-api-error')).toMatchObject({ event: 'leave-channel' });
    sa.emit('join-channel', { transaction: 'nf', channelId: 987654 });
    expect(await sa.wait<ErrorData>('socket-api-error')).toEqual({
      event: 'join-channel',
      message: 'Channel not found',
    });
    for (const channelId of ['1', 0, -1, 1.5, null]) {
      sa.emit('join-channel', { channelId });
      expect((await sa.wait<ErrorData>('socket-api-error')).message).toMatch(/^channelId: /);
    }
    sa.emit('send-message', { channelId: LOBBY_ID, text: '' });
    expect((await sa.wait<ErrorData>('socket-api-error')).message).toMatch(/^text: /);
  });

  it('slash commands: /me is a message, others answer in message-sent or socket-api-error', async () => {
    const sa = await pool.user(srv, unique('cmd'));
    sa.emit('join-channel', { channelId: LOBBY_ID });
    await sa.wait('channel-joined');
    sa.emit('send-message', { transaction: 'me', channelId: LOBBY_ID, text: '/me waves' });
    expect(await sa.wait('message-sent')).toMatchObject({ message: { kind: 'me', text: 'waves' } });
    sa.emit('send-message', { transaction: 'help', channelId: LOBBY_ID, text: '/help' });
    expect(await sa.wait('message-sent')).toEqual({
      transaction: 'help',
      message: null,
      notice: expect.stringContaining('/me action'),
    });
    sa.emit('send-message', { transaction: 'nope', channelId: LOBBY_ID, text: '/kick somebody' });
    expect(await sa.wait<ErrorData>('socket-api-error')).toMatchObject({ event: 'send-message' });
    expect(typeof (await sa.wait('socket-api-error-nope'))).toBe('string');
  });

  it('presence: online-status-updated for native users, user_online for socketapi users', async () => {
    const sa = await pool.user(srv, unique('watcher'));
    const watchName = unique('comer');
    const native = await nativeUser(watchName);
    expect(await sa.wait('online-status-updated', (d) => d.userId === native.id)).toEqual({
      userId: native.id,
      onlineStatus: 'online',
    });
    sa.emit('get-online-users', { transaction: 'who' });
    const who = await sa.wait<{ transaction: string; users: { id: number; username: string }[] }>(
      'online-users',
    );
    expect(who.users).toContainEqual({ id: native.id, username: watchName });
    expect(who.users).toContainEqual({ id: sa.userId, username: expect.any(String) });

    await native.client.watchOnline();
    const nativeOnline = events(native.client, 'user_online');
    const other = await pool.user(srv, unique('sa-comer'));
    expect((await nativeOnline.next((e) => e.user.id === other.userId)).user.id).toBe(other.userId);
    const nativeOffline = events(native.client, 'user_offline');
    other.close();
    await nativeOffline.next((e) => e.user.id === other.userId);

    native.client.close();
    expect(await sa.wait('online-status-updated', (d) => d.userId === native.id)).toEqual({
      userId: native.id,
      onlineStatus: 'offline',
    });
  });

  it('a mute issued natively is enforced on socketapi sends; the unmute lifts it', async () => {
    const mutedName = unique('mutee');
    const sa = await pool.user(srv, mutedName);
    const mod = await nativeUser(unique('mod'), 'mod');
    sa.emit('join-channel', { channelId: LOBBY_ID });
    await sa.wait('channel-joined');

    await mod.client.mute(mutedName, { minutes: 10, reason: 'cool down' });
    sa.emit('send-message', { transaction: 'muted-1', channelId: LOBBY_ID, text: 'can I speak?' });
    const error = await sa.wait<ErrorData>('socket-api-error');
    expect(error.event).toBe('send-message');
    expect(error.message).toMatch(/^You are muted/);
    expect(await sa.wait('socket-api-error-muted-1')).toBe(error.message);

    await mod.client.unmute(mutedName);
    sa.emit('send-message', { transaction: 'free', channelId: LOBBY_ID, text: 'I can speak' });
    expect(await sa.wait('message-sent')).toMatchObject({
      transaction: 'free',
      message: { text: 'I can speak' },
    });

    // A room-scoped mute in the lobby only
    await mod.client.mute(mutedName, { room: 'lobby', minutes: 5 });
    sa.emit('send-message', { channelId: LOBBY_ID, text: 'again?' });
    expect((await sa.wait<ErrorData>('socket-api-error')).message).toMatch(/^You are muted/);
  });

  it('kicked natively or banned by the admin: kicked-from-workspace {workspaceId}, then disconnect', async () => {
    const kickedName = unique('kicked');
    const kicked = await pool.user(srv, kickedName);
    const bystander = await pool.user(srv, unique('bystander'));
    const mod = await nativeUser(unique('kmod'), 'mod');
    await mod.client.kick(kickedName, { reason: 'out' });
    const { data, before } = await kicked.next('kicked-from-workspace');
    expect(data).toEqual({ workspaceId: 1 });
    expect(before.map((r) => r.event)).not.toContain('socket-api-error');
    expect(await kicked.disconnected).toBe('io server disconnect');
    // Others are not told anything in this dialect, and go on.
    expect((await bystander.marker()).map((r) => r.event)).not.toContain('kicked-from-workspace');

    // Kicked users may come back at once.
    const back = await pool.user(srv, kickedName);
    await api(srv, 'POST', '/api/v1/apps/1/bans', { username: kickedName, minutes: 5 });
    expect(await back.wait('kicked-from-workspace')).toEqual({ workspaceId: 1 });
    expect(await back.disconnected).toBe('io server disconnect');
    const again = await pool.open(srv, { app: '1' }).connect();
    again.emit('auth', { transaction: 'ban', data: await tokenFor(srv, kickedName) });
    expect((await again.wait<ErrorData>('socket-api-error')).message).toMatch(/banned/);
  });

  it('flood limits and the app’s message length apply as they do natively', async () => {
    const app = await api<{ id: number }>(srv, 'POST', '/api/v1/apps', {
      name: 'flood-test',
      settings: { flood: { burst: 3, perSecond: 0.01 }, maxMessageLength: 20 },
    });
    const room = await api<{ id: number }>(srv, 'POST', `/api/v1/apps/${app.id}/rooms`, { name: 'general' });
    const sa = await pool.user(srv, unique('flood'), app.id);
    sa.emit('get-channels');
    const { channels } = await sa.wait<{ channels: { id: number; name: string }[] }>('channels-list');
    expect(channels).toEqual([
      { id: room.id, name: 'general', is_private: false, workspace_id: app.id, creator_id: null },
    ]);
    const channelId = room.id;
    sa.emit('join-channel', { channelId });
    await sa.wait('channel-joined');
    sa.emit('send-message', { channelId, text: 'x'.repeat(21) });
    expect(await sa.wait<ErrorData>('socket-api-error')).toEqual({
      event: 'send-message',
      message: 'text is longer than 20 characters',
    });
    for (let i = 0; i < 3; i++) sa.emit('send-message', { channelId, text: `m${i}` });
    sa.emit('send-message', { transaction: 'flood', channelId, text: 'one too many' });
    expect(await sa.wait<ErrorData>('socket-api-error')).toEqual({
      event: 'send-message',
      message: 'Too many requests, slow down',
    });
    expect(sa.all('message-sent').length).toBeLessThanOrEqual(3);
  });
});
