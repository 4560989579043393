/**
 * A tab's transport when tabs share one connection: in the leader tab a LocalView calls the hub directly; in
 * the other tabs a RemoteView carries each request over the BroadcastChannel with an id of its own, which the
 * leader answers to that view alone. Either hears only the events of its own tab's rooms (TabRooms).
 */
import type { ErrorBody } from '../protocol/native.js';
import { ParleyClientError, toClientError } from './errors.js';
import { PendingRequests } from './pending.js';
import { fromWireError } from './tab-protocol.js';
import type { FollowerMessage, LeaderMessage } from './tab-protocol.js';
import { TabRooms } from './tab-rooms.js';
import type { LocalSink } from './tab-hub.js';
import type { CloseInfo, Transport, TransportHandlers } from './transport.js';

/**
 * A follower waits this much longer than the request's own timeout (which the leader applies): enough for the
 * leader's answer to cross, and a bound on the wait when the leader tab froze or vanished without a word.
 */
export const LEADER_MARGIN_MS = 1_000;

/** What a LocalView needs of the hub. */
export interface HubPort {
  request(view: string, op: string, data: unknown, timeoutMs: number): Promise<unknown>;
  detach(view: string): void;
  drop(): void;
}

/** Both views: the tab's rooms, and a request that keeps them. */
abstract class TabView implements Transport {
  protected readonly rooms = new TabRooms();
  protected closed = false;

  constructor(
    readonly id: string,
    protected readonly handlers: TransportHandlers,
  ) {}

  /** Names of the rooms this tab joined through this view. */
  get roomNames(): string[] {
    return this.rooms.names;
  }

  async request(op: string, data: unknown, timeoutMs: number): Promise<unknown> {
    if (this.closed) throw new ParleyClientError('disconnected', `Not connected: ${op} was not sent`);
    this.rooms.requested(op, data);
    try {
      const result = await this.send(op, data, timeoutMs);
      this.rooms.answered(op, data, result);
      return result;
    } catch (err) {
      this.rooms.answered(op, data, undefined);
      throw toClientError(err);
    }
  }

  protected hear(name: string, data: unknown): void {
    if (!this.closed && this.rooms.hears(name, data)) this.handlers.event(name, data);
  }

  protected abstract send(op: string, data: unknown, timeoutMs: number): Promise<unknown>;
  abstract close(): void;
  abstract drop(): void;
}

/** The leader tab's own view of the connection it holds. */
export class LocalView extends TabView {
  readonly sink: LocalSink = {
    event: (name, data) => this.hear(name, data),
    error: (body: ErrorBody) => {
      if (!this.closed) this.handlers.error(body);
    },
    close: (info: CloseInfo) => {
      if (this.closed) return;
      this.closed = true;
      this.handlers.close(info);
    },
  };

  constructor(
    id: string,
    handlers: TransportHandlers,
    private readonly hub: HubPort,
  ) {
    super(id, handlers);
  }

  protected send(op: string, data: unknown, timeoutMs: number): Promise<unknown> {
    return this.hub.request(this.id, op, data, timeoutMs);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.hub.detach(this.id);
  }

  drop(): void {
    this.hub.drop();
  }
}

/** A follower tab's view: the leader's connection, over the BroadcastChannel. */
export class RemoteView extends TabView {
  private readonly pending = new PendingRequests();
  private nextId = 1;

  constructor(
    id: string,
    handlers: TransportHandlers,
    /** The leader tab's id: only what it says is heard. */
    readonly leader: string,
    private readonly post: (message: FollowerMessage) => void,
    /** Called once when the view is closed or lost. */
    private readonly ended: (view: RemoteView) => void,
  ) {
    super(id, handlers);
  }

  protected send(op: string, data: unknown, timeoutMs: number): Promise<unknown> {
    const id = this.nextId++;
    const answer = this.pending.add(id, op, timeoutMs + LEADER_MARGIN_MS);
    this.post({ t: 'req', view: this.id, to: this.leader, id, op, data, timeoutMs });
    return answer;
  }

  /** What the leader tab said (the caller checked it came from this view's leader). */
  receive(message: LeaderMessage): void {
    switch (message.t) {
      case 'res':
        if (message.to !== this.id) return;
        if (message.ok) this.pending.resolve(message.id, message.data);
        else this.pending.reject(message.id, fromWireError(message.error));
        return;
      case 'event':
        if (message.except !== this.id) this.hear(message.name, message.data);
        return;
      case 'error':
        if (!this.closed) this.handlers.error(message.error);
        return;
      case 'closed':
        this.lose(message.info);
        return;
      default:
        return;
    }
  }

  /** The connection is gone for this tab (the leader's closed, or the leader tab went): the client reconnects. */
  lose(info: CloseInfo): void {
    if (this.closed) return;
    this.closed = true;
    this.pending.rejectAll(new ParleyClientError('disconnected', `The connection closed (${info.reason})`));
    this.ended(this);
    this.handlers.close(info);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.post({ t: 'bye', view: this.id, to: this.leader });
    this.pending.rejectAll(new ParleyClientError('disconnected', 'The connection closed (client_closed)'));
    this.ended(this);
  }

  drop(): void {
    this.post({ t: 'bye', view: this.id, to: this.leader });
    this.lose({ code: 1006, reason: 'connection_lost', message: 'Dropped by the client' });
  }
}
