/**
 * The guest reaper on a real engine and store: a big purge goes in batches, new guests of an app are admitted
 * one at a time so that `maxGuests` holds under concurrency, and a guest signing in is marked seen.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isParleyError } from '../../src/core/errors.js';
import { GUEST_COUNT_TTL_MS, SEEN_REFRESH_MS } from '../../src/engine/guestMarks.js';
import { GUEST_BATCH, GUEST_EVICTION_GRACE_MS } from '../../src/engine/guestReaper.js';
import { createTestEngine, ManualClock, RecordingSink, type TestEngine } from '../helpers/engine.js';

const HOUR = 3_600_000;
let ctx: TestEngine | null = null;

afterEach(async () => {
  await ctx?.close();
  ctx = null;
});

async function engineWithClock(): Promise<{ ctx: TestEngine; clock: ManualClock }> {
  const clock = new ManualClock();
  ctx = await createTestEngine({ clock });
  return { ctx, clock };
}

describe('guest reaper', () => {
  it('removes a big backlog of unused guests in batches, keeping the connected ones', async () => {
    const { ctx, clock } = await engineWithClock();
    const total = 2 * GUEST_BATCH + 7;
    for (let i = 0; i < total; i++) {
      await ctx.store.directory.createUser(
        1,
        { username: `g${i}`, role: 'guest', kind: 'guest', passwordHash: null },
        clock.now(),
      );
    }
    const online = await ctx.engine.authenticate(1, { kind: 'guest', nickname: 'g0' });
    ctx.engine.openSession(online, new RecordingSink());
    clock.advance(25 * HOUR);
    const removals = vi.spyOn(ctx.store.guests, 'remove');
    expect(await ctx.engine.guests.sweep()).toBe(total - 1);
    expect(removals.mock.calls.length).toBeGreaterThanOrEqual(3);
    for (const [, ids] of removals.mock.calls) expect(ids.length).toBeLessThanOrEqual(GUEST_BATCH);
    expect(await ctx.store.guests.count(1)).toBe(1);
    // The connected guest was marked seen by the sweep, so the next one keeps it too.
    clock.advance(25 * HOUR);
    expect(await ctx.engine.guests.sweep()).toBe(0);
  });

  it('admits new guests of an app one at a time: concurrent sign-ins never pass maxGuests', async () => {
    const { ctx, clock } = await engineWithClock();
    await ctx.engine.updateApp(1, { settings: { maxGuests: 5 } });
    const attempts = Array.from({ length: 20 }, (_, i) =>
      ctx.engine.authenticate(1, { kind: 'guest', nickname: `rush${i}` }).then(
        () => 'admitted',
        (err: unknown) => (isParleyError(err) ? err.code : 'other'),
      ),
    );
    const outcomes = await Promise.all(attempts);
    // All were seen just now (within the eviction grace): none could make room for another.
    expect(outcomes.filter((o) => o === 'admitted')).toHaveLength(5);
    expect(outcomes.filter((o) => o === 'guest_limit')).toHaveLength(15);
    expect(await ctx.store.guests.count(1)).toBe(5);
    // Past the grace, a new guest replaces the least recently seen unused one.
    clock.advance(GUEST_EVICTION_GRACE_MS + 1);
    await ctx.engine.authenticate(1, { kind: 'guest', nickname: 'late' });
    expect(await ctx.store.guests.count(1)).toBe(5);
    // A returning guest is never refused: it has its row.
    const names = (await ctx.store.directory.listUsers(1, { limit: 10 })).map((u) => u.username);
    expect(names).toContain('late');
    const back = names.find((n) => n !== 'late') as string;
    await expect(ctx.engine.authenticate(1, { kind: 'guest', nickname: back })).resolves.toBeTruthy();
  });

  it('removes no guest for a sign-in that guests_disabled refuses anyway', async () => {
    const { ctx, clock } = await engineWithClock();
    await ctx.engine.authenticate(1, { kind: 'guest', nickname: 'kept' });
    await ctx.engine.updateApp(1, { settings: { maxGuests: 1, allowGuests: false } });
    clock.advance(GUEST_EVICTION_GRACE_MS + 1);
    await expect(ctx.engine.authenticate(1, { kind: 'guest', nickname: 'other' })).rejects.toMatchObject({
      code: 'guests_disabled',
    });
    expect(await ctx.store.guests.count(1)).toBe(1);
  });

  it('never lets the retention fall below the guest token lifetime', async () => {
    const { ctx } = await engineWithClock();
    const app = await ctx.engine.updateApp(1, { settings: { guestRetentionHours: 1 } });
    expect(ctx.engine.guests.retentionMs(app)).toBe(ctx.engine.config.guestTokenTtlSeconds * 1000);
    const longer = await ctx.engine.updateApp(1, { settings: { guestRetentionHours: 48 } });
    expect(ctx.engine.guests.retentionMs(longer)).toBe(48 * HOUR);
  });

  it('writes a guest seen at most once per refresh window, and never for the sign-in that created it', async () => {
    const { ctx, clock } = await engineWithClock();
    const marks = vi.spyOn(ctx.store.guests, 'markSeen');
    const first = await ctx.engine.authenticate(1, { kind: 'guest', nickname: 'often' });
    expect(marks).not.toHaveBeenCalled();
    clock.advance(SEEN_REFRESH_MS - 1);
    await ctx.engine.authenticate(1, { kind: 'guest', nickname: 'often' });
    expect(marks).not.toHaveBeenCalled();
    clock.advance(1);
    await ctx.engine.authenticate(1, { kind: 'guest', nickname: 'often' });
    expect(marks).toHaveBeenCalledTimes(1);
    expect(marks.mock.calls[0]?.[1]).toEqual([first.user.id]);
    await ctx.engine.authenticate(1, { kind: 'guest', nickname: 'often' });
    expect(marks).toHaveBeenCalledTimes(1);
    // Skipping the write never lets the stored mark age past the eviction grace: a full app cannot evict it.
    await ctx.engine.updateApp(1, { settings: { maxGuests: 1 } });
    clock.advance(GUEST_EVICTION_GRACE_MS - SEEN_REFRESH_MS);
    await expect(ctx.engine.authenticate(1, { kind: 'guest', nickname: 'newcomer' })).rejects.toMatchObject({
      code: 'guest_limit',
    });
  });

  it('counts an app’s guests in the store once per second, not once per new guest, and sees other nodes’ guests', async () => {
    const { ctx, clock } = await engineWithClock();
    await ctx.engine.updateApp(1, { settings: { maxGuests: 5 } });
    const counts = vi.spyOn(ctx.store.guests, 'count');
    for (let i = 0; i < 3; i++) await ctx.engine.authenticate(1, { kind: 'guest', nickname: `n${i}` });
    expect(counts).toHaveBeenCalledTimes(1);
    // Another node (the same database) makes two guests: this node learns of them at its next count.
    for (const name of ['other1', 'other2']) {
      await ctx.store.directory.createUser(
        1,
        { username: name, role: 'guest', kind: 'guest', passwordHash: null },
        clock.now(),
      );
    }
    clock.advance(GUEST_COUNT_TTL_MS);
    await expect(ctx.engine.authenticate(1, { kind: 'guest', nickname: 'sixth' })).rejects.toMatchObject({
      code: 'guest_limit',
    });
    expect(counts).toHaveBeenCalledTimes(2);
    expect(await ctx.store.guests.count(1)).toBe(5);
  });
});
