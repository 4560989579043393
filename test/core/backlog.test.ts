import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BacklogRule } from '../../src/core/backlog.js';

const LIMITS = { softBytes: 1000, hardBytes: 4000, graceMs: 2000 };

describe('the slow-consumer rule', () => {
  it('never cuts a reader whose backlog drops within the soft bound at least once per grace period', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ dt: fc.integer({ min: 0, max: 1999 }), bytes: fc.integer({ min: 0, max: 4000 }) }),
          {
            maxLength: 200,
          },
        ),
        (steps) => {
          let now = 0;
          let lastWithin = 0;
          const rule = new BacklogRule(
            () => LIMITS,
            () => now,
          );
          for (const step of steps) {
            now += step.dt;
            const slow = rule.tooSlow(step.bytes);
            if (step.bytes <= LIMITS.softBytes) lastWithin = now;
            // Over the bound since some check after lastWithin: cut only once the grace has fully passed.
            if (slow) expect(now - lastWithin).toBeGreaterThanOrEqual(LIMITS.graceMs);
          }
        },
      ),
    );
  });

  it('cuts at once over the hard cap, and a reader that stays over the soft bound once the grace has passed', () => {
    let now = 0;
    const rule = new BacklogRule(
      () => LIMITS,
      () => now,
    );
    expect(rule.tooSlow(4001)).toBe(true);
    expect(rule.tooSlow(1001)).toBe(false);
    now = 1999;
    expect(rule.tooSlow(3000)).toBe(false);
    now = 2000;
    expect(rule.tooSlow(1001)).toBe(true);
  });

  it('holds a hard cap set below the soft bound to the soft bound', () => {
    const rule = new BacklogRule(
      () => ({ softBytes: 1000, hardBytes: 10, graceMs: 0 }),
      () => 0,
    );
    expect(rule.tooSlow(1000)).toBe(false);
  });
});
