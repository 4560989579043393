import { afterEach, describe, expect, it, vi } from 'vitest';
import { BusInterest, topicOf } from '../../src/engine/busInterest.js';
import type { EngineEvent } from '../../src/engine/events.js';

/** A bus that records what it was asked to subscribe to, in order. */
function recordingBus() {
  const calls: string[] = [];
  return {
    calls,
    subscribe: (topic: string) => {
      calls.push(`+${topic}`);
      return Promise.resolve();
    },
    unsubscribe: (topic: string) => {
      calls.push(`-${topic}`);
    },
  };
}

const user = { id: 7, username: 'u', role: 'member' as const };
const room = { id: 3, name: 'r' };

describe('bus interest', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('[bus.interest.refcount] a room holds its topic and its app’s; the last release leaves them after the delay', async () => {
    vi.useFakeTimers();
    const bus = recordingBus();
    const interest = new BusInterest(bus, 1000);
    await interest.holdRoom(1, 3);
    await interest.holdApp(1);
    expect(bus.calls).toEqual(['+room:1:3', '+app:1']);
    interest.releaseRoom(1, 3);
    vi.advanceTimersByTime(999);
    // Held again within the delay: nothing was left, nothing is subscribed twice.
    await interest.holdRoom(1, 3);
    vi.advanceTimersByTime(5000);
    expect(bus.calls).toEqual(['+room:1:3', '+app:1']);
    interest.releaseRoom(1, 3);
    vi.advanceTimersByTime(1000);
    expect(bus.calls).toEqual(['+room:1:3', '+app:1', '-room:1:3']);
    expect(interest.topics).toEqual(['app:1']);
    interest.releaseApp(1);
    vi.advanceTimersByTime(1000);
    expect(interest.topics).toEqual([]);
  });

  it('[bus.interest.route] room and user traffic go on topics; what every node keeps goes to every node', () => {
    const message: EngineEvent = {
      type: 'typing',
      room,
      user,
      typing: true,
    };
    const muted: EngineEvent = {
      type: 'muted',
      room,
      user,
      by: null,
      minutes: 5,
      expiresAt: 1,
      reason: '',
    };
    expect(topicOf({ type: 'room_event', appId: 1, roomId: 3, event: message })).toBe('room:1:3');
    expect(topicOf({ type: 'room_event', appId: 1, roomId: 3, event: muted })).toBeUndefined();
    expect(topicOf({ type: 'user_event', appId: 2, userId: 7, event: message })).toBe('app:2');
    expect(topicOf({ type: 'disconnect_user', appId: 2, userId: 7, reason: 'kicked' })).toBe('app:2');
    expect(topicOf({ type: 'app_event', appId: 2, event: muted })).toBeUndefined();
    expect(topicOf({ type: 'profile_changed', appId: 2, user })).toBeUndefined();
    expect(topicOf({ type: 'node_alive' })).toBeUndefined();
  });
});
