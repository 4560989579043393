/** The connection kernel's parts, without a network: the inbox bound, the slot closed once, the bounds. */
import { describe, expect, it, vi } from 'vitest';
import type { Session } from '../../src/engine/api.js';
import { AuthDeadline } from '../../src/gateways/kernel/authDeadline.js';
import { ConnectionSlot } from '../../src/gateways/kernel/connectionSlot.js';
import { Inbox, INBOX_LIMIT } from '../../src/gateways/kernel/inbox.js';
import { OutboundBound } from '../../src/gateways/kernel/outbound.js';
import { waitFor } from '../helpers/wait.js';

function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

function fakeSession(): Session & { closes: { immediate?: boolean }[] } {
  const closes: { immediate?: boolean }[] = [];
  return {
    closes,
    close: (opts?: { immediate?: boolean }) => closes.push(opts ?? {}),
  } as unknown as Session & { closes: { immediate?: boolean }[] };
}

describe('Inbox', () => {
  it('holds at most INBOX_LIMIT requests, running and waiting, and takes more once they finish', async () => {
    const inbox = new Inbox(() => {});
    const blocker = gate();
    const ran: number[] = [];
    for (let i = 0; i < INBOX_LIMIT; i++) {
      expect(
        inbox.offer(async () => {
          ran.push(i);
          await blocker.promise;
        }),
      ).toBe(true);
    }
    expect(inbox.offer(() => {})).toBe(false);
    expect(inbox.size).toBe(INBOX_LIMIT);
    blocker.open();
    await waitFor(() => inbox.size === 0, { label: 'the inbox drained' });
    // One at a time by default: in arrival order.
    expect(ran).toEqual(Array.from({ length: INBOX_LIMIT }, (_, i) => i));
    expect(inbox.offer(() => {})).toBe(true);
  });

  it('runs up to its concurrency at once, reports a failing task and goes on', async () => {
    const failures: unknown[] = [];
    const inbox = new Inbox((err) => failures.push(err), 3);
    const blocker = gate();
    let running = 0;
    let most = 0;
    for (let i = 0; i < 10; i++) {
      inbox.offer(async () => {
        running += 1;
        most = Math.max(most, running);
        await blocker.promise;
        running -= 1;
        if (i === 4) throw new Error('boom');
      });
    }
    await waitFor(() => running === 3, { label: 'three running' });
    blocker.open();
    await waitFor(() => inbox.size === 0, { label: 'the inbox drained' });
    expect(most).toBe(3);
    expect(failures).toHaveLength(1);
  });

  it('drops what waits once stopped, and takes nothing more', async () => {
    const inbox = new Inbox(() => {});
    const blocker = gate();
    const ran: string[] = [];
    inbox.offer(async () => {
      ran.push('first');
      await blocker.promise;
    });
    inbox.offer(() => {
      ran.push('second');
    });
    await waitFor(() => ran.length === 1, { label: 'the first running' });
    inbox.stop();
    expect(inbox.offer(() => {})).toBe(false);
    blocker.open();
    await waitFor(() => inbox.size === 0, { label: 'the first finished' });
    expect(ran).toEqual(['first']);
  });
});

describe('ConnectionSlot', () => {
  it('closes its session exactly once, immediately when asked', () => {
    const slot = new ConnectionSlot(() => {});
    const session = fakeSession();
    expect(slot.fill(session)).toBe(true);
    expect(slot.end({ immediate: true })).toBe(true);
    expect(slot.end()).toBe(false);
    expect(session.closes).toEqual([{ immediate: true }]);
    expect(slot.session).toBeNull();
    expect(slot.closed).toBe(true);
  });

  it('closes a session that arrives after the end, and releases one without ending', () => {
    const failures: unknown[] = [];
    const slot = new ConnectionSlot((err) => failures.push(err));
    const first = fakeSession();
    slot.fill(first);
    slot.release();
    expect(first.closes).toEqual([{ immediate: false }]);
    expect(slot.closed).toBe(false);
    slot.end();
    const late = fakeSession();
    expect(slot.fill(late)).toBe(false);
    expect(late.closes).toHaveLength(1);
    expect(failures).toEqual([]);
  });
});

describe('OutboundBound and AuthDeadline', () => {
  it('writes within the bound and ends the connection as a slow consumer beyond the hard cap', () => {
    let buffered = 0;
    const ended: string[] = [];
    const bound = new OutboundBound(() => ({ softBytes: 100, hardBytes: 400, graceMs: 1000 }), {
      bufferedBytes: () => buffered,
      end: (reason) => void ended.push(reason.reason),
    });
    const written: string[] = [];
    expect(bound.write(() => written.push('a'))).toBe(true);
    buffered = 401;
    expect(bound.write(() => written.push('b'))).toBe(false);
    expect(written).toEqual(['a']);
    expect(ended).toEqual(['slow_consumer']);
  });

  it('lets a burst over the soft bound through, and ends a connection that stays over it for the grace', () => {
    let now = 0;
    let buffered = 150;
    const ended: string[] = [];
    const bound = new OutboundBound(
      () => ({ softBytes: 100, hardBytes: 400, graceMs: 1000 }),
      { bufferedBytes: () => buffered, end: (reason) => void ended.push(reason.reason) },
      () => now,
    );
    expect(bound.write(() => undefined)).toBe(true);
    now = 900;
    expect(bound.write(() => undefined)).toBe(true);
    buffered = 50; // drained: the next time over the bound starts a new grace
    expect(bound.write(() => undefined)).toBe(true);
    buffered = 150;
    now = 1500;
    expect(bound.write(() => undefined)).toBe(true);
    now = 2499;
    expect(bound.write(() => undefined)).toBe(true);
    now = 2500;
    expect(bound.write(() => undefined)).toBe(false);
    expect(ended).toEqual(['slow_consumer']);
  });

  it('expires once unless cancelled', () => {
    vi.useFakeTimers();
    try {
      const expired = vi.fn();
      const met = new AuthDeadline(1000, expired);
      met.cancel();
      const missed = new AuthDeadline(1000, expired);
      vi.advanceTimersByTime(1000);
      expect(expired).toHaveBeenCalledTimes(1);
      expect(missed.pending).toBe(false);
      expect(met.pending).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });
});
