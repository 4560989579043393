/**
 * Tabs in one Node process for the tab-sharing tests: Web Locks faked (fake-locks.ts), Node's own
 * BroadcastChannel, and each tab's channels kept so that a test can close them as a closing tab would.
 */
import type { ChannelConstructorLike } from '../../src/client/index.js';
import { TabShare } from '../../src/client/tab-share.js';
import type { Transport, TransportFactory, TransportHandlers } from '../../src/client/transport.js';
import type { FakeLockManager, FakeTabLocks } from './fake-locks.js';

export interface FakeTab {
  share: TabShare;
  locks: FakeTabLocks;
  /** This tab closes without a word: its locks go and its channels go quiet. */
  vanish(): void;
  /** This tab froze: it holds its locks but hears and says nothing. */
  silence(): void;
  Channel: ChannelConstructorLike;
}

export function tabChannels(): { Channel: ChannelConstructorLike; closeAll(): void } {
  const opened: InstanceType<typeof BroadcastChannel>[] = [];
  class TabChannel extends BroadcastChannel {
    constructor(name: string) {
      super(name);
      opened.push(this);
    }
  }
  return {
    Channel: TabChannel as unknown as ChannelConstructorLike,
    closeAll: () => {
      for (const channel of opened) channel.close();
    },
  };
}

export function fakeTab(manager: FakeLockManager, name: string, inner: TransportFactory): FakeTab {
  const locks = manager.tab();
  const channels = tabChannels();
  const share = new TabShare({
    locks,
    Channel: channels.Channel,
    name,
    inner,
    helloTimeoutMs: 2_000,
    signedIn: () => undefined,
  });
  return {
    share,
    locks,
    Channel: channels.Channel,
    vanish() {
      channels.closeAll();
      locks.vanish();
    },
    silence() {
      channels.closeAll();
    },
  };
}

/** What a tab's client would get: the events and the close, recorded. */
export interface Heard {
  events: [string, unknown][];
  closes: unknown[];
  handlers: TransportHandlers;
}

export function heard(): Heard {
  const events: [string, unknown][] = [];
  const closes: unknown[] = [];
  return {
    events,
    closes,
    handlers: {
      event: (name, data) => events.push([name, data]),
      error: () => undefined,
      close: (info) => closes.push(info),
    },
  };
}

/** A server in memory behind the leader's real transport: it records requests and answers them plainly. */
export class FakeServer {
  readonly requests: { op: string; data: unknown }[] = [];
  readonly transports: Transport[] = [];
  handlers: TransportHandlers | null = null;
  /** Requests to these ops are never answered (a server, or a leader, that went quiet). */
  readonly silent = new Set<string>();
  private closed = false;

  readonly factory: TransportFactory = async (options) => {
    this.handlers = options.handlers;
    const transport: Transport = {
      request: (op, data) => {
        this.requests.push({ op, data });
        if (this.silent.has(op)) return new Promise<unknown>(() => undefined);
        return Promise.resolve(this.answer(op, data));
      },
      close: () => {
        this.closed = true;
      },
      drop: () => options.handlers.close({ code: 1006, reason: 'connection_lost', message: 'dropped' }),
    };
    this.transports.push(transport);
    return transport;
  };

  get isClosed(): boolean {
    return this.closed;
  }

  ops(op: string): unknown[] {
    return this.requests.filter((r) => r.op === op).map((r) => r.data);
  }

  emit(name: string, data: unknown): void {
    this.handlers?.event(name, data);
  }

  private answer(op: string, data: unknown): unknown {
    const room = (data as { room?: string } | undefined)?.room;
    if (op === 'auth') return { user: { id: 7, username: 'ann' }, expiresAt: null };
    if (op === 'join') return { room: { id: roomId(room ?? ''), name: room }, messages: [], lastSeq: 0 };
    return { op, data };
  }
}

export function roomId(name: string): number {
  return [...name].reduce((sum, ch) => sum + ch.charCodeAt(0), 0);
}
