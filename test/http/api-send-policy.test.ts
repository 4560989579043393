/**
 * The REST side of slow mode, the word and link filter and escalation: a room's slow mode set by PATCH (and told
 * to the room), the filter settings validated with their bounds, the filter tester, a user's strikes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_FILTER_RULES } from '../../src/core/contentFilter.js';
import { roomSchema } from '../../src/http/schemas.js';
import { RecordingSink } from '../helpers/engine.js';
import { bodyOf, createHttpHarness, errorOf, type HttpHarness } from './harness.js';

let h: HttpHarness;
beforeEach(async () => {
  h = await createHttpHarness();
});
afterEach(async () => {
  await h.close();
});

const patchSettings = (settings: Record<string, unknown>) =>
  h.call('PATCH', '/api/v1/apps/1', { admin: true, body: { settings } });

describe('send policy over REST', () => {
  it('PATCH a room sets its slow mode, told to the room; bounds are held', async () => {
    await h.engine.createUser(1, { username: 'ann' });
    const { token } = await h.engine.issueToken(1, 'ann');
    const sink = new RecordingSink();
    const session = h.engine.openSession(await h.engine.authenticate(1, { kind: 'token', token }), sink);
    await session.join('lobby');
    const res = await h.call('PATCH', '/api/v1/apps/1/rooms/lobby', {
      admin: true,
      body: { slowModeSeconds: 45 },
    });
    expect(res.statusCode).toBe(200);
    expect(bodyOf(res, roomSchema).slowModeSeconds).toBe(45);
    expect(sink.of('slow_mode_changed')).toEqual([
      { type: 'slow_mode_changed', room: { id: 1, name: 'lobby' }, seconds: 45, by: null },
    ]);
    const tooLong = await h.call('PATCH', '/api/v1/apps/1/rooms/lobby', {
      admin: true,
      body: { slowModeSeconds: 21_601 },
    });
    expect(tooLong.statusCode).toBe(400);
  });

  it('validates the filter and escalation settings with their bounds', async () => {
    const rule = { phrase: 'bad', action: 'reject' };
    const ok = await patchSettings({
      filter: { rules: [rule], links: 'members', linkMinAccountAgeHours: 24 },
      escalation: { ladder: [{ action: 'warn' }, { action: 'ban', minutes: 60 }], strikeTtlHours: 12 },
    });
    expect(ok.statusCode).toBe(200);
    const bad = async (settings: Record<string, unknown>) => {
      const res = await patchSettings(settings);
      expect(res.statusCode, JSON.stringify(settings)).toBe(400);
      expect(errorOf(res).code).toBe('bad_request');
    };
    const filter = (extra: Record<string, unknown>) => ({
      filter: { rules: [rule], links: 'anyone', linkMinAccountAgeHours: 0, ...extra },
    });
    await bad(filter({ rules: Array.from({ length: MAX_FILTER_RULES + 1 }, () => rule) }));
    await bad(filter({ rules: [{ phrase: 'x'.repeat(101), action: 'reject' }] }));
    await bad(filter({ rules: [{ phrase: '...', action: 'reject' }] }));
    await bad(filter({ rules: [{ phrase: 'a.*b', action: 'regex' }] }));
    await bad(filter({ links: 'everyone' }));
    await bad({ escalation: { ladder: [{ action: 'mute' }], strikeTtlHours: 1 } });
    await bad({ escalation: { ladder: [], strikeTtlHours: 0 } });
    const max = await patchSettings({
      filter: {
        rules: Array.from({ length: MAX_FILTER_RULES }, (_, i) => ({ phrase: `w${i}`, action: 'mask' })),
        links: 'anyone',
        linkMinAccountAgeHours: 0,
      },
    });
    expect(max.statusCode).toBe(200);
  });

  it('the tester answers the verdict; strikes are listed per user', async () => {
    await patchSettings({
      filter: {
        rules: [
          { phrase: 'darn', action: 'mask' },
          { phrase: 'spam', action: 'hold' },
        ],
        links: 'members',
        linkMinAccountAgeHours: 0,
      },
    });
    const test = (body: Record<string, unknown>) =>
      h.call('POST', '/api/v1/apps/1/filter/test', { admin: true, body });
    const masked = await test({ text: 'oh d4rn' });
    expect(masked.statusCode).toBe(200);
    expect(masked.json()).toMatchObject({
      action: 'mask',
      hold: false,
      text: 'oh ****',
      matches: [{ rule: 0, phrase: 'darn', action: 'mask', start: 3, end: 7 }],
    });
    expect((await test({ text: 'S-P-A-M here' })).json()).toMatchObject({ action: 'hold', reason: 'phrase' });
    const ann = await h.engine.createUser(1, { username: 'ann' });
    expect((await test({ text: 'www.example.com', username: 'ann' })).json()).toMatchObject({
      action: 'pass',
      links: 1,
    });
    expect((await test({ text: 'x', username: 'nobody' })).statusCode).toBe(404);
    expect((await h.call('POST', '/api/v1/apps/1/filter/test', { body: { text: 'x' } })).statusCode).toBe(
      401,
    );

    // The hook the reports part calls for an upheld report: the first strike is the ladder's warning.
    expect(await h.engine.strikes.add(1, ann.id, 'report', 'upheld report')).toEqual({
      count: 1,
      step: { action: 'warn' },
    });
    const listed = await h.call('GET', '/api/v1/apps/1/users/ann/strikes', { admin: true });
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toMatchObject({
      strikes: [{ userId: ann.id, source: 'report', reason: 'upheld report', active: true }],
    });
    expect((await h.call('GET', '/api/v1/apps/1/users/nobody/strikes', { admin: true })).statusCode).toBe(
      404,
    );
    const records = await h.engine.listModeration(1, { limit: 5 });
    expect(records[0]).toMatchObject({ kind: 'warn', targetId: ann.id, actorId: null });
  });
});
