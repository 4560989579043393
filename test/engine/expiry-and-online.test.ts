/**
 * Two clocks the engine must read right: a connection whose token outlives the longest timer still ends when
 * the token does, and the app's online list stops counting a user's connection the moment it closes (the
 * user stays online through the grace period, with no connection).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EngineSession } from '../../src/engine/session.js';
import { createTestEngine, RecordingSink, type TestEngine } from '../helpers/engine.js';

let ctx: TestEngine | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await ctx?.close();
  ctx = undefined;
});

const DAY_MS = 24 * 3600 * 1000;

async function open(engine: TestEngine['engine'], username: string, ttlSeconds?: number) {
  await engine.createUser(1, { username });
  const { token } = await engine.issueToken(1, username, ttlSeconds);
  const principal = await engine.authenticate(1, { kind: 'token', token });
  const sink = new RecordingSink();
  const session = engine.openSession(principal, sink, { transport: 'test', dialect: 'native' });
  return { session: session as EngineSession, sink };
}

describe('engine clocks', () => {
  it('[engine.expiry.long] a token valid for 30 days ends its connection after 30 days, not never', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    ctx = await createTestEngine();
    const { session, sink } = await open(ctx.engine, 'longtoken', 30 * 24 * 3600);

    // Past the longest single timer (about 24.8 days): still connected.
    vi.advanceTimersByTime(25 * DAY_MS);
    expect(sink.terminated).toBeNull();
    expect(session.isClosed).toBe(false);

    vi.advanceTimersByTime(5 * DAY_MS + 1000);
    expect(sink.terminated?.reason).toBe('credentials_expired');
    expect(session.isClosed).toBe(true);
  });

  it('[engine.online.connections] a closed connection is not counted while its user is in the grace period', async () => {
    ctx = await createTestEngine({ config: { presenceGraceMs: 60_000 } });
    const first = await open(ctx.engine, 'twotabs');
    const second = ctx.engine.openSession(first.session.principal, new RecordingSink(), {
      transport: 'test',
      dialect: 'native',
    });
    expect(ctx.engine.online(1).find((o) => o.user.username === 'twotabs')?.connections).toBe(2);

    second.close();
    expect(ctx.engine.online(1).find((o) => o.user.username === 'twotabs')?.connections).toBe(1);

    first.session.close();
    // Online until the grace period is over (a reload does not flap), but with no connection left.
    expect(ctx.engine.online(1).find((o) => o.user.username === 'twotabs')?.connections).toBe(0);
  });
});
