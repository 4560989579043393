import { describe, expect, it } from 'vitest';
import type { UserRef } from '../../src/core/types.js';
import { OnlineBatcher, type OnlineChanged } from '../../src/engine/onlineBatcher.js';
import { ManualClock } from '../helpers/engine.js';

const WINDOW_MS = 100;

function user(id: number): UserRef {
  return { id, username: `u${id}`, role: 'member' };
}

/** A batcher on a clock the test moves; its own timer is never relied on (tick() is what the timer calls). */
function batcher() {
  const clock = new ManualClock();
  const told: { appId: number; event: OnlineChanged }[] = [];
  const online = new OnlineBatcher(clock, WINDOW_MS, (appId, event) => told.push({ appId, event }));
  return { clock, told, online };
}

const names = (users: UserRef[]) => users.map((u) => u.username).sort();

describe('issue 10 case 5: app-wide presence is told in batches', () => {
  it('tells a storm of arrivals once per window, one event per app, with every user in it', () => {
    const { clock, told, online } = batcher();
    try {
      for (let id = 1; id <= 500; id++) online.change(1, user(id), true);
      online.change(2, user(1000), true);
      clock.advance(WINDOW_MS - 1);
      online.tick();
      expect(told).toHaveLength(0);
      clock.advance(1);
      online.tick();
      expect(told).toHaveLength(2);
      const app1 = told.find((t) => t.appId === 1)?.event;
      expect(app1?.online).toHaveLength(500);
      expect(app1?.offline).toEqual([]);
      expect(told.find((t) => t.appId === 2)?.event.online).toEqual([user(1000)]);
      online.tick();
      expect(told).toHaveLength(2);
    } finally {
      online.stop();
    }
  });

  it('tells each user once in their state at the end of the window, so a watcher set stays exact', () => {
    const { clock, told, online } = batcher();
    try {
      // A watcher that had u1 and u2 online before the window.
      const watcherSet = new Set(['u1', 'u2']);
      online.change(1, user(1), false); // left
      online.change(1, user(3), true); // came
      online.change(1, user(4), true); // came and went
      online.change(1, user(4), false);
      online.change(1, user(2), false); // went and came back
      online.change(1, user(2), true);
      clock.advance(WINDOW_MS);
      online.tick();
      expect(told).toHaveLength(1);
      const event = told[0]?.event as OnlineChanged;
      expect(names(event.online)).toEqual(['u2', 'u3']);
      expect(names(event.offline)).toEqual(['u1', 'u4']);
      for (const u of event.offline) watcherSet.delete(u.username);
      for (const u of event.online) watcherSet.add(u.username);
      expect([...watcherSet].sort()).toEqual(['u2', 'u3']);
    } finally {
      online.stop();
    }
  });

  it('opens a new window after a flush, and tells nothing after stop', () => {
    const { clock, told, online } = batcher();
    online.change(1, user(1), true);
    clock.advance(WINDOW_MS);
    online.tick();
    online.change(1, user(1), false);
    clock.advance(WINDOW_MS / 2);
    online.tick();
    expect(told).toHaveLength(1);
    clock.advance(WINDOW_MS / 2);
    online.tick();
    expect(told.map((t) => names(t.event.offline))).toEqual([[], ['u1']]);
    online.change(1, user(2), true);
    online.stop();
    clock.advance(WINDOW_MS);
    online.tick();
    expect(told).toHaveLength(2);
  });

  it('with a window of 0 tells every change at once', () => {
    const told: OnlineChanged[] = [];
    const online = new OnlineBatcher(new ManualClock(), 0, (_appId, event) => told.push(event));
    online.change(1, user(1), true);
    online.change(1, user(1), false);
    expect(told.map((e) => [names(e.online), names(e.offline)])).toEqual([
      [['u1'], []],
      [[], ['u1']],
    ]);
  });
});
