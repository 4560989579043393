/**
 * One socketapi connection: admitted (or refused) → unauthenticated → authenticated → closed. It takes the
 * client's events in order, one at a time, validates them, answers failures with socket-api-error (and
 * socket-api-error-<transaction>), and turns what the engine pushes into the dialect's events. The socket.io
 * adapter (socketio.ts) owns the socket and hands this class events; this class never touches storage.
 */
import type { Disconnect } from '../../core/disconnect.js';
import { isParleyError, ParleyError, toParleyError } from '../../core/errors.js';
import type { AppId } from '../../core/types.js';
import type { EngineEvent, RoomView } from '../../engine/events.js';
import { encodeOnce } from '../encodeOnce.js';
import { ConnectionKernel } from '../kernel/connection.js';
import type { GatewayDeps } from '../types.js';
import { ChannelDirectory } from './channels.js';
import { encodedSize, encodePacket, encodePush } from './encode.js';
import type { EncodedPush } from './encode.js';
import { eventLabel, parsePayload, readTransaction } from './frames.js';
import { runHandler } from './handlers.js';
import type { RequestContext } from './handlers.js';
import { Outbox } from './outbox.js';
import { DIALECT_NAME, FRAMING, isClientEvent, SERVER_EVENTS, transactionErrorEvent } from './protocol.js';
import { KernelConnection } from '../kernel/kernelConnection.js';

/** What the socket.io adapter gives the connection. */
export interface Wire {
  /** Write one encoded socket.io packet (see encodePacket). */
  write(packet: string): void;
  /** Bytes written but not yet sent. */
  bufferedBytes(): number;
  /** Disconnect (after what was written has been flushed). */
  close(): void;
}

/** The outcome of admission: the app (workspace) the connection belongs to, or why it is refused. */
export type Admission = { ok: true; appId: AppId } | { ok: false; message: string };

/** The event named in errors that concern the connection itself rather than a request. */
export const CONNECTION_EVENT = 'connection';

export class SocketApiConnection extends KernelConnection {
  protected readonly kernel: ConnectionKernel;
  /** auth-success has been written: pushes flow. Before it, they are held (nothing precedes auth-success). */
  private announced = false;
  private held: EncodedPush[] = [];
  private closed = false;
  private readonly channels = new ChannelDirectory();
  private readonly outbox: Outbox;
  private readonly appId: AppId;

  constructor(
    private readonly deps: GatewayDeps,
    private readonly wire: Wire,
    admission: Admission,
  ) {
    super();
    this.outbox = new Outbox((err) => this.logFailure(err, 'push'));
    // A connection that has not authenticated in time is told so and closed.
    this.kernel = new ConnectionKernel(deps, {
      dialect: DIALECT_NAME,
      transport: 'socket.io',
      bufferedBytes: () => this.wire.bufferedBytes() + this.outbox.queuedBytes + this.heldBytes(),
      deliver: (event) => this.push(event),
      end: (reason) => this.terminate(reason),
    });
    if (!admission.ok) {
      this.appId = 0;
      this.closed = true;
      this.wire.write(
        encodePacket(SERVER_EVENTS.error, { event: CONNECTION_EVENT, message: admission.message }),
      );
      this.kernel.closedBySocket();
      this.wire.close();
      return;
    }
    this.appId = admission.appId;
  }

  /** One event from the client, with its arguments (the last may be an ack callback, which is not used). */
  receive(name: unknown, args: readonly unknown[]): void {
    if (this.closed) return;
    const params = typeof args[args.length - 1] === 'function' ? args.slice(0, -1) : args;
    const payload = params[0];
    const transaction = readTransaction(payload);
    const taken = this.kernel.inbox.offer(async () => {
      try {
        if (this.closed) return;
        if (params.length > 1) throw new ParleyError('bad_request', 'Send one data object per event');
        await this.handle(name, payload);
      } catch (err) {
        if (!this.closed) this.fail(name, transaction, err);
      }
    });
    if (!taken) {
      this.fail(name, transaction, new ParleyError('rate_limited', 'Too many requests in flight, slow down'));
    }
  }

  /** The socket is gone, whatever closed it: release the session exactly once. */
  closedBySocket(): void {
    this.closed = true;
    this.outbox.stop();
    this.held = [];
    this.kernel.closedBySocket();
  }

  // ------------------------------------------------------------------ requests

  private async handle(name: unknown, payload: unknown): Promise<void> {
    if (typeof name !== 'string' || !isClientEvent(name)) {
      throw new ParleyError('unknown_operation', 'Unknown event');
    }
    if (name === 'auth') return this.auth(parsePayload('auth', payload));
    const session = this.session;
    if (!session) throw new ParleyError('unauthorized', 'Authenticate first: send auth with an access token');
    const ctx: RequestContext = {
      appId: this.appId,
      engine: this.deps.engine,
      session,
      channels: this.channels,
      reply: (event, data) => this.reply(event, data),
    };
    switch (name) {
      case 'get-channels':
        return runHandler(name, ctx, parsePayload(name, payload));
      case 'get-online-users':
        return runHandler(name, ctx, parsePayload(name, payload));
      case 'join-channel':
        return runHandler(name, ctx, parsePayload(name, payload));
      case 'leave-channel':
        return runHandler(name, ctx, parsePayload(name, payload));
      case 'send-message':
        return runHandler(name, ctx, parsePayload(name, payload));
    }
  }

  private async auth(input: { transaction?: string; data?: string; token?: string }): Promise<void> {
    const token = input.data ?? input.token ?? '';
    // A JWT-shaped token is checked as a JWT of the app by the engine.
    const credentials = { kind: 'token' as const, token };
    const success = (userId: number) =>
      this.reply(
        SERVER_EVENTS.authSuccess,
        input.transaction === undefined ? { userId } : { transaction: input.transaction, userId },
      );
    if (this.session) {
      // A second auth renews the credentials of the same user (the session keeps going with the new expiry).
      await this.session.refresh(credentials);
      success(this.session.user.id);
      return;
    }
    const principal = await this.deps.engine.authenticate(this.appId, credentials);
    if (this.closed) return;
    const session = this.deps.engine.openSession(principal, this.kernel.sink, {
      transport: 'socket.io',
      dialect: DIALECT_NAME,
      appPresence: true, // the dialect tells every client each user's online status
    });
    if (!this.kernel.slot.fill(session)) return;
    this.kernel.signedIn();
    try {
      this.channels.merge(await session.listRooms());
    } catch (err) {
      this.held = [];
      this.kernel.slot.release();
      throw err;
    }
    if (this.closed) return;
    success(session.user.id);
    this.announced = true;
    const held = this.held;
    this.held = [];
    for (const encoded of held) this.enqueue(encoded);
  }

  // ------------------------------------------------------------------ output

  private reply(event: string, data: Record<string, unknown>): void {
    this.queueReply(encodePacket(event, data));
  }

  /** Replies wait in the outbox like pushes, within the same outbound bound. */
  private queueReply(packet: string): void {
    if (this.closed) return;
    this.kernel.outbound.write(() => this.outbox.push(() => this.write(packet), packet.length));
  }

  /** socket-api-error, and socket-api-error-<transaction> when the request carried a valid transaction. */
  private fail(name: unknown, transaction: string | null, err: unknown): void {
    const error = toParleyError(err);
    if (!isParleyError(err)) this.logFailure(err, name);
    // [proto.invalid-frames] An invalid event is answered, up to the bound that closes the connection.
    if (this.kernel.refuses(error.code)) return;
    const event = eventLabel(name);
    this.reply(SERVER_EVENTS.error, { event, message: error.message });
    if (transaction !== null)
      this.queueReply(encodePacket(transactionErrorEvent(transaction), error.message));
  }

  private write(packet: string): void {
    if (!this.closed) this.wire.write(packet);
  }

  private push(event: EngineEvent): void {
    if (this.closed) return;
    const encoded = encodeOnce(event, FRAMING, (e) => encodePush(e, this.appId));
    if (encoded.kind === 'none') return;
    if (!this.announced) {
      this.held.push(encoded);
      return;
    }
    this.enqueue(encoded);
  }

  private heldBytes(): number {
    let total = 0;
    for (const encoded of this.held) total += encodedSize(encoded);
    return total;
  }

  private enqueue(encoded: EncodedPush): void {
    this.outbox.push(() => this.deliver(encoded), encodedSize(encoded));
  }

  /** Write one push, deciding per recipient what it means for the channels this user may see. */
  private deliver(encoded: EncodedPush): void | Promise<void> {
    switch (encoded.kind) {
      case 'none':
        return;
      case 'packet':
        return this.write(encoded.packet);
      case 'packets':
        for (const packet of encoded.packets) this.write(packet);
        return;
      case 'channel-created':
        this.channels.remember(encoded.channelId, encoded.name);
        return this.write(encoded.packet);
      case 'channel-deleted':
        if (!this.channels.knows(encoded.channelId)) return;
        this.channels.forget(encoded.channelId);
        return this.write(encoded.packet);
      case 'channel-updated':
        if (!encoded.isPrivate) return this.channelVisible(encoded, true);
        return this.privateChannelUpdated(encoded);
    }
  }

  /** The engine tells every session of a private room's update: only those who may see it hear of it. */
  private async privateChannelUpdated(encoded: Extract<EncodedPush, { kind: 'channel-updated' }>) {
    const session = this.session;
    if (!session || this.closed) return;
    let rooms: RoomView[];
    try {
      rooms = await session.listRooms({ counted: false }); // the push's own look-up: no client asked
    } catch (err) {
      if (this.closed) return;
      throw err;
    }
    if (this.closed) return;
    this.channelVisible(
      encoded,
      rooms.some((room) => room.id === encoded.channelId),
    );
  }

  private channelVisible(encoded: Extract<EncodedPush, { kind: 'channel-updated' }>, visible: boolean): void {
    const knew = this.channels.knows(encoded.channelId);
    if (visible) {
      this.channels.remember(encoded.channelId, encoded.name);
      this.write(knew ? encoded.updated : encoded.created);
    } else if (knew) {
      this.channels.forget(encoded.channelId);
      this.write(encoded.deleted);
    }
  }

  // ------------------------------------------------------------------ closing

  /** The engine (or the auth timer) ends the connection: say why in the dialect's terms, then disconnect. */
  terminate(reason: Disconnect): void {
    if (this.closed) return;
    this.outbox.stop();
    switch (reason.reason) {
      case 'kicked':
      case 'banned':
        this.wire.write(encodePacket(SERVER_EVENTS.kickedFromWorkspace, { workspaceId: this.appId }));
        break;
      case 'auth_timeout':
      case 'credentials_expired':
      case 'unauthorized':
      case 'revoked':
        this.wire.write(encodePacket(SERVER_EVENTS.error, { event: 'auth', message: reason.message }));
        break;
      case 'app_deleted':
        this.wire.write(
          encodePacket(SERVER_EVENTS.error, { event: CONNECTION_EVENT, message: reason.message }),
        );
        break;
      default:
        // shutdown, slow_consumer, …: the original had no event for these; a plain disconnect.
        break;
    }
    this.closed = true;
    this.wire.close();
  }

  private logFailure(err: unknown, during: unknown): void {
    this.kernel.fail(err, eventLabel(during));
  }
}
