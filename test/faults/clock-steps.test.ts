/**
 * Clocks the server must read right, and steps of the wall clock against them. Issue 10 case 3: a connection
 * whose token outlives the longest timer still ends when the token does. Issue 10 case 6: the app's online
 * list stops counting a user's connection the moment it closes (the user stays online through the grace
 * period, with no connection). Then the wall clock steps (forward and back, as NTP or a VM resume does)
 * against token expiry, the JWT clock tolerance and the presence grace period: the engine reads time through
 * its Clock port (src/core/clock.ts), which these tests move by hand or with fake timers.
 */
import { SignJWT, type JWTPayload } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Authenticator } from '../../src/auth/authenticator.js';
import { JWT_CLOCK_TOLERANCE_SECONDS } from '../../src/auth/jwt.js';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import { ParleyError } from '../../src/core/errors.js';
import type { EngineSession } from '../../src/engine/session.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { createTestEngine, ManualClock, RecordingSink, type TestEngine } from '../helpers/engine.js';
import { recordOutcome } from './report.js';

let ctx: TestEngine | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await ctx?.close();
  ctx = undefined;
});

const DAY_MS = 24 * 3600 * 1000;
const SECRET = 'clock-steps-site-secret-0123456789abcdef';

async function open(engine: TestEngine['engine'], username: string, ttlSeconds?: number) {
  await engine.createUser(1, { username });
  const { token } = await engine.issueToken(1, username, ttlSeconds);
  const principal = await engine.authenticate(1, { kind: 'token', token });
  const sink = new RecordingSink();
  const session = engine.openSession(principal, sink, { transport: 'test', dialect: 'native' });
  return { session: session as EngineSession, sink };
}

/** The code an authentication fails with, or 'accepted'. */
async function outcome(attempt: Promise<unknown>): Promise<string> {
  return attempt.then(
    () => 'accepted',
    (err: unknown) => (err instanceof ParleyError ? err.code : 'thrown'),
  );
}

describe('issue 10 case 3: token expiry fires for long-lived tokens', () => {
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
    recordOutcome({
      id: 'issue-10-case-3',
      fault: 'a connection on a 30-day token (past the longest setTimeout, 24.8 days)',
      expected: 'ended with credentials_expired when the token expires',
      measured: 'open at day 25, ended with credentials_expired at day 30',
      numbers: { tokenDays: 30, endedAfterDays: 30 },
    });
  });
});

describe('issue 10 case 6: the online list counts only open connections', () => {
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
    recordOutcome({
      id: 'issue-10-case-6',
      fault: 'a user closes both of its connections, within the presence grace period',
      expected: 'online list counts 0 connections at once (user still listed through the grace)',
      measured: 'counted 2, then 1, then 0 at each close',
      numbers: { staleConnectionMs: 0 },
    });
  });
});

describe('clock steps', () => {
  it('an access token: a step back does not end it early; a step past its expiry refuses it', async () => {
    const clock = new ManualClock();
    const store = openSqliteStore({ path: ':memory:' });
    try {
      const auth = new Authenticator({
        directory: store.directory,
        clock,
        tokenTtlSeconds: 60,
        guestTokenTtlSeconds: 60,
      });
      const app = await store.directory.createApp('site', DEFAULT_APP_SETTINGS, clock.now());
      await store.directory.createUser(
        app.id,
        { username: 'stepper', kind: 'account', role: 'member', passwordHash: null },
        clock.now(),
      );
      const { token, expiresAt } = await auth.issueToken(app, 'stepper');
      clock.advance(-3600_000);
      const back = await auth.authenticate(app, { kind: 'token', token });
      expect(back.expiresAt).toBe(expiresAt);
      clock.advance(3600_000 + 61_000);
      expect(await outcome(auth.authenticate(app, { kind: 'token', token }))).toBe('credentials_expired');
      recordOutcome({
        id: 'clock-step-token',
        fault: 'wall clock stepped back 1 h, then forward past a 60 s token’s expiry',
        expected: 'valid (same expiry) after the step back; credentials_expired after the step forward',
        measured: 'as expected',
        numbers: { stepBackMs: 3600_000, stepForwardMs: 3661_000 },
      });
    } finally {
      await store.close();
    }
  });

  it(`a site JWT: ${JWT_CLOCK_TOLERANCE_SECONDS} s of tolerance either way, not more`, async () => {
    const clock = new ManualClock();
    const store = openSqliteStore({ path: ':memory:' });
    try {
      const auth = new Authenticator({
        directory: store.directory,
        clock,
        tokenTtlSeconds: 60,
        guestTokenTtlSeconds: 60,
      });
      const settings = { ...DEFAULT_APP_SETTINGS, jwt: { alg: 'HS256' as const, secret: SECRET } };
      const app = await store.directory.createApp('site', settings, clock.now());
      const nowS = () => Math.floor(clock.now() / 1000);
      const sign = (claims: JWTPayload) =>
        new SignJWT({ username: 'sitey', ...claims })
          .setProtectedHeader({ alg: 'HS256' })
          .sign(new TextEncoder().encode(SECRET));
      const within = JWT_CLOCK_TOLERANCE_SECONDS - 1;
      const beyond = JWT_CLOCK_TOLERANCE_SECONDS + 1;
      const results = {
        expiredWithin: await outcome(
          auth.authenticate(app, { kind: 'jwt', jwt: await sign({ exp: nowS() - within }) }),
        ),
        expiredBeyond: await outcome(
          auth.authenticate(app, { kind: 'jwt', jwt: await sign({ exp: nowS() - beyond }) }),
        ),
        notBeforeWithin: await outcome(
          auth.authenticate(app, { kind: 'jwt', jwt: await sign({ nbf: nowS() + within }) }),
        ),
        notBeforeBeyond: await outcome(
          auth.authenticate(app, { kind: 'jwt', jwt: await sign({ nbf: nowS() + beyond }) }),
        ),
      };
      // A token accepted now is refused once the server's clock steps past its exp and the tolerance.
      const fresh = await sign({ exp: nowS() + 30 });
      const before = await outcome(auth.authenticate(app, { kind: 'jwt', jwt: fresh }));
      clock.advance((30 + beyond) * 1000);
      const afterStep = await outcome(auth.authenticate(app, { kind: 'jwt', jwt: fresh }));
      expect(results).toEqual({
        expiredWithin: 'accepted',
        expiredBeyond: 'credentials_expired',
        notBeforeWithin: 'accepted',
        notBeforeBeyond: 'unauthorized',
      });
      expect([before, afterStep]).toEqual(['accepted', 'credentials_expired']);
      recordOutcome({
        id: 'clock-step-jwt-tolerance',
        fault: `site JWTs whose exp or nbf are ${within} s and ${beyond} s off; the server clock steps past exp`,
        expected: `accepted within ${JWT_CLOCK_TOLERANCE_SECONDS} s, refused beyond; refused after the step`,
        measured: Object.entries({ ...results, afterStep })
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
        numbers: { toleranceSeconds: JWT_CLOCK_TOLERANCE_SECONDS },
      });
    } finally {
      await store.close();
    }
  });

  it('the presence grace period is timed, not read off the wall clock: a step of a day does not end it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    ctx = await createTestEngine({ config: { presenceGraceMs: 60_000 } });
    const { session } = await open(ctx.engine, 'graceful');
    const listed = () => ctx?.engine.online(1).some((o) => o.user.username === 'graceful') ?? false;
    session.close();
    vi.setSystemTime(Date.now() + DAY_MS);
    expect(listed()).toBe(true);
    vi.advanceTimersByTime(59_000);
    expect(listed()).toBe(true);
    vi.advanceTimersByTime(1_000);
    expect(listed()).toBe(false);
    recordOutcome({
      id: 'clock-step-presence-grace',
      fault: 'wall clock stepped forward a day while a user is in its 60 s presence grace period',
      expected: 'still online after the step; offline once 60 s have passed',
      measured: 'online through the step, offline at 60 s',
      numbers: { graceMs: 60_000, stepMs: DAY_MS },
    });
  });
});
