import { describe, expect, it } from 'vitest';
import { TypingThrottle } from '../../src/engine/typingThrottle.js';

describe('a session typing throttle', () => {
  it('lets a start through once per throttle window, a stop only after a start, and forgets a room left', () => {
    const throttle = new TypingThrottle();
    const yes = () => true;
    expect(throttle.pass(1, false, 0, 1000, yes)).toBe(false);
    expect(throttle.pass(1, true, 0, 1000, yes)).toBe(true);
    expect(throttle.pass(1, true, 500, 1000, yes)).toBe(false);
    expect(throttle.pass(2, true, 500, 1000, yes)).toBe(true);
    expect(throttle.pass(1, false, 600, 1000, yes)).toBe(true);
    expect(throttle.pass(1, false, 700, 1000, yes)).toBe(false);
    expect(throttle.pass(1, true, 700, 1000, () => false)).toBe(false);
    expect(throttle.pass(1, false, 800, 1000, yes)).toBe(false);
    throttle.forget(2);
    expect(throttle.pass(2, true, 900, 1000, yes)).toBe(true);
  });
});
