import { describe, expect, it } from 'vitest';
import {
  INVALID_FRAME_LIMIT,
  INVALID_FRAME_WINDOW_MS,
  InvalidFrameCount,
} from '../../src/gateways/kernel/invalidFrames.js';

/** The kernel's count of invalid frames, on a clock the test moves ([proto.invalid-frames]). */
describe('[proto.invalid-frames] the invalid frame count', () => {
  it('trips on the LIMIT-th invalid frame within the window, not before', () => {
    let now = 0;
    const count = new InvalidFrameCount(() => now);
    for (let i = 1; i < INVALID_FRAME_LIMIT; i++) {
      now += 1;
      expect(count.add()).toBe(false);
    }
    expect(count.add()).toBe(true);
  });

  it('never trips when the invalid frames are spread wider than the window', () => {
    let now = 0;
    const count = new InvalidFrameCount(() => now);
    const spacing = Math.ceil(INVALID_FRAME_WINDOW_MS / (INVALID_FRAME_LIMIT - 1));
    for (let i = 0; i < INVALID_FRAME_LIMIT * 10; i++) {
      expect(count.add()).toBe(false);
      now += spacing;
    }
  });

  it('counts a sliding window: an old burst does not add to a new one', () => {
    let now = 0;
    const count = new InvalidFrameCount(() => now);
    for (let i = 1; i < INVALID_FRAME_LIMIT; i++) expect(count.add()).toBe(false);
    now += INVALID_FRAME_WINDOW_MS;
    for (let i = 1; i < INVALID_FRAME_LIMIT; i++) expect(count.add()).toBe(false);
    expect(count.add()).toBe(true);
  });
});
