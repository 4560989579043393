/**
 * Channel events: `channel-created` (ChannelModel), `channel-updated {channel}`, `channel-deleted {channelId}`,
 * for rooms created natively or by the admin API, and never for private rooms the user may not see (the
 * original server's bug was to join members to private channels they did not belong to).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../helpers/server.js';
import type { TestServer } from '../../helpers/server.js';
import { api, ClientPool, NO_FLOOD, patchApp, setRole } from '../../native/helpers.js';
import { SocketApiPool, tokenFor, unique } from './helpers.js';

interface ChannelModel {
  id: number;
  name: string;
  is_private: boolean;
  workspace_id: number;
  creator_id: number | null;
}

const enc = encodeURIComponent;

describe('socketapi: channel events', () => {
  let srv: TestServer;
  const pool = new SocketApiPool();
  const natives = new ClientPool();

  beforeAll(async () => {
    srv = await startTestServer();
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

  it('hears channel-created for a room created by a native client and by the admin API', async () => {
    const listener = await pool.user(srv, unique('listener'));
    const creatorName = unique('creator');
    const native = natives.client(srv, 'socket.io', { token: await tokenFor(srv, creatorName) });
    const auth = await native.connect();
    const nativeRoom = unique('native-room-');
    await native.createRoom(nativeRoom, { topic: 'made natively' });
    const created = await listener.wait<ChannelModel>('channel-created', (c) => c.name === nativeRoom);
    expect(created).toEqual({
      id: expect.any(Number),
      name: nativeRoom,
      is_private: false,
      workspace_id: 1,
      creator_id: auth?.user.id,
    });

    const adminRoom = unique('admin-room-');
    await api(srv, 'POST', '/api/v1/apps/1/rooms', { name: adminRoom });
    expect(await listener.wait<ChannelModel>('channel-created', (c) => c.name === adminRoom)).toEqual({
      id: expect.any(Number),
      name: adminRoom,
      is_private: false,
      workspace_id: 1,
      creator_id: null,
    });
  });

  it('does not hear of a private room it is not a member of, and does once it is added', async () => {
    const username = unique('outsider');
    const outsider = await pool.user(srv, username);
    const secret = unique('secret-');
    await api(srv, 'POST', '/api/v1/apps/1/rooms', { name: secret, visibility: 'private' });
    const marker = unique('public-after-');
    await api(srv, 'POST', '/api/v1/apps/1/rooms', { name: marker });
    const { before } = await outsider.next<ChannelModel>('channel-created', (c) => c.name === marker);
    expect(before.filter((r) => r.event.startsWith('channel-'))).toEqual([]);
    // Nor does a listing show it, nor may it be joined by id.
    outsider.emit('get-channels', { transaction: 'list-1' });
    const listing = await outsider.wait<{ channels: ChannelModel[] }>('channels-list');
    expect(listing.channels.map((c) => c.name)).not.toContain(secret);
    const rooms = await api<{ rooms: { id: number; name: string }[] }>(srv, 'GET', '/api/v1/apps/1/rooms');
    const secretId = rooms.rooms.find((r) => r.name === secret)?.id;
    expect(secretId).toBeGreaterThan(0);
    outsider.emit('join-channel', { transaction: 'peek', channelId: secretId });
    expect(await outsider.wait('socket-api-error')).toEqual({
      event: 'join-channel',
      message: 'Channel not found',
    });

    await api(srv, 'POST', `/api/v1/apps/1/rooms/${enc(secret)}/members`, { username });
    expect(await outsider.wait<ChannelModel>('channel-created', (c) => c.name === secret)).toEqual({
      id: secretId,
      name: secret,
      is_private: true,
      workspace_id: 1,
      creator_id: null,
    });
    outsider.emit('join-channel', { transaction: 'member-now', channelId: secretId });
    expect(await outsider.wait('channel-joined')).toMatchObject({
      transaction: 'member-now',
      channelId: secretId,
    });
  });

  it('a private room created by a native member is heard by its creator only (and by admins)', async () => {
    const creator = unique('pc');
    const native = natives.client(srv, 'ws', { token: await tokenFor(srv, creator) });
    await native.connect();
    const sameUser = await pool.user(srv, creator);
    const other = await pool.user(srv, unique('po'));
    const adminName = unique('adm');
    await tokenFor(srv, adminName);
    await setRole(srv, adminName, 'admin');
    const admin = await pool.user(srv, adminName);

    const room = unique('private-native-');
    await native.createRoom(room, { visibility: 'private' });
    expect(await sameUser.wait<ChannelModel>('channel-created', (c) => c.name === room)).toMatchObject({
      is_private: true,
    });
    expect(await admin.wait<ChannelModel>('channel-created', (c) => c.name === room)).toMatchObject({
      is_private: true,
    });
    const before = await other.marker();
    expect(before.filter((r) => r.event.startsWith('channel-'))).toEqual([]);
  });

  it('channel-updated {channel} and channel-deleted {channelId} for public rooms', async () => {
    const client = await pool.user(srv, unique('upd'));
    const name = unique('to-update-');
    await api(srv, 'POST', '/api/v1/apps/1/rooms', { name });
    const created = await client.wait<ChannelModel>('channel-created', (c) => c.name === name);
    const renamed = unique('renamed-');
    await api(srv, 'PATCH', `/api/v1/apps/1/rooms/${enc(name)}`, { name: renamed, topic: 'new topic' });
    expect(await client.wait('channel-updated')).toEqual({
      channel: { id: created.id, name: renamed, is_private: false, workspace_id: 1, creator_id: null },
    });
    await api(srv, 'DELETE', `/api/v1/apps/1/rooms/${enc(renamed)}`);
    expect(await client.wait('channel-deleted')).toEqual({ channelId: created.id });
  });

  it('a private room’s update and deletion are not heard by non-members; visibility changes are', async () => {
    const memberName = unique('mem');
    const member = await pool.user(srv, memberName);
    const outsider = await pool.user(srv, unique('out'));
    const name = unique('priv-upd-');
    await api(srv, 'POST', '/api/v1/apps/1/rooms', { name, visibility: 'private' });
    await api(srv, 'POST', `/api/v1/apps/1/rooms/${enc(name)}/members`, { username: memberName });
    const created = await member.wait<ChannelModel>('channel-created', (c) => c.name === name);

    // Renamed while private: only the member hears it.
    const renamed = unique('priv-renamed-');
    await api(srv, 'PATCH', `/api/v1/apps/1/rooms/${enc(name)}`, { name: renamed });
    expect(await member.wait('channel-updated')).toMatchObject({
      channel: { id: created.id, name: renamed },
    });
    expect((await outsider.marker()).filter((r) => r.event.startsWith('channel-'))).toEqual([]);

    // Made public: the outsider now sees it, as a new channel; the member as an update.
    await api(srv, 'PATCH', `/api/v1/apps/1/rooms/${enc(renamed)}`, { visibility: 'public' });
    expect(await outsider.wait<ChannelModel>('channel-created')).toEqual({
      id: created.id,
      name: renamed,
      is_private: false,
      workspace_id: 1,
      creator_id: null,
    });
    expect(await member.wait('channel-updated')).toMatchObject({ channel: { is_private: false } });

    // Private again: the outsider loses sight of it (channel-deleted), the member is told of the update.
    await api(srv, 'PATCH', `/api/v1/apps/1/rooms/${enc(renamed)}`, { visibility: 'private' });
    expect(await outsider.wait('channel-deleted')).toEqual({ channelId: created.id });
    expect(await member.wait('channel-updated')).toMatchObject({ channel: { is_private: true } });

    // Deleted while private: the member hears it, the outsider (who cannot see it) does not.
    await api(srv, 'DELETE', `/api/v1/apps/1/rooms/${enc(renamed)}`);
    expect(await member.wait('channel-deleted')).toEqual({ channelId: created.id });
    expect((await outsider.marker()).filter((r) => r.event.startsWith('channel-'))).toEqual([]);
  });

  it('get-channels lists what the user may see as ChannelModels', async () => {
    const client = await pool.user(srv, unique('lister'));
    client.emit('get-channels', { transaction: 'all' });
    const { channels, transaction } = await client.wait<{ channels: ChannelModel[]; transaction: string }>(
      'channels-list',
    );
    expect(transaction).toBe('all');
    expect(channels).toContainEqual({
      id: 1,
      name: 'lobby',
      is_private: false,
      workspace_id: 1,
      creator_id: null,
    });
    for (const channel of channels) expect(channel.is_private).toBe(false);
    client.emit('get-channels');
    expect(await client.wait('channels-list')).not.toHaveProperty('transaction');
  });
});
