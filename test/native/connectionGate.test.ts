import { describe, expect, it } from 'vitest';
import { ConnectionGate, type ConnectionLimits } from '../../src/gateways/kernel/connectionGate.js';

const LIMITS: ConnectionLimits = {
  perAddress: 3,
  newPerAddressPerSecond: 1,
  newPerAddressBurst: 5,
  newPerSecond: 100,
  newBurst: 8,
};

describe('the connection gate', () => {
  it('caps open connections per address; a release makes room', () => {
    let now = 0;
    const gate = new ConnectionGate(LIMITS, () => now);
    const held = [gate.admit('203.0.113.1'), gate.admit('203.0.113.1'), gate.admit('203.0.113.1')];
    expect(held.every((a) => a.ok)).toBe(true);
    expect(gate.admit('203.0.113.1')).toEqual({ ok: false, retryAfterMs: 1000 });
    expect(gate.admit('203.0.113.2').ok).toBe(true);
    const first = held[0];
    if (first?.ok) {
      first.release();
      first.release(); // twice is once
    }
    now = 1000;
    expect(gate.admit('203.0.113.1').ok).toBe(true);
    expect(gate.admit('203.0.113.1').ok).toBe(false);
  });

  it('holds new connections per address to a burst and a rate, and the node to its own', () => {
    let now = 0;
    const gate = new ConnectionGate({ ...LIMITS, perAddress: 1000 }, () => now);
    const answers = Array.from({ length: 7 }, () => gate.admit('198.51.100.1'));
    expect(answers.map((a) => a.ok)).toEqual([true, true, true, true, true, false, false]);
    const refused = answers[6];
    expect(refused?.ok === false && refused.retryAfterMs).toBe(1000);
    // The node's burst of 8: 5 used above, 3 more from anyone, then refusals for everyone.
    expect(
      [gate.admit('198.51.100.2'), gate.admit('198.51.100.3'), gate.admit('127.0.0.1')].every((a) => a.ok),
    ).toBe(true);
    expect(gate.admit('198.51.100.4').ok).toBe(false);
    expect(gate.admit('::1').ok).toBe(false);
    now = 1000;
    expect(gate.admit('198.51.100.4').ok).toBe(true);
  });

  it('does not count loopback peers per address', () => {
    const gate = new ConnectionGate({ ...LIMITS, newBurst: 1000, newPerSecond: 1000 }, () => 0);
    const answers = Array.from({ length: 50 }, () => gate.admit('127.0.0.1'));
    expect(answers.every((a) => a.ok)).toBe(true);
    expect(gate.addresses).toBe(0);
  });
});
