/**
 * The typed Parley client: one API over both framings, with reconnect, re-authentication, re-joining with
 * `sinceSeq`, de-duplication by seq, gap reporting and retried sends. See docs/protocol.md ([proto.client]).
 */
import { DISCONNECT_REASONS } from '../protocol/native.js';
import type { ErrorCode } from '../protocol/native.js';
import type { RoomVisibility, User } from '../protocol/native.js';
import { NATIVE_EVENTS } from '../protocol/native.js';
import type {
  AuthResult,
  Ban,
  HistoryPage,
  JoinResult,
  MessageView,
  Mute,
  NativeEventMap,
  NativeEventName,
  NativeOp,
  OpRequest,
  OpResult,
  RoomView,
  SendResult,
  UserRef,
} from '../protocol/native.js';
import { backoffDelay } from './backoff.js';
import { TypedEmitter } from './emitter.js';
import { ParleyClientError, toClientError } from './errors.js';
import { readProp } from './pending.js';
import { RoomRegistry } from './resume.js';
import type { CloseInfo, Transport, TransportFactory, TransportHandlers } from './transport.js';
import { createSocketIoTransportFactory } from './transport-socketio.js';
import { createWsTransportFactory } from './transport-ws.js';
import type {
  ClientCredentials,
  ClientEventMap,
  ClientState,
  DisconnectedEvent,
  ParleyClientOptions,
  ReconnectedEvent,
} from './types.js';

const DEFAULTS = {
  app: 1,
  reconnect: true,
  requestTimeoutMs: 10_000,
  reconnectDelayMs: 500,
  maxReconnectDelayMs: 30_000,
  maxReconnectAttempts: Number.POSITIVE_INFINITY,
};

/**
 * Close codes after which the client does not reconnect on its own: logged out (1000), protocol error (1002),
 * credentials expired (4001), auth timeout (4002), refused (4003), kicked (4004), banned (4005), app gone (4010).
 */
export const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  DISCONNECT_REASONS.logout.code,
  DISCONNECT_REASONS.protocol_error.code,
  DISCONNECT_REASONS.credentials_expired.code,
  DISCONNECT_REASONS.auth_timeout.code,
  DISCONNECT_REASONS.unauthorized.code,
  DISCONNECT_REASONS.kicked.code,
  DISCONNECT_REASONS.banned.code,
  DISCONNECT_REASONS.app_deleted.code,
]);

/** Server errors worth another attempt; any other error from auth or admission ends the client. */
const RETRYABLE_SERVER_ERRORS: ReadonlySet<string> = new Set<ErrorCode>([
  'internal',
  'unavailable',
  'rate_limited',
]);

/** Rooms that failed to re-join for one of these are dropped (and reported); other failures retry the reconnect. */
const ROOM_GONE_ERRORS: ReadonlySet<string> = new Set<ErrorCode>([
  'not_found',
  'forbidden',
  'banned',
  'bad_request',
]);

const KNOWN_EVENTS: ReadonlySet<string> = new Set(NATIVE_EVENTS);

/**
 * A send whose connection dropped this many times while it was in flight is given up: it may be what drops
 * the connection (socket.io closes on an oversized packet without saying why).
 */
export const MAX_SEND_ATTEMPTS = 3;

interface PendingSend {
  key: number;
  /** Times it was written to a connection. */
  attempts: number;
  room: string;
  text: string;
  clientMsgId: string;
  inFlight: boolean;
  resolve(result: SendResult): void;
  reject(err: ParleyClientError): void;
}

interface OpenWaiter {
  resolve(transport: Transport): void;
  reject(err: ParleyClientError): void;
}

/** A fresh id for a send: random, so that a retry after a reconnect is recognised by the server. */
export function newClientMsgId(): string {
  const cryptoObject = readProp(globalThis, 'crypto');
  const randomUUID = readProp(cryptoObject, 'randomUUID');
  if (typeof randomUUID === 'function') {
    const id: unknown = Reflect.apply(randomUUID, cryptoObject, []);
    if (typeof id === 'string') return id;
  }
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}

type RequestArgs<O extends NativeOp> =
  Record<string, never> extends OpRequest<O> ? [data?: OpRequest<O>] : [data: OpRequest<O>];

export class ParleyClient extends TypedEmitter<ClientEventMap> {
  private readonly options: ParleyClientOptions & typeof DEFAULTS;
  private readonly factory: TransportFactory;
  private credentials: ClientCredentials | null;
  private resumeToken: string | null = null;
  private watchingOnline = false;
  private authResult: AuthResult | null = null;
  private transport: Transport | null = null;
  /** Bumped for every connection attempt: callbacks of older transports are ignored. */
  private generation = 0;
  private currentState: ClientState = 'closed';
  private lastClose: CloseInfo | null = null;
  private readonly registry = new RoomRegistry();
  private readonly roomNames = new Map<number, string>();
  private joinsInFlight = 0;
  private readonly sends = new Map<number, PendingSend>();
  private sendKey = 0;
  private readonly waiters = new Set<OpenWaiter>();
  /** Events of rooms whose join reply is awaited: handed out after it, so that replayed messages come first. */
  private readonly held = new Map<string, [string, unknown][]>();
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: ParleyClientOptions) {
    super();
    const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
    this.options = { ...DEFAULTS, ...(defined as unknown as ParleyClientOptions) };
    this.credentials = options.credentials ?? null;
    this.factory =
      options.transport === 'socket.io'
        ? createSocketIoTransportFactory(options.socketIo)
        : createWsTransportFactory(options.WebSocket);
  }

  // ------------------------------------------------------------------ state

  get state(): ClientState {
    return this.currentState;
  }

  /** The authenticated user, once connected with credentials. */
  get user(): User | null {
    return this.authResult?.user ?? null;
  }

  /** The rooms the client has joined (and re-joins after a reconnect). */
  get rooms(): string[] {
    return [...this.registry.joined];
  }

  /** The seq up to which every message of `room` has been delivered: what a re-join resumes from. */
  lastSeq(room: string): number | null {
    return this.registry.cursor(room);
  }

  /**
   * Open the connection and authenticate with the configured credentials. Resolves with the auth result (null
   * without credentials) once open; rejects when this first attempt fails (no retry for the first one).
   */
  async connect(): Promise<AuthResult | null> {
    if (this.currentState !== 'closed') {
      throw new ParleyClientError('connect_failed', `connect() called while ${this.currentState}`);
    }
    this.setState('connecting');
    try {
      const { auth } = await this.establish();
      return auth;
    } catch (err) {
      // A refusal the server explained before closing says more than the request the close cut short.
      const refusal = this.lastClose?.error;
      const error = refusal ? ParleyClientError.fromBody(refusal) : toClientError(err, 'connect_failed');
      const info = this.lastClose ?? { code: 1006, reason: 'connect_failed', message: error.message };
      this.finish({ ...info, ...(error.fromServer ? { error: errorBody(error) } : {}) });
      throw error;
    }
  }

  /** Close for good: pending requests and sends reject with `closed`; no reconnect. */
  close(): void {
    this.finish({ code: 1000, reason: 'client_closed', message: 'Closed by the client' });
  }

  /**
   * Cut the current connection abruptly, as a network failure would; the client then reconnects (when
   * `reconnect` is on). Meant for tests and diagnostics.
   */
  dropConnection(): void {
    this.transport?.drop();
  }

  // ------------------------------------------------------------------ requests

  /**
   * Any operation, typed by the protocol table. `auth`, `join`, `leave` and `send` go through the same
   * bookkeeping as their convenience methods (credentials kept for reconnects, rooms re-joined, sends retried).
   */
  async request<O extends NativeOp>(op: O, ...args: RequestArgs<O>): Promise<OpResult<O>> {
    const data: unknown = args[0];
    let result: unknown;
    switch (op) {
      case 'auth':
        result = await this.authenticate(data as ClientCredentials);
        break;
      case 'join': {
        const input = data as OpRequest<'join'>;
        result = await this.join(
          input.room,
          input.sinceSeq === undefined ? {} : { sinceSeq: input.sinceSeq },
        );
        break;
      }
      case 'leave':
        await this.leave((data as OpRequest<'leave'>).room);
        result = {};
        break;
      case 'send': {
        const input = data as OpRequest<'send'>;
        result = await this.send(
          input.room,
          input.text,
          input.clientMsgId === undefined ? {} : { clientMsgId: input.clientMsgId },
        );
        break;
      }
      default:
        result = await this.call(op, data);
    }
    return result as OpResult<O>;
  }

  /** Authenticate this connection (when no credentials were given to the constructor); kept for reconnects. */
  async authenticate(credentials: ClientCredentials): Promise<AuthResult> {
    const transport = await this.whenOpen('auth');
    const previous = { credentials: this.credentials, resumeToken: this.resumeToken };
    this.credentials = credentials;
    this.resumeToken = null;
    try {
      return await this.authenticateOn(transport);
    } catch (err) {
      this.credentials = previous.credentials;
      this.resumeToken = previous.resumeToken;
      throw err;
    }
  }

  /** New credentials for the same user; used from then on for reconnects. */
  async refresh(credentials: { token: string } | { jwt: string }): Promise<{ expiresAt: number | null }> {
    const result = (await this.call('refresh', credentials)) as OpResult<'refresh'>;
    this.credentials = credentials;
    this.resumeToken = null;
    if (this.authResult) this.authResult = { ...this.authResult, expiresAt: result.expiresAt };
    return result;
  }

  async listRooms(): Promise<RoomView[]> {
    return ((await this.call('rooms.list', undefined)) as OpResult<'rooms.list'>).rooms;
  }

  async createRoom(
    name: string,
    opts: { visibility?: RoomVisibility; topic?: string } = {},
  ): Promise<RoomView> {
    return ((await this.call('rooms.create', { name, ...opts })) as OpResult<'rooms.create'>).room;
  }

  /**
   * Join a room. The result's messages are the recent history (or, with `sinceSeq`, what came after it);
   * messages already delivered as `message` events are left out of it, so each message reaches the
   * application once. The client re-joins the room after every reconnect.
   */
  async join(room: string, opts: { sinceSeq?: number } = {}): Promise<JoinResult> {
    this.joinsInFlight++;
    const holding = this.hold(room);
    try {
      const data: OpRequest<'join'> =
        opts.sinceSeq === undefined ? { room } : { room, sinceSeq: opts.sinceSeq };
      const result = (await this.call('join', data)) as JoinResult;
      return this.absorbJoin(result, false);
    } finally {
      this.joinsInFlight--;
      if (holding) this.release(room);
    }
  }

  async leave(room: string): Promise<void> {
    await this.call('leave', { room });
    this.registry.forget(room);
    for (const [id, name] of this.roomNames) if (name === room) this.roomNames.delete(id);
  }

  /**
   * Send a message. Without `clientMsgId` one is generated; when the connection drops before the reply, the
   * send is repeated after the reconnect with the same clientMsgId (the server answers `duplicate: true` if the
   * first one had arrived), so that the promise settles with the one message.
   */
  send(room: string, text: string, opts: { clientMsgId?: string } = {}): Promise<SendResult> {
    if (this.currentState === 'closed') {
      return Promise.reject(new ParleyClientError('closed', 'The client is closed'));
    }
    return new Promise<SendResult>((resolve, reject) => {
      const pending: PendingSend = {
        key: ++this.sendKey,
        room,
        text,
        clientMsgId: opts.clientMsgId ?? newClientMsgId(),
        attempts: 0,
        inFlight: false,
        resolve,
        reject,
      };
      this.sends.set(pending.key, pending);
      if (this.currentState === 'open') void this.transmitSend(pending);
    });
  }

  async edit(room: string, id: number, text: string): Promise<MessageView> {
    return ((await this.call('edit', { room, id, text })) as OpResult<'edit'>).message;
  }

  async delete(room: string, id: number): Promise<MessageView> {
    return ((await this.call('delete', { room, id })) as OpResult<'delete'>).message;
  }

  async history(
    room: string,
    query: { before?: number; after?: number; limit?: number } = {},
  ): Promise<HistoryPage> {
    return (await this.call('history', { room, ...query })) as HistoryPage;
  }

  async typing(room: string, typing = true): Promise<void> {
    await this.call('typing', { room, typing });
  }

  /**
   * Hear `user_online` / `user_offline` for the whole app (again after each reconnect); returns who is online
   * now.
   */
  async watchOnline(): Promise<UserRef[]> {
    this.watchingOnline = true;
    return ((await this.call('watch_online', {})) as OpResult<'watch_online'>).online;
  }

  async members(room: string): Promise<UserRef[]> {
    return ((await this.call('members', { room })) as OpResult<'members'>).online;
  }

  async mute(user: string, opts: { room?: string; minutes?: number; reason?: string } = {}): Promise<Mute> {
    return ((await this.call('mute', { user, ...opts })) as OpResult<'mute'>).mute;
  }

  async unmute(user: string, opts: { room?: string } = {}): Promise<void> {
    await this.call('unmute', { user, ...opts });
  }

  async ban(user: string, opts: { minutes?: number; reason?: string } = {}): Promise<Ban> {
    return ((await this.call('ban', { user, ...opts })) as OpResult<'ban'>).ban;
  }

  async unban(user: string): Promise<void> {
    await this.call('unban', { user });
  }

  async kick(user: string, opts: { reason?: string } = {}): Promise<void> {
    await this.call('kick', { user, ...opts });
  }

  /** The server's clock (ms since epoch). */
  async ping(): Promise<number> {
    return ((await this.call('ping', undefined)) as OpResult<'ping'>).time;
  }

  // ------------------------------------------------------------------ internals: requests

  /** A plain request: waits for the connection to be open (within the timeout), then sends. */
  private async call(op: NativeOp, data: unknown): Promise<unknown> {
    const started = Date.now();
    const transport = await this.whenOpen(op);
    const left = Math.max(1, this.options.requestTimeoutMs - (Date.now() - started));
    return transport.request(op, data, left);
  }

  private whenOpen(op: string): Promise<Transport> {
    if (this.currentState === 'open' && this.transport) return Promise.resolve(this.transport);
    if (this.currentState === 'closed') {
      return Promise.reject(new ParleyClientError('closed', `The client is closed: ${op} was not sent`));
    }
    const timeoutMs = this.options.requestTimeoutMs;
    return new Promise<Transport>((resolve, reject) => {
      const waiter: OpenWaiter = {
        resolve: (transport) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(transport);
        },
        reject: (err) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          reject(err);
        },
      };
      const timer = setTimeout(
        () => waiter.reject(new ParleyClientError('timeout', `${op}: not connected within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.add(waiter);
    });
  }

  private async transmitSend(pending: PendingSend): Promise<void> {
    const transport = this.transport;
    if (!transport || pending.inFlight || !this.sends.has(pending.key)) return;
    pending.inFlight = true;
    pending.attempts++;
    try {
      const result = (await transport.request(
        'send',
        { room: pending.room, text: pending.text, clientMsgId: pending.clientMsgId },
        this.options.requestTimeoutMs,
      )) as SendResult;
      this.sends.delete(pending.key);
      pending.resolve(result);
    } catch (err) {
      pending.inFlight = false;
      const error = toClientError(err);
      const retry =
        error.code === 'disconnected' &&
        this.options.reconnect &&
        this.currentState !== 'closed' &&
        pending.attempts < MAX_SEND_ATTEMPTS;
      // Lost with the connection: kept, and sent again after the reconnect.
      if (retry) return;
      this.sends.delete(pending.key);
      pending.reject(
        error.code === 'disconnected' && pending.attempts >= MAX_SEND_ATTEMPTS
          ? new ParleyClientError(
              'disconnected',
              `The connection dropped ${pending.attempts} times during this send`,
              {
                details: { clientMsgId: pending.clientMsgId },
              },
            )
          : error,
      );
    }
  }

  private async authenticateOn(transport: Transport): Promise<AuthResult> {
    const credentials = this.credentials;
    if (!credentials) throw new ParleyClientError('unauthorized', 'No credentials', { status: 401 });
    const isGuest = 'guest' in credentials;
    if (isGuest && this.resumeToken) {
      try {
        const resumed = (await transport.request(
          'auth',
          { token: this.resumeToken },
          this.options.requestTimeoutMs,
        )) as AuthResult;
        // The server renews a guest's resume token each time it is used: keep the newest.
        if (resumed.resumeToken) this.resumeToken = resumed.resumeToken;
        this.authResult = { ...resumed, resumeToken: this.resumeToken };
        return this.authResult;
      } catch (err) {
        const error = toClientError(err);
        // An expired or revoked resume token: come back as the nickname instead.
        if (error.code !== 'unauthorized' && error.code !== 'credentials_expired') throw error;
        this.resumeToken = null;
      }
    }
    const result = (await transport.request(
      'auth',
      credentials,
      this.options.requestTimeoutMs,
    )) as AuthResult;
    if (isGuest && result.resumeToken) this.resumeToken = result.resumeToken;
    this.authResult = result;
    return result;
  }

  // ------------------------------------------------------------------ internals: connection

  private async establish(): Promise<{ auth: AuthResult | null; rooms: string[]; failedRooms: string[] }> {
    const generation = ++this.generation;
    this.lastClose = null;
    const handlers: TransportHandlers = {
      event: (name, data) => {
        if (generation === this.generation) this.onServerEvent(name, data);
      },
      error: (body) => {
        if (generation === this.generation) this.emit('error', ParleyClientError.fromBody(body));
      },
      close: (info) => {
        if (generation === this.generation) this.onTransportClose(info);
      },
    };
    const transportOptions = { url: this.options.url, app: this.options.app, handlers };
    const transport = await this.factory(
      this.options.path === undefined ? transportOptions : { ...transportOptions, path: this.options.path },
    );
    if (generation !== this.generation || this.currentState === 'closed') {
      transport.close();
      throw new ParleyClientError('closed', 'The client was closed while connecting');
    }
    this.transport = transport;
    try {
      const auth = this.credentials ? await this.authenticateOn(transport) : null;
      if (auth && this.watchingOnline)
        await transport.request('watch_online', {}, this.options.requestTimeoutMs);
      const { rooms, failedRooms } = await this.rejoin(transport);
      await this.flushSends(transport);
      if (this.transport !== transport) throw new ParleyClientError('disconnected', 'The connection closed');
      this.setState('open');
      return { auth, rooms, failedRooms };
    } catch (err) {
      if (this.transport === transport) {
        this.generation++;
        this.transport = null;
        transport.close();
      }
      throw err;
    }
  }

  /** Re-join every joined room from its cursor: replayed messages become `message` events, gaps `gap` events. */
  private async rejoin(transport: Transport): Promise<{ rooms: string[]; failedRooms: string[] }> {
    const names = [...this.registry.joined];
    for (const room of names) this.hold(room);
    const rooms: string[] = [];
    const outcomes = await Promise.allSettled(
      names.map(async (room) => {
        const cursor = this.registry.cursor(room);
        const data: OpRequest<'join'> = cursor === null ? { room } : { room, sinceSeq: cursor };
        const result = (await transport.request('join', data, this.options.requestTimeoutMs)) as JoinResult;
        // Each room as soon as its reply is in: the gap, the replay, then what came live meanwhile.
        this.absorbJoin(result, true);
        rooms.push(result.room.name);
        this.release(room);
      }),
    );
    const failedRooms: string[] = [];
    let failure: ParleyClientError | null = null;
    outcomes.forEach((outcome, i) => {
      const room = names[i] as string;
      if (outcome.status === 'fulfilled') return;
      // Held events are dropped: the next re-join replays them from the cursor, which they did not move.
      this.held.delete(room);
      const error = toClientError(outcome.reason);
      if (error.fromServer && ROOM_GONE_ERRORS.has(error.code)) {
        this.registry.forget(room);
        failedRooms.push(room);
        this.emit(
          'error',
          new ParleyClientError(error.code, `Could not re-join ${room}: ${error.message}`, {
            ...(error.status === undefined ? {} : { status: error.status }),
            details: { room, op: 'join' },
          }),
        );
      } else {
        failure ??= error;
      }
    });
    if (failure) throw failure;
    return { rooms, failedRooms };
  }

  /** Send again what was lost with the previous connection, in order, before the client reports `open`. */
  private async flushSends(transport: Transport): Promise<void> {
    for (;;) {
      if (this.transport !== transport) return;
      const next = [...this.sends.values()].find((pending) => !pending.inFlight);
      if (!next) return;
      await this.transmitSend(next);
      if (this.sends.get(next.key) === next && !next.inFlight) return; // lost again: the reconnect retries
    }
  }

  /** Record a join reply: mark its messages seen and (for re-joins) deliver the new ones as events. */
  private absorbJoin(result: JoinResult, deliver: boolean): JoinResult {
    const ref = { id: result.room.id, name: result.room.name };
    this.roomNames.set(ref.id, ref.name);
    const tracker = this.registry.tracker(ref.name);
    if (deliver && result.gap) {
      this.emit('gap', { room: ref, afterSeq: result.gap.afterSeq, beforeSeq: result.gap.beforeSeq });
    }
    const fresh = result.messages.filter((message) => tracker.accept(message.seq));
    tracker.advanceTo(result.lastSeq);
    this.registry.markJoined(ref.name);
    if (deliver) for (const message of fresh) this.emit('message', { room: ref, message });
    return { ...result, messages: fresh };
  }

  /** Hold the events of `room` until release(); false when they are held already. */
  private hold(room: string): boolean {
    if (this.held.has(room)) return false;
    this.held.set(room, []);
    return true;
  }

  private release(room: string): void {
    const events = this.held.get(room);
    this.held.delete(room);
    for (const [name, data] of events ?? []) this.onServerEvent(name, data);
  }

  private onServerEvent(name: string, data: unknown): void {
    if (!KNOWN_EVENTS.has(name)) return;
    const roomName = readProp(readProp(data, 'room'), 'name');
    const held = typeof roomName === 'string' ? this.held.get(roomName) : undefined;
    if (held) {
      held.push([name, data]);
      return;
    }
    const event = name as NativeEventName;
    switch (event) {
      case 'message': {
        const payload = data as NativeEventMap['message'];
        const tracker = this.trackerFor(payload.room.name);
        if (tracker && !tracker.accept(payload.message.seq)) return;
        break;
      }
      case 'gap': {
        const payload = data as NativeEventMap['gap'];
        this.trackerFor(payload.room.name)?.advanceTo(payload.beforeSeq - 1);
        break;
      }
      case 'room_deleted': {
        const payload = data as NativeEventMap['room_deleted'];
        this.registry.forget(payload.room.name);
        this.roomNames.delete(payload.room.id);
        break;
      }
      case 'room_updated': {
        const payload = data as NativeEventMap['room_updated'];
        const previous = this.roomNames.get(payload.room.id);
        if (previous !== undefined && previous !== payload.room.name) {
          this.registry.rename(previous, payload.room.name);
          this.roomNames.set(payload.room.id, payload.room.name);
        }
        break;
      }
      default:
        break;
    }
    this.emit(event, data as ClientEventMap[NativeEventName]);
  }

  private trackerFor(room: string) {
    if (this.registry.joined.has(room) || this.joinsInFlight > 0) return this.registry.tracker(room);
    return null;
  }

  private onTransportClose(info: CloseInfo): void {
    this.transport = null;
    this.lastClose = info;
    // While connecting or re-connecting, the attempt in progress fails and decides what comes next.
    if (this.currentState !== 'open') return;
    if (!this.options.reconnect || FINAL_CLOSE_CODES.has(info.code)) {
      this.finish(info);
      return;
    }
    this.setState('reconnecting');
    this.emit('disconnected', { ...info, willReconnect: true });
    this.scheduleReconnect(0);
  }

  private scheduleReconnect(attempt: number): void {
    const delay = backoffDelay(attempt, {
      initialMs: this.options.reconnectDelayMs,
      maxMs: this.options.maxReconnectDelayMs,
    });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.reconnect(attempt + 1);
    }, delay);
  }

  private async reconnect(attempts: number): Promise<void> {
    if (this.currentState !== 'reconnecting') return;
    try {
      const { auth, rooms, failedRooms } = await this.establish();
      const event: ReconnectedEvent = { attempts, rooms, failedRooms, auth };
      this.emit('reconnected', event);
    } catch (err) {
      if (this.currentState !== 'reconnecting') return;
      const error = toClientError(err, 'connect_failed');
      const lastClose = this.lastClose;
      if (lastClose && FINAL_CLOSE_CODES.has(lastClose.code)) {
        this.finish(lastClose);
      } else if (error.fromServer && !RETRYABLE_SERVER_ERRORS.has(error.code)) {
        this.finish(closeInfoForError(error));
      } else if (attempts >= this.options.maxReconnectAttempts) {
        this.finish({
          code: lastClose?.code ?? 1006,
          reason: 'connection_lost',
          message: `Gave up after ${attempts} attempts: ${error.message}`,
        });
      } else {
        this.scheduleReconnect(attempts);
      }
    }
  }

  /** Closed for good: tell everyone waiting, then the application. */
  private finish(info: CloseInfo): void {
    if (this.currentState === 'closed') return;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.generation++;
    this.held.clear();
    const transport = this.transport;
    this.transport = null;
    transport?.close();
    this.setState('closed');
    const error = new ParleyClientError('closed', `The client is closed (${info.reason})`, {
      details: { reason: info.reason, code: info.code },
    });
    for (const waiter of [...this.waiters]) waiter.reject(error);
    const sends = [...this.sends.values()];
    this.sends.clear();
    for (const pending of sends) pending.reject(error);
    const event: DisconnectedEvent = { ...info, willReconnect: false };
    this.emit('disconnected', event);
  }

  private setState(state: ClientState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.emit('state', state);
    if (state === 'open' && this.transport) {
      const transport = this.transport;
      for (const waiter of [...this.waiters]) waiter.resolve(transport);
      // Sends queued while connecting were flushed by establish(); anything queued since goes now.
      for (const pending of this.sends.values()) if (!pending.inFlight) void this.transmitSend(pending);
    }
  }
}

function errorBody(error: ParleyClientError) {
  return {
    code: error.code as ErrorCode,
    status: error.status ?? 500,
    message: error.message,
    ...(error.details ? { details: error.details } : {}),
  };
}

/** A refused authentication as a close: the catalogue code for it when there is one (4003 otherwise). */
function closeInfoForError(error: ParleyClientError): CloseInfo {
  const entry = (DISCONNECT_REASONS as Record<string, { code: number; message: string } | undefined>)[
    error.code
  ];
  return {
    code: entry?.code ?? DISCONNECT_REASONS.unauthorized.code,
    reason: error.code,
    message: error.message,
    error: errorBody(error),
  };
}
