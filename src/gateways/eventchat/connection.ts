/**
 * One eventchat connection's state machine, independent of socket.io:
 *
 *   admitting ──(app and Origin accepted: `connection`)──▶ open ──(`Auth` ok: `Auth`)──▶ authenticated
 *       └──(refused: `cerror`, disconnect)──▶ closed ◀──(socket gone, kick, ban, shutdown, auth timeout)──┘
 *
 * Events from the client run one at a time, in the order they came (so a `message` sent right behind `Auth`
 * waits for it), through a bounded queue. Every failure is answered with `cerror`.
 */
import type { Disconnect } from '../../core/disconnect.js';
import { ERROR_CATALOGUE, isParleyError, ParleyError, toParleyError } from '../../core/errors.js';
import type { AppId } from '../../core/types.js';
import type { Session } from '../../engine/api.js';
import type { EngineEvent } from '../../engine/events.js';
import { admitApp, readAppId } from '../kernel/admission.js';
import { ConnectionKernel } from '../kernel/connection.js';
import { INBOX_LIMIT } from '../kernel/inbox.js';
import type { GatewayDeps } from '../types.js';
import { authenticate } from './auth.js';
import { cerrorForDisconnect, cerrorOf } from './errors.js';
import { roomPacket, systemFrame } from './frames.js';
import { HANDLERS, muteFrame, type HandlerContext } from './handlers.js';
import {
  ALREADY_LOGGED_IN,
  AUTH_COMPLETE,
  AUTH_REQUIRED,
  CLIENT_EVENT,
  EVENTCHAT_DIALECT,
  SERVER_EVENT,
  type AuthFrame,
  type BanFrame,
  type DeleteMessageFrame,
  type OutboundFrame,
  type UsersFrame,
} from './protocol.js';
import { parseAuth } from './schemas.js';
import { KernelConnection } from '../kernel/kernelConnection.js';

/** What the connection needs from its socket. */
export interface EventchatSocket {
  readonly connected: boolean;
  /** Emit one frame to this client. */
  emit(frame: OutboundFrame): void;
  /** Write a packet encoded once for many recipients (frames.roomPacket). */
  writePacket(packet: string): void;
  /** Bytes written but not sent yet. */
  bufferedBytes(): number;
  /** Close the connection once what was emitted has been flushed. */
  disconnect(): void;
}

type State = 'admitting' | 'open' | 'authenticated' | 'closed';

/** Client events held (the one being handled included); more are refused with 429 until the inbox drains. */
export const MAX_PENDING_EVENTS = INBOX_LIMIT;

export class EventchatConnection extends KernelConnection {
  protected readonly kernel: ConnectionKernel;
  private state: State = 'admitting';
  private appId: AppId = 0;
  private roomId: number | null = null;
  private roomName = '';
  /** Reasons given with a `kicked` / `banned` event about this user, told when the engine disconnects it. */
  private kickReason = '';
  private banReason = '';
  /** The deletion this client asked for, while it runs: did the room's `deleteMessage` reach this client? */
  private watchedDeletion: { id: number; seen: boolean } | null = null;
  private readonly context: HandlerContext;

  constructor(
    private readonly deps: GatewayDeps,
    private readonly socket: EventchatSocket,
    private readonly transport: string,
  ) {
    super();
    const read = () => ({ session: this.session, room: this.roomName });
    this.context = {
      get session(): Session {
        const { session } = read();
        if (!session) throw new ParleyError('unauthorized', AUTH_REQUIRED);
        return session;
      },
      get room(): string {
        return read().room;
      },
      tell: (frame) => this.tell(frame),
      confirmDeletion: async (id, remove) => {
        const watch = { id, seen: false };
        this.watchedDeletion = watch;
        try {
          await remove();
        } finally {
          this.watchedDeletion = null;
        }
        if (!watch.seen) {
          const data: DeleteMessageFrame = { id };
          this.tell({ event: SERVER_EVENT.deleteMessage, data });
        }
      },
      now: () => Date.now(),
    };
    // "The server will wait for you to send an Auth event or to disconnect": for authTimeoutMs.
    this.kernel = new ConnectionKernel(deps, {
      dialect: EVENTCHAT_DIALECT,
      transport,
      bufferedBytes: () => socket.bufferedBytes(),
      deliver: (event) => this.deliver(event),
      end: (reason) => this.terminate(reason),
      authenticated: () => this.state === 'authenticated',
    });
  }

  /** The peer's network address, for the sign-in limits of passwords. */
  private address: string | undefined;

  get closed(): boolean {
    return this.state === 'closed';
  }

  /** Admission: the app from the handshake query must exist and accept the Origin. Then `connection`. */
  start(input: { app: unknown; origin: string | undefined; address?: string }): void {
    this.address = input.address;
    this.enqueue('connection', async () => {
      try {
        const appId = readAppId(input.app);
        await admitApp(this.deps, appId, input.origin);
        if (this.state !== 'admitting') return;
        this.appId = appId;
        this.state = 'open';
        this.emit({ event: SERVER_EVENT.connection });
      } catch (err) {
        this.answer(err, 'connection');
        this.close();
      }
    });
  }

  /** One event from the client, with its arguments (an ack callback, if any, already removed). */
  receive(event: unknown, args: unknown[]): void {
    if (this.state === 'closed') return;
    if (!this.enqueue(event, () => this.handle(event, args))) {
      this.tell({
        event: SERVER_EVENT.cerror,
        data: cerrorOf(new ParleyError('rate_limited', 'Too many events waiting, slow down')),
      });
    }
  }

  /**
   * The socket is gone, whatever closed it: release the session exactly once. `leftOnPurpose` (the client's
   * own disconnect, the document's "disconnect" event) ends its presence at once; a lost connection ends it
   * after the presence grace period, so that a reload does not flap.
   */
  closedBySocket(leftOnPurpose = false): void {
    this.state = 'closed';
    this.kernel.closedBySocket({ immediate: leftOnPurpose });
  }

  /** Tell the client why, then disconnect it (kick, ban, shutdown, expiry, slow consumer, auth timeout). */
  terminate(reason: Disconnect): void {
    if (this.state === 'closed') return;
    if (reason.reason === 'banned') {
      const data: BanFrame = { message: ERROR_CATALOGUE.banned.message, reason: this.banReason };
      this.emit({ event: SERVER_EVENT.ban, data });
    } else {
      const detail = reason.reason === 'kicked' ? this.kickReason : undefined;
      this.emit({ event: SERVER_EVENT.cerror, data: cerrorForDisconnect(reason, detail) });
    }
    this.close();
  }

  // ------------------------------------------------------------------ inbound

  /** False when the inbox is full. */
  private enqueue(event: unknown, job: () => Promise<void>): boolean {
    return this.kernel.inbox.offer(async () => {
      if (this.state === 'closed') return;
      try {
        await job();
      } catch (err) {
        this.answer(err, event);
      }
    });
  }

  private async handle(event: unknown, args: unknown[]): Promise<void> {
    if (event === CLIENT_EVENT.connection) return; // already connected: nothing to do
    if (this.state !== 'authenticated') {
      // "It must be sent before sending any other event (except disconnect)."
      if (event !== CLIENT_EVENT.auth) throw new ParleyError('unauthorized', AUTH_REQUIRED);
      return this.auth(oneArgument(event, args));
    }
    if (event === CLIENT_EVENT.auth) throw new ParleyError('forbidden', ALREADY_LOGGED_IN);
    const handler = typeof event === 'string' ? HANDLERS.get(event) : undefined;
    if (!handler) throw new ParleyError('unknown_operation', 'Unknown event');
    await handler(this.context, oneArgument(event, args));
  }

  /** `Auth {user, password, room}`: authenticate, open the session, join (creating) the room, answer `Auth`. */
  private async auth(data: unknown): Promise<void> {
    const payload = parseAuth(data);
    const principal = await authenticate(this.deps.engine, this.appId, payload, this.address);
    if (this.state !== 'open') return;
    const session = this.deps.engine.openSession(principal, this.kernel.sink, {
      transport: this.transport,
      dialect: EVENTCHAT_DIALECT,
    });
    if (!this.kernel.slot.fill(session)) return;
    try {
      const joined = await this.enterRoom(session, payload.room);
      // The socket may have gone meanwhile: closedBySocket has then closed the session.
      if (this.state !== 'open') return;
      this.roomId = joined.room.id;
      this.roomName = joined.room.name;
      this.state = 'authenticated';
      this.kernel.signedIn();
      // Written before the room's events, which the engine holds until the join has been answered.
      const reply: AuthFrame = { Code: 200, message: AUTH_COMPLETE };
      this.tell({ event: SERVER_EVENT.auth, data: reply });
      const users: UsersFrame = { users: joined.online.map((user) => user.username) };
      this.tell({ event: SERVER_EVENT.users, data: users });
    } catch (err) {
      // Auth is all or nothing: without its room the connection stays unauthenticated.
      if (this.session === session) this.kernel.slot.release();
      throw err;
    }
  }

  /** A stream chat's rooms are its streams: the room is created (public) the first time someone enters it. */
  private async enterRoom(session: Session, room: string) {
    try {
      return await session.join(room);
    } catch (err) {
      if (!(isParleyError(err) && err.code === 'not_found')) throw err;
    }
    try {
      await session.createRoom({ name: room, visibility: 'public' });
    } catch (err) {
      // Someone else created it at the same moment: join theirs.
      if (!(isParleyError(err) && err.code === 'conflict')) throw err;
    }
    return session.join(room);
  }

  // ------------------------------------------------------------------ outbound

  private deliver(event: EngineEvent): void {
    if (this.state === 'closed' || !this.socket.connected) return;
    const self = this.session?.user;
    switch (event.type) {
      case 'message':
      case 'message_deleted':
      case 'presence_join':
      case 'presence_leave': {
        if (event.room.id !== this.roomId) return;
        if (event.type === 'message_deleted' && this.watchedDeletion?.id === event.message.id) {
          this.watchedDeletion.seen = true;
        }
        const packet = roomPacket(event);
        if (packet !== null) this.socket.writePacket(packet);
        return;
      }
      case 'system':
        if (event.room === null || event.room.id === this.roomId) {
          this.emit({ event: SERVER_EVENT.message, data: systemFrame(event.text) });
        }
        return;
      case 'warning':
        this.emit({ event: SERVER_EVENT.message, data: systemFrame(`Warning: ${event.reason}`) });
        return;
      case 'muted':
        if (self && event.user.id === self.id && (event.room === null || event.room.id === this.roomId)) {
          this.emit(muteFrame(event.expiresAt, Date.now()));
        }
        return;
      case 'banned':
        if (self && event.user.id === self.id) this.banReason = event.reason;
        return;
      case 'kicked':
        if (self && event.user.id === self.id) this.kickReason = event.reason;
        return;
      case 'room_updated':
        if (event.room.id === this.roomId) this.roomName = event.room.name;
        return;
      case 'room_deleted':
        if (event.room.id === this.roomId) {
          this.emit({
            event: SERVER_EVENT.cerror,
            data: cerrorOf(new ParleyError('not_found', 'The room was deleted')),
          });
          this.close();
        }
        return;
      default:
        // Edits, typing, other rooms, app-wide presence: the dialect has no event for them.
        return;
    }
  }

  private emit(frame: OutboundFrame): void {
    if (this.socket.connected) this.socket.emit(frame);
  }

  /** A reply or a personal event: within the outbound bound, or the connection ends as a slow consumer. */
  private tell(frame: OutboundFrame): void {
    if (this.socket.connected) this.kernel.outbound.write(() => this.emit(frame));
  }

  /** Answer a failure with `cerror`; unexpected failures are logged and answered without their text. */
  private answer(err: unknown, event: unknown): void {
    if (!isParleyError(err)) this.kernel.fail(err, event);
    const error = toParleyError(err);
    // [proto.invalid-frames] An invalid event is answered, up to the bound that closes the connection.
    if (this.kernel.refuses(error.code)) return;
    this.tell({ event: SERVER_EVENT.cerror, data: cerrorOf(error) });
  }

  private close(): void {
    this.socket.disconnect();
    this.closedBySocket();
  }
}

/** Every event carries one data argument (or none). */
function oneArgument(event: unknown, args: unknown[]): unknown {
  if (args.length > 1) {
    const name = typeof event === 'string' ? event.slice(0, 64) : 'event';
    throw new ParleyError('bad_request', `Malformed ${name}: send one data argument`);
  }
  return args[0];
}
