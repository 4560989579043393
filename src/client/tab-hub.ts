/**
 * The leader tab's side of a shared connection: it owns the one real transport and serves every tab's view of
 * it (its own tab's directly, the others' over the BroadcastChannel). A tab's request is sent as a request of
 * the real transport and its answer routed back to that tab; what the connection hears goes to every tab (each
 * keeps the events of its own rooms); the connection is in the union of the tabs' rooms; it authenticates once
 * and answers the other tabs' `auth` with that result, so that every tab is the same user.
 */
import type { ErrorBody, JoinResult, ReadResult, UpgradeResult } from '../protocol/native.js';
import { ParleyClientError, toClientError } from './errors.js';
import { readProp } from './pending.js';
import { toWireError } from './tab-protocol.js';
import type { FollowerMessage, LeaderMessage } from './tab-protocol.js';
import { RoomUnion } from './tab-rooms.js';
import type { CloseInfo, Transport, TransportHandlers } from './transport.js';

/** How the hub hands what the connection hears to a view in its own tab. */
export interface LocalSink {
  event(name: string, data: unknown): void;
  error(body: ErrorBody): void;
  close(info: CloseInfo): void;
}

export interface HubDeps {
  /** This tab's id: the `from` of everything the hub says. */
  leaderId: string;
  /** Open the real transport (the client's own framing) with these handlers. */
  open(handlers: TransportHandlers): Promise<Transport>;
  post(message: LeaderMessage): void;
  /** Call `gone` once the follower view `view` is gone (its tab closed without a word). */
  watch(view: string, gone: () => void): void;
  /** Another tab signed in on the connection (the hub's own tab hears it too). */
  signedIn(request: unknown, result: UpgradeResult): void;
}

function roomOf(data: unknown): string {
  const room = readProp(data, 'room');
  return typeof room === 'string' ? room : '';
}

export class TabHub {
  readonly union = new RoomUnion();
  private real: Transport | null = null;
  private opening: Promise<Transport> | null = null;
  private auth: Promise<unknown> | null = null;
  private readonly locals = new Map<string, LocalSink>();
  private readonly remotes = new Set<string>();
  private stopped = false;

  constructor(private readonly deps: HubDeps) {}

  /** The real connection, opened when it is not. */
  ensureOpen(): Promise<Transport> {
    if (this.stopped) return Promise.reject(new ParleyClientError('closed', 'This tab no longer leads'));
    if (this.real) return Promise.resolve(this.real);
    if (this.opening) return this.opening;
    let transport: Transport | null = null;
    const opening = this.deps.open(this.handlersFor(() => this.real !== null && this.real === transport));
    this.opening = opening.then(
      (opened) => {
        transport = opened;
        this.opening = null;
        if (this.stopped) {
          opened.close();
          throw new ParleyClientError('closed', 'This tab no longer leads');
        }
        this.real = opened;
        return opened;
      },
      (err: unknown) => {
        this.opening = null;
        throw err;
      },
    );
    return this.opening;
  }

  attachLocal(view: string, sink: LocalSink): void {
    this.locals.set(view, sink);
  }

  /** A view closed (or its tab went): the rooms only it needed are left. */
  detach(view: string): void {
    this.locals.delete(view);
    this.remotes.delete(view);
    const real = this.real;
    for (const room of this.union.drop(view)) {
      real?.request('leave', { room }, 10_000).catch(() => undefined);
    }
  }

  /** Cut the real connection as a network failure would (every tab reconnects). */
  drop(): void {
    this.real?.drop();
  }

  /** One tab's request on the shared connection. */
  async request(view: string, op: string, data: unknown, timeoutMs: number): Promise<unknown> {
    const real = this.real;
    if (!real) throw new ParleyClientError('disconnected', `Not connected: ${op} was not sent`);
    switch (op) {
      case 'auth':
        return this.authenticate(real, data, timeoutMs);
      case 'join':
        return this.join(real, view, data, timeoutMs);
      case 'leave': {
        if (this.union.release(view, roomOf(data)) === 'keep') return {};
        return real.request(op, data, timeoutMs);
      }
      case 'upgrade': {
        const result = (await real.request(op, data, timeoutMs)) as UpgradeResult;
        const before = this.auth ? ((await this.auth.catch(() => ({}))) as object) : {};
        this.auth = Promise.resolve({ ...before, user: result.user, expiresAt: result.expiresAt });
        this.deps.post({ t: 'signed_in', from: this.deps.leaderId, request: data, result });
        this.deps.signedIn(data, result);
        return result;
      }
      case 'read': {
        const result = (await real.request(op, data, timeoutMs)) as ReadResult;
        // The server tells `read` to the user's other connections; the other tabs share this one.
        const room = { id: this.union.idOf(result.room) ?? 0, name: result.room };
        this.fanOut('read', { room, seq: result.seq }, view);
        return result;
      }
      default:
        return real.request(op, data, timeoutMs);
    }
  }

  /** A message from a follower tab. */
  onFollower(message: FollowerMessage): void {
    const from = this.deps.leaderId;
    if (message.t === 'hello') {
      const { view } = message;
      this.ensureOpen().then(
        () => {
          this.remotes.add(view);
          this.deps.watch(view, () => this.detach(view));
          this.deps.post({ t: 'welcome', from, to: view });
        },
        (err: unknown) =>
          this.deps.post({ t: 'refused', from, to: view, error: toWireError(toClientError(err)) }),
      );
      return;
    }
    if (message.to !== from) return;
    if (message.t === 'bye') {
      this.detach(message.view);
      return;
    }
    const { view, id, op } = message;
    const answer = this.remotes.has(view)
      ? this.request(view, op, message.data, message.timeoutMs)
      : Promise.reject(new ParleyClientError('disconnected', `Not connected: ${op} was not sent`));
    answer.then(
      (data: unknown) => this.deps.post({ t: 'res', from, to: view, id, ok: true, data }),
      (err: unknown) =>
        this.deps.post({ t: 'res', from, to: view, id, ok: false, error: toWireError(toClientError(err)) }),
    );
  }

  /** This tab stops leading: the connection closes, and every other tab moves to the next leader. */
  shutdown(): void {
    if (this.stopped) return;
    this.stopped = true;
    const real = this.real;
    this.real = null;
    real?.close();
    this.closeAll({ code: 1006, reason: 'connection_lost', message: 'The tab holding the connection left' });
  }

  private async authenticate(real: Transport, data: unknown, timeoutMs: number): Promise<unknown> {
    // One authentication per connection: the server refuses a second, and every tab is the same user anyway.
    if (this.auth) return this.auth;
    const auth = real.request('auth', data, timeoutMs);
    this.auth = auth;
    auth.catch(() => {
      if (this.auth === auth) this.auth = null;
    });
    return auth;
  }

  private async join(real: Transport, view: string, data: unknown, timeoutMs: number): Promise<unknown> {
    const room = roomOf(data);
    this.union.joinSent(room);
    try {
      const result = (await real.request('join', data, timeoutMs)) as JoinResult;
      this.union.joinSettled(view, room, result);
      return result;
    } catch (err) {
      this.union.joinSettled(view, room, null);
      throw err;
    }
  }

  private fanOut(name: string, data: unknown, except?: string): void {
    for (const [view, sink] of this.locals) if (view !== except) sink.event(name, data);
    this.deps.post({
      t: 'event',
      from: this.deps.leaderId,
      name,
      data,
      ...(except === undefined ? {} : { except }),
    });
  }

  private handlersFor(current: () => boolean): TransportHandlers {
    return {
      event: (name, data) => {
        if (!current()) return;
        this.union.heard(name, data);
        this.fanOut(name, data);
      },
      error: (body) => {
        if (!current()) return;
        for (const sink of this.locals.values()) sink.error(body);
        this.deps.post({ t: 'error', from: this.deps.leaderId, error: body });
      },
      close: (info) => {
        if (!current()) return;
        this.real = null;
        this.closeAll(info);
      },
    };
  }

  private closeAll(info: CloseInfo): void {
    this.auth = null;
    this.union.clear();
    this.remotes.clear();
    const locals = [...this.locals.values()];
    this.locals.clear();
    for (const sink of locals) sink.close(info);
    this.deps.post({ t: 'closed', from: this.deps.leaderId, info });
  }
}
