/**
 * Export and erasure of a user's data against a real server with real clients (docs/data-protection.md): the
 * export's content, erasure in both modes and what the other clients see, the erased user's token refused,
 * the username free again, the record kept (by hash) and listed, the audit trail naming no username.
 */
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/client/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { png, upload } from '../helpers/uploads.js';
import { waitFor } from '../helpers/wait.js';
import { api, ClientPool, events, NO_FLOOD, patchApp, register } from './helpers.js';

interface Exported {
  format: string;
  user: { username: string; kind: string; role: string; createdAt: number };
  tokens: { id: string }[];
  uploads: {
    id: string;
    name: string;
    size: number;
    type: string;
    messageId: number | null;
    roomId: number;
  }[];
  reactions: { messageId: number; emoji: string }[];
  reports: { messageId: number; reason: string }[];
  readMarkers: { room: string; seq: number }[];
  mutes: { roomId: number | null; reason: string }[];
  moderation: { kind: string }[];
  dms: { with: string }[];
  messages: { id: number; text: string; roomId: number; author: { username: string } }[];
}

describe('user export and erasure', () => {
  let srv: TestServer;
  const pool = new ClientPool();
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    await patchApp(srv, { ...NO_FLOOD, guestsCanWrite: true });
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  async function as(name: string): Promise<ParleyClient> {
    tokens[name] ??= await register(srv, name);
    const client = pool.client(srv, 'ws', { token: tokens[name] });
    await client.connect();
    return client;
  }

  async function sent(client: ParleyClient, room: string, text: string, replyTo?: number) {
    const result = await client.send(room, text, replyTo === undefined ? {} : { replyTo });
    if (result.kind !== 'message') throw new Error('expected a message');
    return result.message;
  }

  async function exportOf(username: string): Promise<Exported> {
    const res = await fetch(`${srv.url}/api/v1/apps/1/users/${username}/export`, {
      headers: { authorization: `Bearer ${srv.adminKey}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    return (await res.json()) as Exported;
  }

  it('exports messages in every room (DMs too), reactions, reports, read state, mutes and records', async () => {
    const [ann, ben] = [await as('ann'), await as('ben')];
    await ann.join('lobby');
    await ben.join('lobby');
    const own = await sent(ann, 'lobby', 'hello from ann');
    const file = await upload(srv, tokens['ann'] as string, 'lobby', 'plan.png', await png(40, 30));
    const fileId = file.body.attachment?.id as string;
    const withFile = await ann.send('lobby', 'see the plan', { attachments: [fileId] });
    if (withFile.kind !== 'message') throw new Error('expected a message');
    const bens = await sent(ben, 'lobby', 'hello from ben');
    await ann.react('lobby', bens.id, '👍');
    await ann.report('lobby', bens.id, 'spam', 'ads');
    await api(srv, 'POST', '/api/v1/apps/1/mutes', { username: 'ann', room: 'lobby', reason: 'calm down' });
    await api(srv, 'DELETE', '/api/v1/apps/1/mutes/ann?room=lobby').catch(() => undefined);
    const dm = await api<{ room: { name: string } }>(srv, 'POST', '/api/v1/apps/1/dms', {
      from: 'ann',
      to: 'ben',
    }).catch(() => null);

    const doc = await exportOf('ann');
    expect(doc.format).toBe('parley.user-export/1');
    expect(doc.user).toMatchObject({ username: 'ann', kind: 'account', role: 'member' });
    expect(doc.tokens.length).toBeGreaterThan(0);
    expect(JSON.stringify(doc.tokens)).not.toContain(tokens['ann']);
    expect(doc.uploads).toEqual([
      expect.objectContaining({
        id: fileId,
        name: 'plan.png',
        type: 'image/png',
        messageId: withFile.message.id,
      }),
    ]);
    expect(doc.uploads[0]?.size).toBeGreaterThan(0);
    expect(doc.messages.map((m) => m.text)).toContain('hello from ann');
    expect(doc.messages.every((m) => m.author.username === 'ann')).toBe(true);
    expect(doc.messages.find((m) => m.id === own.id)).toBeDefined();
    expect(doc.reactions).toEqual([expect.objectContaining({ messageId: bens.id, emoji: '👍' })]);
    expect(doc.reports).toEqual([expect.objectContaining({ messageId: bens.id, reason: 'spam' })]);
    // Read markers are written a moment later (coalesced): wait for the export to show them.
    await waitFor(async () => (await exportOf('ann')).readMarkers.some((r) => r.room === 'lobby'));
    expect(doc.moderation.map((r) => r.kind)).toContain('mute');
    if (dm) expect(doc.dms.map((d) => d.with)).toContain('ben');
    // Nothing of ben's beyond what ann did to it.
    expect(doc.messages.some((m) => m.text === 'hello from ben')).toBe(false);
  });

  it('an unknown user is not_found before anything is sent', async () => {
    const res = await fetch(`${srv.url}/api/v1/apps/1/users/nobody-here/export`, {
      headers: { authorization: `Bearer ${srv.adminKey}` },
    });
    expect(res.status).toBe(404);
    expect(JSON.stringify(await res.json())).toContain('not_found');
    const anonymous = await fetch(`${srv.url}/api/v1/apps/1/users/ann/export`);
    expect(anonymous.status).toBe(401);
  });

  it("erasure in 'delete' mode: the others see the messages deleted; token refused; record kept by hash", async () => {
    await patchApp(srv, { erasure: { messages: 'delete' } });
    const [cat, dan] = [await as('cat'), await as('dan')];
    await cat.join('lobby');
    await dan.join('lobby');
    const posted = [await sent(cat, 'lobby', 'cat one'), await sent(cat, 'lobby', 'cat two')];
    const danMsg = await sent(dan, 'lobby', 'dan stays', posted[0]?.id);
    const deleted = events(dan, 'message_deleted');
    const closed = new Promise<unknown>((resolve) => cat.on('disconnected', resolve));

    const record = await api<{ userId: number; usernameHash: string; counts: Record<string, number> }>(
      srv,
      'DELETE',
      '/api/v1/apps/1/users/cat',
    );
    const hash = createHash('sha256').update('1:cat').digest('hex');
    expect(record).toMatchObject({ usernameHash: hash, messages: 'delete' });
    expect(record.counts.messages).toBeGreaterThanOrEqual(2);
    expect(record.counts.tokens).toBeGreaterThan(0);
    for (const s of posted) {
      const seen = await deleted.next((e) => e.message.id === s.id);
      expect(seen.message.text).toBe('');
    }
    await closed;

    const history = await api<{
      messages: { id: number; text: string; deletedAt: number | null; author: unknown; replyTo: unknown }[];
    }>(srv, 'GET', '/api/v1/apps/1/rooms/lobby/messages?limit=100');
    const byId = new Map(history.messages.map((m) => [m.id, m]));
    expect(byId.get(posted[0]?.id as number)).toMatchObject({
      text: '',
      author: { id: 0, username: 'deleted user' },
    });
    expect(byId.get(posted[0]?.id as number)?.deletedAt).not.toBeNull();
    expect(byId.get(danMsg.id)).toMatchObject({ text: 'dan stays', replyTo: { excerpt: '' } });
    expect(JSON.stringify(history)).not.toContain('cat one');

    // The token no longer signs in, the name is free, the record is listed, the audit names no username.
    const stale = pool.client(srv, 'ws', { token: tokens['cat'] as string }, { reconnect: false });
    await expect(stale.connect()).rejects.toMatchObject({ code: 'unauthorized' });
    await api(srv, 'POST', '/api/v1/apps/1/users', { username: 'cat' });
    const listed = await api<{ erasures: { id: number; userId: number }[] }>(
      srv,
      'GET',
      '/api/v1/apps/1/erasures',
    );
    expect(listed.erasures[0]).toMatchObject({ userId: record.userId, usernameHash: hash });
    const audit = await api<{ entries: { action: string; changes: Record<string, unknown> }[] }>(
      srv,
      'GET',
      '/api/v1/apps/1/audit?limit=10',
    );
    const entry = audit.entries.find((e) => e.action === 'user.erase');
    expect(entry?.changes).toEqual({ usernameHash: hash });
  });

  it("erasure in 'anonymise' mode: text kept, author becomes 'deleted user'", async () => {
    await patchApp(srv, { erasure: { messages: 'anonymise' } });
    const eve = await as('eve');
    await eve.join('lobby');
    const kept = await sent(eve, 'lobby', 'eve was here');
    await api(srv, 'DELETE', '/api/v1/apps/1/users/eve');
    const history = await api<{
      messages: { id: number; text: string; author: unknown; deletedAt: unknown }[];
    }>(srv, 'GET', '/api/v1/apps/1/rooms/lobby/messages?limit=100');
    expect(history.messages.find((m) => m.id === kept.id)).toMatchObject({
      text: 'eve was here',
      author: { id: 0, username: 'deleted user' },
      deletedAt: null,
    });
    expect(
      await fetch(`${srv.url}/api/v1/apps/1/users/eve/export`, {
        headers: { authorization: `Bearer ${srv.adminKey}` },
      }).then((r) => r.status),
    ).toBe(404);
  });

  it('validation: an invalid username is bad_request; an unknown one not_found; bad settings refused', async () => {
    const bad = await fetch(`${srv.url}/api/v1/apps/1/users/${'x'.repeat(200)}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${srv.adminKey}` },
    });
    expect(bad.status).toBe(400);
    await expect(api(srv, 'DELETE', '/api/v1/apps/1/users/nobody-here')).rejects.toThrow(/404/);
    await expect(patchApp(srv, { erasure: { messages: 'shred' } })).rejects.toThrow(/400/);
    await expect(patchApp(srv, { retentionDays: 0 })).rejects.toThrow(/400/);
    await expect(api(srv, 'GET', '/api/v1/apps/1/erasures?limit=5000')).rejects.toThrow(/400/);
  });
});
