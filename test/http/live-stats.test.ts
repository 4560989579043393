/** The console's feed in itself: one sample a second, rates, percentiles over a bounded sample, five minutes kept. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createLiveStats,
  STATS_INTERVAL_MS,
  STATS_SAMPLES_KEPT,
  TOP_ROOMS,
  type LiveStats,
} from '../../src/http/liveStats.js';

let live: LiveStats;
const holdings = { sessions: 0, rooms: 0 };

beforeEach(() => {
  vi.useFakeTimers();
  live = createLiveStats();
  live.start(() => holdings);
});

afterEach(() => {
  live.stop();
  vi.useRealTimers();
});

describe('live stats', () => {
  it('turns what happened in a second into rates, percentiles and the busiest rooms', () => {
    holdings.sessions = 7;
    holdings.rooms = 2;
    // 10,000 latencies of 1..10,000 ms: more than are kept, so the percentiles come from a uniform sample.
    for (let ms = 1; ms <= 10_000; ms++) live.sendAckLatency(ms);
    live.fanoutLatency(4);
    for (let i = 0; i < 30; i++) live.messageIn(1, 'lobby');
    for (let i = 0; i < TOP_ROOMS + 5; i++) live.messageIn(2, `room-${i}`);
    live.messagesOut(300);
    vi.advanceTimersByTime(STATS_INTERVAL_MS);

    const [sample] = live.samples();
    expect(sample).toMatchObject({ connections: 7, rooms: 2, messagesOutPerSecond: 300 });
    expect(sample?.messagesInPerSecond).toBe(30 + TOP_ROOMS + 5);
    expect(sample?.sendAckMs?.max).toBe(10_000);
    expect(sample?.sendAckMs?.p50).toBeGreaterThan(4_600);
    expect(sample?.sendAckMs?.p50).toBeLessThan(5_400);
    expect(sample?.sendAckMs?.p99).toBeGreaterThan(9_700);
    expect(sample?.fanoutMs).toEqual({ p50: 4, p95: 4, p99: 4, max: 4 });
    expect(sample?.topRooms).toHaveLength(TOP_ROOMS);
    expect(sample?.topRooms[0]).toEqual({ appId: 1, room: 'lobby', messages: 30 });

    // The next second starts from nothing.
    vi.advanceTimersByTime(STATS_INTERVAL_MS);
    expect(live.samples(sample?.at)).toEqual([
      expect.objectContaining({ messagesInPerSecond: 0, sendAckMs: null, fanoutMs: null, topRooms: [] }),
    ]);
  });

  it('keeps five minutes, oldest first, and stops sampling when stopped', () => {
    vi.advanceTimersByTime(STATS_INTERVAL_MS * (STATS_SAMPLES_KEPT + 20));
    const kept = live.samples();
    expect(kept).toHaveLength(STATS_SAMPLES_KEPT);
    expect(kept.every((s, i) => i === 0 || s.at > (kept[i - 1]?.at ?? Infinity))).toBe(true);
    live.stop();
    vi.advanceTimersByTime(STATS_INTERVAL_MS * 5);
    expect(live.samples(kept[kept.length - 1]?.at)).toEqual([]);
  });
});
