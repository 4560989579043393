import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { banSchema, moderationRecordSchema, muteSchema, onlineUserSchema } from '../../src/http/schemas.js';
import { RecordingSink } from '../helpers/engine.js';
import { bodyOf, createHttpHarness, errorOf, type HttpHarness } from './harness.js';

let h: HttpHarness;
let targetId: number;
beforeEach(async () => {
  h = await createHttpHarness();
  targetId = (await h.engine.createUser(1, { username: 'troll' })).id;
  await h.engine.createUser(1, { username: 'victim' });
});
afterEach(async () => {
  await h.close();
});

const mutes = z.strictObject({ mutes: z.array(muteSchema) });
const bans = z.strictObject({ bans: z.array(banSchema) });
const records = z.strictObject({
  records: z.array(moderationRecordSchema),
  nextCursor: z.number().nullable(),
});

async function connect(username: string) {
  const { token } = await h.engine.issueToken(1, username);
  const principal = await h.engine.authenticate(1, { kind: 'token', token });
  const sink = new RecordingSink();
  const session = h.engine.openSession(principal, sink, { transport: 'test', dialect: 'native' });
  return { session, sink };
}

describe('moderation', () => {
  it('mutes in a room and app-wide, lists and lifts mutes', async () => {
    const roomMute = await h.call('POST', '/api/v1/apps/1/mutes', {
      admin: true,
      body: { username: 'troll', room: 'lobby', minutes: 10, reason: 'spam' },
    });
    expect(roomMute.statusCode).toBe(201);
    const mute = bodyOf(roomMute, muteSchema);
    expect(mute).toMatchObject({ userId: targetId, reason: 'spam', by: null });
    expect(mute.roomId).not.toBeNull();
    expect(mute.expiresAt).toBeGreaterThan(Date.now());

    await expect(h.engine.publish(1, 'lobby', { username: 'troll', text: 'hi' })).rejects.toMatchObject({
      code: 'muted',
    });
    const muted = await h.call('POST', '/api/v1/apps/1/rooms/lobby/messages', {
      admin: true,
      body: { username: 'troll', text: 'hi' },
    });
    expect(muted.statusCode).toBe(403);
    expect(errorOf(muted).code).toBe('muted');

    const appMute = await h.call('POST', '/api/v1/apps/1/mutes', {
      admin: true,
      body: { username: 'troll' },
    });
    expect(bodyOf(appMute, muteSchema)).toMatchObject({ roomId: null, expiresAt: null });

    const listed = bodyOf(await h.call('GET', '/api/v1/apps/1/mutes', { admin: true }), mutes);
    expect(listed.mutes).toHaveLength(2);

    expect(
      (await h.call('DELETE', '/api/v1/apps/1/mutes/troll?room=lobby', { admin: true })).statusCode,
    ).toBe(204);
    expect((await h.call('DELETE', '/api/v1/apps/1/mutes/troll', { admin: true })).statusCode).toBe(204);
    const again = await h.call('DELETE', '/api/v1/apps/1/mutes/troll', { admin: true });
    expect(again.statusCode).toBe(404);
    expect(bodyOf(await h.call('GET', '/api/v1/apps/1/mutes', { admin: true }), mutes).mutes).toEqual([]);

    const bad = await h.call('POST', '/api/v1/apps/1/mutes', {
      admin: true,
      body: { username: 'troll', minutes: 0 },
    });
    expect(errorOf(bad).details?.['field']).toBe('minutes');
    expect(
      (await h.call('POST', '/api/v1/apps/1/mutes', { admin: true, body: { username: 'nobody' } }))
        .statusCode,
    ).toBe(404);
    expect(
      (
        await h.call('POST', '/api/v1/apps/1/mutes', {
          admin: true,
          body: { username: 'troll', room: 'nope' },
        })
      ).statusCode,
    ).toBe(404);
  });

  it('bans (closing connections), lists and lifts bans', async () => {
    const { sink } = await connect('troll');
    const res = await h.call('POST', '/api/v1/apps/1/bans', {
      admin: true,
      body: { username: 'troll', minutes: 60, reason: 'abuse' },
    });
    expect(res.statusCode).toBe(201);
    expect(bodyOf(res, banSchema)).toMatchObject({ userId: targetId, reason: 'abuse' });
    expect(sink.terminated?.reason).toBe('banned');
    await expect(
      h.engine.authenticate(1, { kind: 'token', token: (await h.engine.issueToken(1, 'troll')).token }),
    ).rejects.toMatchObject({
      code: 'banned',
    });

    expect(
      bodyOf(await h.call('GET', '/api/v1/apps/1/bans', { admin: true }), bans).bans.map((b) => b.userId),
    ).toEqual([targetId]);
    expect((await h.call('DELETE', '/api/v1/apps/1/bans/troll', { admin: true })).statusCode).toBe(204);
    expect((await h.call('DELETE', '/api/v1/apps/1/bans/troll', { admin: true })).statusCode).toBe(404);
    expect(bodyOf(await h.call('GET', '/api/v1/apps/1/bans', { admin: true }), bans).bans).toEqual([]);
  });

  it('kicks, shows who is online, and keeps the record of every action', async () => {
    const { session } = await connect('victim');
    await session.join('lobby');
    const { sink: trollSink } = await connect('troll');

    const online = bodyOf(
      await h.call('GET', '/api/v1/apps/1/online', { admin: true }),
      z.strictObject({ online: z.array(onlineUserSchema) }),
    );
    expect(online.online.map((o) => [o.user.username, o.rooms, o.connections])).toEqual([
      ['victim', ['lobby'], 1],
      ['troll', [], 1],
    ]);
    expect((await h.call('GET', '/api/v1/apps/9/online', { admin: true })).statusCode).toBe(404);

    const kick = await h.call('POST', '/api/v1/apps/1/kicks', {
      admin: true,
      body: { username: 'troll', reason: 'cool off' },
    });
    expect(kick.statusCode).toBe(204);
    expect(trollSink.terminated?.reason).toBe('kicked');

    await h.call('POST', '/api/v1/apps/1/mutes', { admin: true, body: { username: 'troll' } });
    await h.call('DELETE', '/api/v1/apps/1/mutes/troll', { admin: true });
    await h.call('POST', '/api/v1/apps/1/bans', { admin: true, body: { username: 'troll' } });
    await h.call('PATCH', '/api/v1/apps/1/users/victim', { admin: true, body: { role: 'mod' } });

    const all = bodyOf(await h.call('GET', '/api/v1/apps/1/moderation', { admin: true }), records);
    expect(all.records.map((r) => r.kind)).toEqual(['role', 'ban', 'unmute', 'mute', 'kick']);
    expect(all.records[4]).toMatchObject({ targetId, actorId: null, detail: { reason: 'cool off' } });
    expect(all.nextCursor).toBeNull();

    const first = bodyOf(await h.call('GET', '/api/v1/apps/1/moderation?limit=2', { admin: true }), records);
    expect(first.records.map((r) => r.kind)).toEqual(['role', 'ban']);
    expect(first.nextCursor).not.toBeNull();
    const next = bodyOf(
      await h.call('GET', `/api/v1/apps/1/moderation?limit=2&before=${first.nextCursor}`, { admin: true }),
      records,
    );
    expect(next.records.map((r) => r.kind)).toEqual(['unmute', 'mute']);
    session.close();
  });
});
