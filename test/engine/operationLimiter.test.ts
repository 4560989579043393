import { describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import { DEFAULT_OPERATION_LIMITS } from '../../src/core/operationLimits.js';
import type { App, AppSettings } from '../../src/core/types.js';
import { LocalCounters } from '../../src/bus/localCounters.js';
import { isParleyError } from '../../src/core/errors.js';
import { OperationLimiter, type LimitedCaller } from '../../src/engine/operationLimiter.js';
import type { LimitedOperation } from '../../src/core/operationLimits.js';
import type { Taken } from '../../src/engine/ports/counters.js';
import { ManualClock } from '../helpers/engine.js';

function limiterFor(settings: Partial<AppSettings>) {
  const clock = new ManualClock();
  let app: App = { id: 1, name: 'a', settings: { ...DEFAULT_APP_SETTINGS, ...settings }, createdAt: 0 };
  const counters = new LocalCounters(clock);
  const enforcer = new OperationLimiter(clock, (appId) => (appId === app.id ? app : undefined), counters);
  // On one node the limiter answers synchronously: a refusal is thrown before enforce returns.
  const take = (who: LimitedCaller, op: LimitedOperation): Taken => {
    try {
      expect(enforcer.enforce(who, op)).toBeUndefined();
      return { ok: true };
    } catch (err) {
      if (!isParleyError(err)) throw err;
      return { ok: false, retryAfterMs: Number(err.details?.retryAfterMs) };
    }
  };
  const limiter = {
    take,
    enforce: (who: LimitedCaller, op: LimitedOperation) => enforcer.enforce(who, op),
    sweep: () => enforcer.sweep(),
    get size() {
      return counters.size;
    },
  };
  const setSettings = (next: Partial<AppSettings>) => {
    app = { ...app, settings: { ...app.settings, ...next } };
  };
  return { clock, limiter, setSettings };
}

const caller = (key: string) => ({ appId: 1, limitKey: key });

describe('issue 10 case 5: the engine operation limiter', () => {
  it("counts each operation in its own bucket per user, sized by the app's limits", () => {
    const { clock, limiter } = limiterFor({ limits: { history: { burst: 2, perSecond: 1 } } });
    const ann = caller('1:1');
    expect(limiter.take(ann, 'history').ok).toBe(true);
    expect(limiter.take(ann, 'history').ok).toBe(true);
    expect(limiter.take(ann, 'history')).toEqual({ ok: false, retryAfterMs: 1000 });
    // Another operation and another user have budgets of their own.
    expect(limiter.take(ann, 'members').ok).toBe(true);
    expect(limiter.take(caller('1:2'), 'history').ok).toBe(true);
    expect(() => limiter.enforce(ann, 'history')).toThrow(
      expect.objectContaining({ code: 'rate_limited', details: { retryAfterMs: 1000 } }),
    );
    clock.advance(1000);
    expect(limiter.take(ann, 'history').ok).toBe(true);
  });

  it('holds send to the app flood setting and takes a changed limit at once', () => {
    const { limiter, setSettings } = limiterFor({ flood: { burst: 1, perSecond: 1 } });
    const ann = caller('1:1');
    expect(limiter.take(ann, 'send').ok).toBe(true);
    expect(limiter.take(ann, 'send').ok).toBe(false);
    setSettings({ flood: { burst: 3, perSecond: 1 } });
    expect(limiter.take(ann, 'send').ok).toBe(true);
  });

  it('forgets refilled buckets, so that memory follows the active users', () => {
    const { clock, limiter } = limiterFor({});
    for (let user = 0; user < 1000; user++) limiter.take(caller(`1:${user}`), 'join');
    expect(limiter.size).toBe(1000);
    limiter.sweep();
    expect(limiter.size).toBe(1000);
    const { burst, perSecond } = DEFAULT_OPERATION_LIMITS.join;
    clock.advance(Math.ceil((1000 * 1) / perSecond) + burst);
    limiter.sweep();
    expect(limiter.size).toBe(0);
  });
});
