/**
 * One numeric connection: logs in with the nickname of its URL, then runs the client's frames one after the
 * other (so that replies come in the order of the requests) against its engine session. The socket side
 * (src/gateways/numeric/ws.ts) hands it text frames and tells it when the socket is gone.
 *
 * States: admitting → open → closing (logout, kick, shutdown...) → closed (the socket is gone).
 */
import { disconnect } from '../../core/disconnect.js';
import type { Disconnect, DisconnectReason } from '../../core/disconnect.js';
import { isParleyError, ParleyError, toParleyError } from '../../core/errors.js';
import { TokenBucket } from '../../core/tokenBucket.js';
import type { AppId } from '../../core/types.js';
import type { Session } from '../../engine/api.js';
import type { EngineEvent } from '../../engine/events.js';
import { admitApp } from '../kernel/admission.js';
import { ConnectionKernel } from '../kernel/connection.js';
import type { GatewayDeps } from '../types.js';
import { joinChannel, leaveChannel, listUsers, NumericRefusal, sendMessage } from './commands.js';
import type { CommandContext } from './commands.js';
import { BAD_APP, errorText, TOO_FAST, TOO_MANY_PENDING } from './errors.js';
import type { ErrorContext } from './errors.js';
import { presenceFrames, sharedFrame } from './events.js';
import { channelFrame, errorFrame, parseClientFrame, TYPE, userFrame } from './frames.js';
import type { Command } from './frames.js';
import { isNick, NICK_RULE } from './rules.js';
import { KernelConnection } from '../kernel/kernelConnection.js';
import type { SharedTextFrame } from '../wsFrame.js';
import type { WsSocket } from '../wsHost.js';

export const NUMERIC_DIALECT = 'numeric';

/** The socket as a connection sees it: the shared WebSocket host's. */
export type SocketPort = WsSocket;

/** What the upgrade request said: the URL-decoded nickname (null when it does not decode), `?app=`, Origin. */
export interface LoginRequest {
  nick: string | null;
  app: string | null;
  origin: string | undefined;
  /** The peer's address: new guests per address are limited (the sign-in limits). */
  address?: string;
}

/** Channels one connection may create: a burst, then one every 12 s. */
const CREATE_BURST = 5;
const CREATE_PER_SECOND = 1 / 12;

const CONTEXT: Record<Command['kind'], ErrorContext> = {
  message: 'send',
  login: 'login',
  logout: 'login',
  join: 'join',
  leave: 'leave',
  list: 'list',
};

/** `?app=N`: a positive integer; absent or empty means app 1. */
export function parseAppParam(raw: string | null): AppId {
  if (raw === null || raw === '') return 1;
  if (!/^[1-9]\d{0,8}$/.test(raw)) throw new NumericRefusal(BAD_APP);
  return Number(raw);
}

/** Closes the client is told of in an error frame first (others end with the close alone). */
const TOLD_BEFORE_CLOSE: ReadonlySet<DisconnectReason> = new Set([
  'kicked',
  'banned',
  'credentials_expired',
  'revoked',
]);

function closeReasonFor(code: ParleyError['code']): DisconnectReason {
  return code === 'banned' ? 'banned' : 'unauthorized';
}

export class NumericConnection extends KernelConnection {
  protected readonly kernel: ConnectionKernel;
  appId: AppId = 0;
  userId = 0;
  private state: 'admitting' | 'open' | 'closing' | 'closed' = 'admitting';
  /** Channels joined through this connection: room id → name. */
  private readonly rooms = new Map<number, string>();
  private control: TokenBucket | null = null;
  private readonly creations = new TokenBucket(CREATE_BURST, CREATE_PER_SECOND, Date.now());
  private readonly context: CommandContext;
  /** Why a moderator is about to disconnect this user (kicked/banned events come before the close). */
  private farewell: string | null = null;

  constructor(
    private readonly deps: GatewayDeps,
    private readonly socket: SocketPort,
  ) {
    super();
    this.kernel = new ConnectionKernel(deps, {
      dialect: NUMERIC_DIALECT,
      transport: 'ws',
      bufferedBytes: () => socket.bufferedBytes(),
      deliver: (event) => this.deliver(event),
      end: (reason) => this.terminate(reason),
      authenticated: () => this.state !== 'admitting',
    });
    const appId = () => this.appId;
    this.context = {
      deps,
      get appId() {
        return appId();
      },
      rooms: this.rooms,
      creations: this.creations,
      push: (frame) => this.push(frame),
    };
  }

  /** Logs in; frames received meanwhile wait for it in the inbox. */
  start(request: LoginRequest): void {
    this.kernel.inbox.offer(() => this.login(request).catch((err: unknown) => this.refuse(err)));
  }

  /** A frame from the socket: text, or null for a binary frame. */
  receive(text: string | null): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    if (!this.kernel.inbox.offer(() => this.handle(text))) this.push(errorFrame(TOO_MANY_PENDING));
  }

  /** The socket is gone, whatever closed it: release the session exactly once. */
  socketClosed(): void {
    this.state = 'closed';
    this.kernel.closedBySocket();
  }

  /** Writes a frame; a client that does not read is cut off as the engine would (slow_consumer). */
  push(frame: string | SharedTextFrame): void {
    if (this.state === 'closed') return;
    this.kernel.outbound.write(() =>
      typeof frame === 'string' ? this.socket.send(frame) : this.socket.sendFrame(frame.frame),
    );
  }

  // ------------------------------------------------------------------------------------------ login

  private async login(request: LoginRequest): Promise<void> {
    const { engine } = this.deps;
    if (request.nick === null || !isNick(request.nick)) throw new NumericRefusal(NICK_RULE);
    const appId = parseAppParam(request.app);
    const app = await admitApp(this.deps, appId, request.origin);
    const principal = await engine.authenticate(
      appId,
      { kind: 'guest', nickname: request.nick },
      request.address,
    );
    if (this.state !== 'admitting') return;
    this.appId = appId;
    this.userId = principal.user.id;
    const session = engine.openSession(principal, this.kernel.sink, {
      transport: 'ws',
      dialect: NUMERIC_DIALECT,
      appPresence: true, // the dialect's login/logout frames are app-wide
    });
    if (!this.kernel.slot.fill(session)) return;
    // Two logins with one nickname at the same moment both pass authenticate(): the later one gives way.
    const entry = engine.online(appId).find((e) => e.user.id === principal.user.id);
    if (entry && entry.connections > 1) {
      this.kernel.slot.release();
      throw new ParleyError('conflict');
    }
    this.state = 'open';
    this.kernel.signedIn();
    const flood = app.settings.flood;
    this.control = new TokenBucket(
      Math.max(20, 4 * flood.burst),
      Math.max(5, 4 * flood.perSecond),
      Date.now(),
    );
    this.push(userFrame(TYPE.login, session.user.username));
  }

  /** A refused login: `{type: -1, message}`, then the socket closes (4003, or 4005 when banned). */
  private refuse(err: unknown): void {
    if (this.state === 'closed') return;
    let message: string;
    let reason: DisconnectReason = 'unauthorized';
    let code: number | null = null;
    if (err instanceof NumericRefusal) {
      message = err.message;
    } else {
      const error = toParleyError(err);
      if (!isParleyError(err)) this.logUnexpected(err, 'login');
      message = errorText(error, 'login');
      reason = closeReasonFor(error.code);
      if (error.code === 'internal' || error.code === 'unavailable') code = 1011;
    }
    this.push(errorFrame(message));
    const entry = disconnect(reason);
    this.state = 'closing';
    this.socket.close(code ?? entry.code, entry.reason);
  }

  // ------------------------------------------------------------------------------------------ requests

  private async handle(text: string | null): Promise<void> {
    const session = this.session;
    if (this.state !== 'open' || !session) return;
    const parsed =
      text === null
        ? { ok: false as const, message: 'Binary frames are not supported.' }
        : parseClientFrame(text);
    // [proto.invalid-frames] Counted before the control bucket, which would otherwise answer it as too fast.
    if (!parsed.ok && this.kernel.refuseInvalid()) return;
    const isMessage = parsed.ok && parsed.command.kind === 'message';
    // Messages are held to the app's flood limit by the engine; everything else to this connection's bucket.
    if (!isMessage && this.control && !this.control.take(Date.now()).ok) {
      this.push(errorFrame(TOO_FAST));
      return;
    }
    if (!parsed.ok) {
      this.push(errorFrame(parsed.message));
      return;
    }
    const command = parsed.command;
    try {
      await this.run(command, session);
    } catch (err) {
      if (err instanceof NumericRefusal) {
        this.push(errorFrame(err.message));
        return;
      }
      if (!isParleyError(err)) this.logUnexpected(err, command.kind);
      const error = toParleyError(err);
      if (this.kernel.refuses(error.code)) return;
      this.push(errorFrame(errorText(error, CONTEXT[command.kind])));
    }
  }

  private async run(command: Command, session: Session): Promise<void> {
    const own = session.user.username;
    switch (command.kind) {
      case 'login':
        if (command.user !== null && command.user.toLowerCase() !== own.toLowerCase()) {
          throw new NumericRefusal(`You are already logged in as ${own}.`);
        }
        this.push(userFrame(TYPE.login, own));
        return;
      case 'logout':
        if (command.user !== null && command.user.toLowerCase() !== own.toLowerCase()) {
          throw new NumericRefusal('You can only log yourself out.');
        }
        this.logout();
        return;
      case 'join':
        return joinChannel(this.context, session, command.channel);
      case 'leave':
        return leaveChannel(this.context, session, command.channel);
      case 'list':
        return listUsers(this.context, session, command.channel);
      case 'message':
        return sendMessage(this.context, session, command);
    }
  }

  /** A logout is a deliberate leave: the engine tells every dialect and node at once, no grace period. */
  private logout(): void {
    this.state = 'closing';
    this.kernel.closedBySocket({ immediate: true });
    const entry = disconnect('logout');
    this.socket.close(entry.code, entry.reason);
  }

  // ------------------------------------------------------------------------------------------ engine → client

  private deliver(event: EngineEvent): void {
    if (this.state === 'closed') return;
    switch (event.type) {
      case 'online_changed':
        // A frame per user; this client's own login is confirmed by the gateway (the engine is silent on a
        // quick return).
        for (const { userId, login, frame } of presenceFrames(event)) {
          if (!(login && userId === this.userId)) this.push(frame);
        }
        return;
      case 'kicked':
        if (event.user.id === this.userId) {
          this.farewell = event.reason ? `You were kicked: ${event.reason}` : 'You were kicked.';
        }
        return;
      case 'banned':
        if (event.user.id === this.userId) {
          this.farewell = event.reason ? `You are banned: ${event.reason}` : 'You are banned.';
        }
        return;
      case 'room_updated':
        if (this.rooms.has(event.room.id)) this.rooms.set(event.room.id, event.room.name);
        return;
      case 'room_deleted': {
        // The engine forgets a deleted room silently; the client is told it is no longer in the channel.
        const name = this.rooms.get(event.room.id);
        if (name !== undefined && this.session) {
          this.rooms.delete(event.room.id);
          this.push(channelFrame(TYPE.leave, name, this.session.user.username));
        }
        return;
      }
      default:
        break;
    }
    const frame = sharedFrame(event);
    if (frame !== null) this.push(frame);
  }

  private terminate(reason: Disconnect): void {
    if (this.state === 'closed') return;
    if (TOLD_BEFORE_CLOSE.has(reason.reason)) {
      this.push(errorFrame(this.farewell ?? reason.message));
    }
    this.close(reason);
  }

  private close(reason: Disconnect): void {
    if (this.state === 'closed') return;
    this.state = 'closing';
    this.socket.close(reason.code, reason.reason);
  }

  private logUnexpected(err: unknown, step: string): void {
    this.kernel.fail(err, step);
  }
}
