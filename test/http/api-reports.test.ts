import { waitFor } from '../helpers/wait.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queueEntrySchema, queuePageSchema } from '../../src/http/reportSchemas.js';
import { banSchema, historyPageSchema } from '../../src/http/schemas.js';
import { RecordingSink } from '../helpers/engine.js';
import { bodyOf, createHttpHarness, errorOf, type HttpHarness } from './harness.js';

let h: HttpHarness;
beforeEach(async () => {
  h = await createHttpHarness();
  await h.engine.updateApp(1, { settings: { reports: { hideAfter: 2, establishedAfterHours: 0 } } });
  for (const username of ['troll', 'ann', 'ben']) await h.engine.createUser(1, { username });
});
afterEach(async () => {
  await h.close();
});

async function connect(username: string) {
  const { token } = await h.engine.issueToken(1, username);
  const principal = await h.engine.authenticate(1, { kind: 'token', token });
  const sink = new RecordingSink();
  const session = h.engine.openSession(principal, sink, { transport: 'test', dialect: 'native' });
  await session.join('lobby');
  return { session, sink };
}

async function publish(username: string, text: string): Promise<number> {
  const result = await h.engine.publish(1, 'lobby', { username, text });
  if (result.kind !== 'message') throw new Error('expected a message');
  return result.message.id;
}

describe('the moderation queue over REST', () => {
  it('[api.reports.queue] lists reported messages with context, reporters and the author; resolves in one step', async () => {
    const ann = await connect('ann');
    const ben = await connect('ben');
    await publish('ann', 'before');
    const bad = await publish('troll', 'spam here');
    const other = await publish('troll', 'more spam');
    await ann.session.reports.report('lobby', bad, { reason: 'spam', text: 'ads' });
    await ben.session.reports.report('lobby', bad, { reason: 'abuse' });
    await ann.session.reports.report('lobby', other, { reason: 'other' });

    const page = bodyOf(
      await h.call('GET', '/api/v1/apps/1/reports?limit=1', { admin: true }),
      queuePageSchema,
    );
    expect(page.entries.map((e) => e.message.id)).toEqual([other]);
    expect(page.nextCursor).toBe(other);
    const next = bodyOf(
      await h.call('GET', `/api/v1/apps/1/reports?status=open&before=${other}&limit=5`, { admin: true }),
      queuePageSchema,
    );
    const entry = next.entries[0];
    expect(entry).toMatchObject({
      reporters: 2,
      reason: 'spam',
      message: { id: bad, visibility: 'hidden' },
      author: { user: { username: 'troll' }, muted: false, banned: false, shadowMuted: false },
    });
    expect(entry?.context.map((m) => m.text)).toEqual(['before', 'more spam']);
    expect(entry?.reports.map((r) => [r.reporter?.username, r.reason, r.text])).toEqual([
      ['ann', 'spam', 'ads'],
      ['ben', 'abuse', ''],
    ]);
    expect(next.nextCursor).toBeNull();

    // The operator's history shows the hidden message, marked.
    const history = bodyOf(
      await h.call('GET', '/api/v1/apps/1/rooms/lobby/messages', { admin: true }),
      historyPageSchema,
    );
    expect(history.messages.find((m) => m.id === bad)?.visibility).toBe('hidden');

    const banned = await h.call('POST', `/api/v1/apps/1/reports/${bad}/resolve`, {
      admin: true,
      body: { action: 'ban', minutes: 60, reason: 'spammer' },
    });
    expect(banned.statusCode).toBe(200);
    expect(bodyOf(banned, queueEntrySchema)).toMatchObject({
      status: 'resolved',
      resolution: 'ban',
      resolvedBy: null,
      note: 'spammer',
      author: { banned: true, record: { ban: 1 } },
    });
    // An upheld report is a strike toward escalation for the author (the ladder's first step: a warning).
    await waitFor(async () => {
      const strikes = await h!.call('GET', '/api/v1/apps/1/users/troll/strikes', { admin: true });
      const body = strikes.json() as { strikes: { source: string; reason: string }[] };
      return body.strikes.some((s) => s.source === 'report' && s.reason === 'spammer');
    });
    const again = await h.call('POST', `/api/v1/apps/1/reports/${bad}/resolve`, {
      admin: true,
      body: { action: 'dismiss' },
    });
    expect(again.statusCode).toBe(404);
    expect(errorOf(again).code).toBe('not_found');
    const wrong = await h.call('POST', `/api/v1/apps/1/reports/${other}/resolve`, {
      admin: true,
      body: { action: 'explode' },
    });
    expect(wrong.statusCode).toBe(400);
    const resolved = bodyOf(
      await h.call('GET', '/api/v1/apps/1/reports?status=resolved', { admin: true }),
      queuePageSchema,
    );
    expect(resolved.entries.map((e) => e.message.id)).toEqual([bad]);
    expect((await h.call('GET', '/api/v1/apps/1/reports')).statusCode).toBe(401);
    expect((await h.call('GET', '/api/v1/apps/99/reports', { admin: true })).statusCode).toBe(404);
  });

  it('[api.reports.shadow] shadow-mutes and lifts it; the record keeps both', async () => {
    const ann = await connect('ann');
    const created = await h.call('POST', '/api/v1/apps/1/shadow-mutes', {
      admin: true,
      body: { username: 'troll', minutes: 30, reason: 'spam' },
    });
    expect(created.statusCode).toBe(201);
    expect(bodyOf(created, banSchema)).toMatchObject({ reason: 'spam', by: null });
    const hidden = await publish('troll', 'invisible');
    const shown = await publish('ann', 'visible');
    await ann.sink.next('message', (e) => e.message.id === shown);
    expect(ann.sink.of('message').map((e) => e.message.id)).toEqual([shown]);
    expect((await ann.session.history('lobby', {})).messages.map((m) => m.id)).not.toContain(hidden);
    expect((await h.call('DELETE', '/api/v1/apps/1/shadow-mutes/troll', { admin: true })).statusCode).toBe(
      204,
    );
    const twice = await h.call('DELETE', '/api/v1/apps/1/shadow-mutes/troll', { admin: true });
    expect(twice.statusCode).toBe(404);
    // A DM whose newest message is a shadow one lists no newest message for the other side.
    const dm = await ann.session.openDm('troll');
    await ann.session.join(dm.name);
    await h.engine.shadowMute(1, 'troll', {});
    const secret = await h.engine.publish(1, dm.name, { username: 'troll', text: 'psst' });
    expect(secret.kind).toBe('message');
    expect((await ann.session.listDms()).find((d) => d.room.id === dm.id)?.lastMessage).toBeNull();
    await h.engine.unshadowMute(1, 'troll');
    const records = await h.engine.listModeration(1, { limit: 10 });
    expect(records.map((r) => r.kind)).toEqual(expect.arrayContaining(['shadow_mute', 'unshadow_mute']));
  });
});
