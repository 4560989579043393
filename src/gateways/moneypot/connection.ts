/**
 * One moneypot socket: its state (fresh → authenticating → ready → closed), the first-auth-only rule, the
 * session's sink (events held while auth is answered, then lobby events only), new_message in order, and
 * cleanup. The socket.io edge (socketio.ts) owns the socket and hands this class the events it receives.
 */
import { disconnect } from '../../core/disconnect.js';
import type { Disconnect } from '../../core/disconnect.js';
import { isParleyError, ParleyError } from '../../core/errors.js';
import { isStaff } from '../../core/roles.js';
import type { App, AppId } from '../../core/types.js';
import type { Session } from '../../engine/api.js';
import type { Principal } from '../../core/identity.js';
import type { EngineEvent } from '../../engine/events.js';
import { originAllowed } from '../kernel/admission.js';
import { ConnectionKernel } from '../kernel/connection.js';
import type { GatewayDeps } from '../types.js';
import { concernsLobby, packetFor, toMessage, toUser } from './frames.js';
import { joinLobby, openSession } from './lobby.js';
import { buildMuteList } from './muteList.js';
import type { CallbackError, MoneypotAuthData, MoneypotMessage, MoneypotUser } from './protocol.js';
import {
  CALLBACK_ERRORS,
  CLIENT_ERRORS,
  CLIENT_EVENTS,
  MAX_HELD_EVENTS,
  MONEYPOT_DIALECT,
  SERVER_EVENTS,
  SYSTEM_MESSAGES,
} from './protocol.js';
import type { Reply } from './replies.js';
import { replyToError, replyToResult } from './replies.js';
import type { Callback } from './validation.js';
import { parseAuthPayload, parseMessageText, splitArgs } from './validation.js';
import { settled } from '../kernel/settled.js';
import { KernelConnection } from '../kernel/kernelConnection.js';

/** What the connection needs from its socket. */
export interface Outbox {
  /** Emit one event to this socket (dropped once it is disconnected). */
  emit(name: string, payload: unknown): void;
  /** Write an already encoded socket.io packet (shared by every recipient of an engine event). */
  writePacket(packet: string): void;
  bufferedBytes(): number;
  /** Tell the client why, then end the socket; the edge calls closedBySocket() when it is gone. */
  close(reason: Disconnect): void;
  /** The Origin header of the handshake, if any. */
  readonly origin: string | undefined;
  readonly transport: string;
}

type State =
  | { kind: 'fresh' }
  | { kind: 'authenticating' }
  | { kind: 'ready'; session: Session; lobbyId: number; lobbyName: string }
  | { kind: 'closed' };

/** An auth that was refused without using up the socket's one auth: the client may fix it and try again. */
class AuthRefusal extends Error {
  constructor(
    readonly clientError: string | null,
    readonly callbackError: CallbackError,
  ) {
    super(clientError ?? callbackError);
  }
}

export class MoneypotConnection extends KernelConnection {
  /** Holds the session as soon as it is opened (before it is ready), so that a close can release it. */
  protected readonly kernel: ConnectionKernel;
  private state: State = { kind: 'fresh' };
  /** Events that came while the auth reply was being prepared: sent after it. */
  private held: EngineEvent[] = [];
  private pendingAuth: Promise<void> | null = null;

  constructor(
    private readonly deps: GatewayDeps,
    private readonly outbox: Outbox,
  ) {
    super();
    // A socket that never authenticates does not hold a connection for ever. new_message handling runs one
    // at a time, in arrival order, through the kernel's inbox.
    this.kernel = new ConnectionKernel(deps, {
      dialect: MONEYPOT_DIALECT,
      transport: outbox.transport,
      bufferedBytes: () => outbox.bufferedBytes(),
      deliver: (event) => this.deliver(event),
      end: (reason) => this.terminate(reason),
      authenticated: () => this.state.kind === 'ready',
    });
  }

  get closed(): boolean {
    return this.state.kind === 'closed';
  }

  /** The state, read afresh (not narrowed by earlier checks across an await). */
  private get current(): State {
    return this.state;
  }

  // ------------------------------------------------------------------------------------------------ inbound

  /** One event from the client, whatever its name and arguments. Never throws. */
  handle(name: unknown, args: readonly unknown[]): void {
    if (this.closed) return;
    const { params, callback } = splitArgs(args);
    if (name === CLIENT_EVENTS.auth) {
      // auth answers its own failures; this catch is a last line against a bug.
      this.auth(params, callback).catch((err: unknown) => this.logFailure(err, CLIENT_EVENTS.auth));
      return;
    }
    if (name === CLIENT_EVENTS.newMessage) {
      this.enqueueMessage(params, callback);
      return;
    }
    this.refuseInvalid(CLIENT_ERRORS.unknownEvent(String(name)), callback);
  }

  private async auth(params: unknown[], callback: Callback | null): Promise<void> {
    if (!callback) {
      this.refuseInvalid(CLIENT_ERRORS.authNoCallback, null);
      return;
    }
    if (this.state.kind !== 'fresh') {
      this.clientError(CLIENT_ERRORS.authAlready);
      this.answer(callback, CALLBACK_ERRORS.clientError);
      return;
    }
    if (params.length > 1) {
      this.refuseInvalid(CLIENT_ERRORS.authArguments, callback);
      return;
    }
    const payload = parseAuthPayload(params[0]);
    if (!payload.ok) {
      this.refuseInvalid(payload.error, callback);
      return;
    }
    this.state = { kind: 'authenticating' };
    const attempt = this.authenticate(payload.value.appId, payload.value.hash);
    this.pendingAuth = settled(attempt);
    try {
      const data = await attempt;
      // Read through a getter: the socket may have closed while the auth ran.
      if (this.current.kind !== 'ready') return;
      this.answer(callback, null, data);
      this.releaseHeld();
    } catch (err) {
      this.abandonSession();
      if (this.current.kind === 'authenticating') this.state = { kind: 'fresh' };
      if (this.closed) return;
      if (err instanceof AuthRefusal) {
        if (err.clientError !== null) this.clientError(err.clientError);
        this.answer(callback, err.callbackError);
        return;
      }
      const reply = replyToError(err);
      if (reply.internal) this.logFailure(err, CLIENT_EVENTS.auth);
      if (reply.systemMessage !== undefined) this.systemMessage(reply.systemMessage);
      this.answer(callback, CALLBACK_ERRORS.internal);
    } finally {
      this.pendingAuth = null;
    }
  }

  /** The auth itself: app, origin, credentials, session, lobby; answers the callback's data. */
  private async authenticate(appId: AppId, hash: string | null): Promise<MoneypotAuthData> {
    const app = await this.appOf(appId);
    if (!originAllowed(this.deps, app, this.outbox.origin)) {
      throw new AuthRefusal(CLIENT_ERRORS.authOriginNotAllowed, CALLBACK_ERRORS.clientError);
    }
    const principal = hash === null ? null : await this.principalFor(appId, hash);
    if (this.closed) throw new ParleyError('unavailable', 'The socket is closed');
    const session = await openSession(this.deps.engine, appId, principal, this.kernel.sink, {
      transport: this.outbox.transport,
      dialect: MONEYPOT_DIALECT,
    });
    if (!this.kernel.slot.fill(session)) throw new ParleyError('unavailable', 'The socket is closed');
    const joined = await joinLobby(session);
    const user = session.principal.anonymous === true ? null : session.user;
    const muteList = user && isStaff(user.role) ? await buildMuteList(session, joined.room.id) : {};
    if (this.closed) throw new ParleyError('unavailable', 'The socket is closed');
    // Present users once each (the engine counts users, not sockets), keyed by their case-sensitive name.
    const users = Object.fromEntries(
      joined.online.map((u): [string, MoneypotUser] => [u.username, toUser(u)]),
    );
    const history = joined.messages.map(toMessage).filter((m): m is MoneypotMessage => m !== null);
    this.state = { kind: 'ready', session, lobbyId: joined.room.id, lobbyName: joined.room.name };
    this.kernel.signedIn();
    const room = { users, history, muteList };
    return user ? { user: toUser(user), room } : { room };
  }

  private async appOf(appId: AppId): Promise<App> {
    try {
      return await this.deps.engine.getApp(appId);
    } catch (err) {
      if (isParleyError(err) && err.code === 'not_found') {
        throw new AuthRefusal(CLIENT_ERRORS.authUnknownApp(appId), CALLBACK_ERRORS.clientError);
      }
      throw err;
    }
  }

  /**
   * The user of a hashed token, or null: an unknown, expired or malformed hash gives an anonymous reader, as
   * the document says. A banned user is told so and reads anonymously like anyone without a token.
   */
  private async principalFor(appId: AppId, hash: string): Promise<Principal | null> {
    try {
      return await this.deps.engine.authenticate(appId, { kind: 'token_hash', hash });
    } catch (err) {
      if (!isParleyError(err)) throw err;
      switch (err.code) {
        case 'unauthorized':
        case 'credentials_expired':
        case 'bad_request':
          return null;
        case 'banned':
          this.systemMessage(err.message === 'You are banned' ? SYSTEM_MESSAGES.banned : err.message);
          return null;
        case 'not_found':
          throw new AuthRefusal(CLIENT_ERRORS.authUnknownApp(appId), CALLBACK_ERRORS.clientError);
        default:
          throw err;
      }
    }
  }

  private enqueueMessage(params: unknown[], callback: Callback | null): void {
    const taken = this.kernel.inbox.offer(() =>
      this.newMessage(params, callback).catch((err: unknown) => {
        // newMessage answers its own failures; this is a last line against a bug.
        this.logFailure(err, CLIENT_EVENTS.newMessage);
        this.answer(callback, CALLBACK_ERRORS.internal);
      }),
    );
    if (!taken) {
      this.clientError(CLIENT_ERRORS.tooManyPending);
      this.answer(callback, CALLBACK_ERRORS.rateLimited);
    }
  }

  private async newMessage(params: unknown[], callback: Callback | null): Promise<void> {
    if (this.pendingAuth) await this.pendingAuth;
    if (this.closed) return;
    if (params.length !== 1) {
      this.refuseInvalid(CLIENT_ERRORS.messageArguments, callback);
      return;
    }
    const state = this.state;
    if (state.kind !== 'ready') {
      this.clientError(CLIENT_ERRORS.authFirst);
      this.answer(callback, CALLBACK_ERRORS.userRequired);
      return;
    }
    if (state.session.principal.anonymous === true) {
      this.answer(callback, CALLBACK_ERRORS.userRequired);
      return;
    }
    const text = parseMessageText(params[0]);
    if (!text.ok) {
      this.refuseInvalid(text.error, callback);
      return;
    }
    let reply: Reply;
    try {
      reply = replyToResult(await state.session.send(state.lobbyName, { text: text.value }), text.value);
    } catch (err) {
      reply = replyToError(err);
      if (reply.internal) this.logFailure(err, CLIENT_EVENTS.newMessage);
    }
    if (reply.clientError !== undefined) this.clientError(reply.clientError);
    if (reply.systemMessage !== undefined) this.systemMessage(reply.systemMessage);
    this.answer(callback, reply.error);
  }

  // ------------------------------------------------------------------------------------------------ outbound

  private deliver(event: EngineEvent): void {
    const state = this.state;
    if (state.kind === 'closed') return;
    if (state.kind !== 'ready') {
      if (this.held.length >= MAX_HELD_EVENTS) {
        this.terminate(disconnect('slow_consumer'));
        return;
      }
      this.held.push(event);
      return;
    }
    if (!concernsLobby(event, state.lobbyId)) return;
    const packet = packetFor(event);
    if (packet !== null) this.outbox.writePacket(packet);
  }

  private releaseHeld(): void {
    const held = this.held;
    this.held = [];
    for (const event of held) this.deliver(event);
  }

  private terminate(reason: Disconnect): void {
    if (this.closed) return;
    this.outbox.close(reason);
    this.closedBySocket();
  }

  /** [proto.invalid-frames] An invalid event's error, unless it is one too many and the connection ends. */
  private refuseInvalid(text: string, callback: Callback | null): void {
    if (this.kernel.refuseInvalid()) return;
    this.clientError(text);
    this.answer(callback, CALLBACK_ERRORS.clientError);
  }

  private clientError(text: string): void {
    this.reply(() => this.outbox.emit(SERVER_EVENTS.clientError, text));
  }

  private systemMessage(text: string): void {
    this.reply(() => this.outbox.emit(SERVER_EVENTS.systemMessage, text));
  }

  /** Call a client's callback once: `(err)` or `(null, data)`. A callback that throws is the client's bug. */
  private answer(callback: Callback | null, error: CallbackError | null, data?: unknown): void {
    if (!callback) return;
    this.reply(() => {
      try {
        if (error !== null) callback(error);
        else if (data === undefined) callback(null);
        else callback(null, data);
      } catch (err) {
        this.logFailure(err, 'callback');
      }
    });
  }

  /** Everything written in answer to the client goes through the outbound bound, as pushes do. */
  private reply(write: () => void): void {
    if (!this.closed) this.kernel.outbound.write(write);
  }

  private logFailure(err: unknown, op: string): void {
    this.kernel.fail(err, op);
  }

  // ------------------------------------------------------------------------------------------------ cleanup

  /** Close a session opened by an auth that then failed; the socket may auth again. */
  private abandonSession(): void {
    this.held = [];
    this.kernel.slot.release();
  }

  /** The socket is gone, whatever closed it: release the session exactly once. */
  closedBySocket(): void {
    if (this.closed) return;
    this.state = { kind: 'closed' };
    this.held = [];
    this.kernel.closedBySocket();
  }
}
