/**
 * The typed Parley client: one API over both framings, with reconnect, re-authentication, re-joining with
 * `sinceSeq`, de-duplication by seq, gap reporting and retried sends. See docs/protocol.md ([proto.client]).
 * This file holds the public API and the connection's life (connect, reconnect, close); the parts it drives
 * each have a file: rooms.ts (joined rooms, resume, held events), sends.ts (sends retried across reconnects),
 * identity.ts (credentials and the guest resume token), waiters.ts (requests waiting for the connection),
 * policy.ts (which closes and errors are final), requests.ts (the plain requests: one operation, one reply).
 */
import type {
  AuthResult,
  JoinResult,
  NativeEventMap,
  NativeEventName,
  NativeOp,
  OpRequest,
  OpResult,
  SendResult,
  User,
  UserRef,
} from '../protocol/native.js';
import { backoffDelay, hintedDelay } from './backoff.js';
import { ParleyClientError, toClientError } from './errors.js';
import { ClientIdentity } from './identity.js';
import {
  closeInfoForError,
  errorBody,
  FINAL_CLOSE_CODES,
  RETRYABLE_SERVER_ERRORS,
  retryHintMs,
} from './policy.js';
import { ClientRequests } from './requests.js';
import { RoomBook } from './rooms.js';
import { newClientMsgId, SendQueue } from './sends.js';
import { tabShareFor, type TabShare } from './tab-share.js';
import type { CloseInfo, Transport, TransportFactory, TransportHandlers } from './transport.js';
import { createSocketIoTransportFactory } from './transport-socketio.js';
import { createWsTransportFactory } from './transport-ws.js';
import { OpenWaiters } from './waiters.js';
import type {
  BotCommandEvent,
  ClientCredentials,
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

type RequestArgs<O extends NativeOp> =
  Record<string, never> extends OpRequest<O> ? [data?: OpRequest<O>] : [data: OpRequest<O>];

export class ParleyClient extends ClientRequests {
  private readonly options: ParleyClientOptions & typeof DEFAULTS;
  private readonly factory: TransportFactory;
  /** Sharing one connection with the other tabs of this browser (tab-share.ts); null: a connection of its own. */
  private readonly tabs: TabShare | null;
  private readonly identity: ClientIdentity;
  private watchingOnline = false;
  private transport: Transport | null = null;
  /** Bumped for every connection attempt: callbacks of older transports are ignored. */
  private generation = 0;
  private currentState: ClientState = 'closed';
  private lastClose: CloseInfo | null = null;
  private readonly book = new RoomBook((event, data) => {
    this.emit<NativeEventName>(event, data);
    if (event === 'online_changed') this.emitEachUser(data as NativeEventMap['online_changed']);
  });
  private readonly sends: SendQueue;
  private readonly waiters = new OpenWaiters();
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: ParleyClientOptions) {
    super();
    const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
    this.options = { ...DEFAULTS, ...(defined as unknown as ParleyClientOptions) };
    this.identity = new ClientIdentity(options.credentials ?? null);
    const own =
      options.transport === 'socket.io'
        ? createSocketIoTransportFactory(options.socketIo)
        : createWsTransportFactory(options.WebSocket);
    this.tabs = tabShareFor(this.options, own, (request, result) => this.identity.upgraded(request, result));
    this.factory = this.tabs?.factory ?? own;
    this.sends = new SendQueue({
      transport: () => this.transport,
      requestTimeoutMs: this.options.requestTimeoutMs,
      keepsLostSends: () => this.options.reconnect && this.currentState !== 'closed',
    });
  }

  // ------------------------------------------------------------------ state

  get state(): ClientState {
    return this.currentState;
  }

  /** The authenticated user, once connected with credentials. */
  get user(): User | null {
    return this.identity.user;
  }

  /** With `shareAcrossTabs`: whether this tab holds the shared connection (`leader`) or uses another's. */
  get tabRole(): 'leader' | 'follower' | 'own' {
    if (!this.tabs) return 'own';
    return this.tabs.leading ? 'leader' : 'follower';
  }

  /** The rooms the client has joined (and re-joins after a reconnect). */
  get rooms(): string[] {
    return [...this.book.joined];
  }

  /** The seq up to which every message of `room` has been delivered: what a re-join resumes from. */
  lastSeq(room: string): number | null {
    return this.book.cursor(room);
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
        const { clientMsgId, replyTo } = input;
        result = await this.send(input.room, input.text, {
          ...(clientMsgId === undefined ? {} : { clientMsgId }),
          ...(replyTo === undefined ? {} : { replyTo }),
        });
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
    const restore = this.identity.replace(credentials);
    try {
      return await this.identity.authenticateOn(transport, this.options.requestTimeoutMs);
    } catch (err) {
      restore();
      throw err;
    }
  }

  /** New credentials for the same user; used from then on for reconnects. */
  async refresh(credentials: { token: string } | { jwt: string }): Promise<{ expiresAt: number | null }> {
    const result = (await this.call('refresh', credentials)) as OpResult<'refresh'>;
    this.identity.refreshed(credentials, result.expiresAt);
    return result;
  }

  /**
   * A guest signs in without reconnecting (a token, a site JWT, or a username and password, `register` to create
   * the account): the connection keeps its rooms, and reconnects authenticate as the new user.
   */
  async upgrade(request: OpRequest<'upgrade'>): Promise<OpResult<'upgrade'>> {
    const result = (await this.call('upgrade', request)) as OpResult<'upgrade'>;
    this.identity.upgraded(request, result);
    return result;
  }

  /**
   * Join a room. The result's messages are the recent history (or, with `sinceSeq`, what came after it);
   * messages already delivered as `message` events are left out of it, so each message reaches the
   * application once. The client re-joins the room after every reconnect.
   */
  async join(room: string, opts: { sinceSeq?: number } = {}): Promise<JoinResult> {
    const holding = this.book.startJoin(room);
    try {
      const data: OpRequest<'join'> =
        opts.sinceSeq === undefined ? { room } : { room, sinceSeq: opts.sinceSeq };
      const result = (await this.call('join', data)) as JoinResult;
      return this.book.absorbJoin(result, false);
    } finally {
      this.book.endJoin(room, holding);
    }
  }

  async leave(room: string): Promise<void> {
    await this.call('leave', { room });
    this.book.left(room);
  }

  /**
   * Send a message. Without `clientMsgId` one is generated; when the connection drops before the reply, the
   * send is repeated after the reconnect with the same clientMsgId (the server answers `duplicate: true` if the
   * first one had arrived), so that the promise settles with the one message. `replyTo`: the id of the message
   * of the same room this one answers; `attachments`: ids of uploads for the room (docs/attachments.md).
   */
  send(
    room: string,
    text: string,
    opts: { clientMsgId?: string; replyTo?: number; attachments?: string[] } = {},
  ): Promise<SendResult> {
    if (this.currentState === 'closed') {
      return Promise.reject(new ParleyClientError('closed', 'The client is closed'));
    }
    const clientMsgId = opts.clientMsgId ?? newClientMsgId();
    const { replyTo = null, attachments = [] } = opts;
    return this.sends.add(room, text, clientMsgId, this.currentState === 'open', replyTo, attachments);
  }

  /**
   * As a bot (credentials `{ apiKey }`): hear the commands users type for it (`command` events); `reply` sends
   * the text in the command's room, joining it first when the bot is not there yet. Returns what stops it.
   */
  onCommand(listener: (command: BotCommandEvent) => void): () => void {
    return this.on('command', (data) => {
      listener({ ...data, reply: (text) => this.sendIn(data.room.name, text) });
    });
  }

  private async sendIn(room: string, text: string): Promise<SendResult> {
    if (!this.book.joined.has(room)) await this.join(room);
    return this.send(room, text);
  }

  /**
   * Hear `online_changed` batches (and, per user, `user_online` / `user_offline`) for the whole app, again
   * after each reconnect; returns who is online now.
   */
  async watchOnline(): Promise<UserRef[]> {
    this.watchingOnline = true;
    return ((await this.call('watch_online', {})) as OpResult<'watch_online'>).online;
  }

  // ------------------------------------------------------------------ internals: requests

  /** A plain request: waits for the connection to be open (within the timeout), then sends. */
  protected async call(op: NativeOp, data: unknown): Promise<unknown> {
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
    return this.waiters.wait(op, this.options.requestTimeoutMs);
  }

  // ------------------------------------------------------------------ internals: connection

  private async establish(): Promise<{ auth: AuthResult | null; rooms: string[]; failedRooms: string[] }> {
    const generation = ++this.generation;
    this.lastClose = null;
    const handlers: TransportHandlers = {
      event: (name, data) => {
        if (generation === this.generation) this.book.receive(name, data);
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
      const auth = this.identity.hasCredentials
        ? await this.identity.authenticateOn(transport, this.options.requestTimeoutMs)
        : null;
      if (auth && this.watchingOnline)
        await transport.request('watch_online', {}, this.options.requestTimeoutMs);
      const { rooms, failedRooms } = await this.book.rejoin(
        transport,
        this.options.requestTimeoutMs,
        (error) => this.emit('error', error),
      );
      await this.sends.flush(transport);
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

  /** The next attempt after the backoff, or, when the server said how long to wait, after that and some jitter. */
  private scheduleReconnect(attempt: number, hintMs: number | null = null): void {
    const delay =
      hintMs !== null
        ? hintedDelay(hintMs)
        : backoffDelay(attempt, {
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
        this.scheduleReconnect(attempts, retryHintMs(error));
      }
    }
  }

  /** Closed for good: tell everyone waiting, then the application. */
  private finish(info: CloseInfo): void {
    if (this.currentState === 'closed') return;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.generation++;
    this.book.clearHeld();
    const transport = this.transport;
    this.transport = null;
    transport?.close();
    this.tabs?.stop();
    this.setState('closed');
    const error = new ParleyClientError('closed', `The client is closed (${info.reason})`, {
      details: { reason: info.reason, code: info.code },
    });
    this.waiters.rejectAll(error);
    this.sends.rejectAll(error);
    const event: DisconnectedEvent = { ...info, willReconnect: false };
    this.emit('disconnected', event);
  }

  /** A presence batch, also told per user for listeners of `user_online` / `user_offline`. */
  private emitEachUser(batch: NativeEventMap['online_changed']): void {
    for (const user of batch.offline) this.emit('user_offline', { user });
    for (const user of batch.online) this.emit('user_online', { user });
  }

  private setState(state: ClientState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.emit('state', state);
    if (state === 'open' && this.transport) {
      const transport = this.transport;
      this.waiters.resolveAll(transport);
      // Sends queued while connecting were flushed by establish(); anything queued since goes now.
      this.sends.transmitWaiting();
    }
  }
}
