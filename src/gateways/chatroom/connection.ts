/**
 * One chatroom connection, independent of the socket: admission, the `{username}` first frame, the token check
 * on every command, the session it opens, the room it is in, and the serial processing of its frames.
 *
 *   admitting ──app ok──▶ hello ──{username}──▶ identified ──(socket closed)──▶ closed
 *       └──app refused: error frame, close──────────────────────────────────────▲
 *
 * In `identified`, every frame is `{token, action, args}`. The token must authenticate as the first frame's
 * username; the first one that does opens the engine session (the user comes online). Frames are handled one
 * at a time, in order, so that e.g. create_room then connect_to_room works as its web client expects.
 */
import type { Disconnect } from '../../core/disconnect.js';
import { isParleyError, ParleyError, toParleyError } from '../../core/errors.js';
import { usernameKey } from '../../core/names.js';
import type { AppId } from '../../core/types.js';
import type { Session } from '../../engine/api.js';
import type { EngineEvent, RoomRef } from '../../engine/events.js';
import { ConnectionKernel } from '../kernel/connection.js';
import type { GatewayDeps } from '../types.js';
import { errorType, runAction, type ActionContext } from './actions.js';
import { admissionCloseCode } from './admission.js';
import { frameFor } from './events.js';
import { actionOf, commandSchema, errorFrame, helloSchema, isRecord, parseWith } from './frames.js';
import { KernelConnection } from '../kernel/kernelConnection.js';
import type { WsSocket } from '../wsHost.js';

export const CHATROOM_DIALECT = 'chatroom';

/** The socket under a connection: the shared WebSocket host's, with its transport's name for the logs. */
export interface ChatroomSocket extends WsSocket {
  readonly transport: string;
}

type Phase = 'admitting' | 'hello' | 'identified' | 'closed';

export class ChatroomConnection extends KernelConnection {
  protected readonly kernel: ConnectionKernel;
  private phase: Phase = 'admitting';
  /** Set once the server has decided to close: nothing more is handled or sent. */
  private ending = false;
  private appId: AppId = 0;
  private username: string | null = null;
  /** The token the session was opened (or last refreshed) with. */
  private sessionToken: string | null = null;
  private room: RoomRef | null = null;

  constructor(
    private readonly deps: GatewayDeps,
    private readonly socket: ChatroomSocket,
  ) {
    super();
    // A connection must have authenticated (sent a command with a valid token) within authTimeoutMs.
    this.kernel = new ConnectionKernel(deps, {
      dialect: CHATROOM_DIALECT,
      transport: socket.transport,
      bufferedBytes: () => socket.bufferedBytes(),
      deliver: (event) => this.deliver(event),
      end: (reason) => this.end(reason),
    });
  }

  get closed(): boolean {
    return this.phase === 'closed';
  }

  /** Admission (app and Origin): frames that arrive meanwhile wait behind it. */
  start(admission: Promise<AppId>): void {
    // Settled at once, so that a refusal is never an unhandled rejection while it waits in the queue.
    const outcome = admission.then(
      (appId) => ({ appId, error: null }),
      (err: unknown) => ({ appId: 0, error: this.asError(err, 'admission') }),
    );
    this.kernel.inbox.offer(async () => {
      const { appId, error } = await outcome;
      if (this.phase !== 'admitting' || this.ending) return;
      if (error) {
        this.send(errorFrame('error', error.message));
        this.ending = true;
        this.socket.close(admissionCloseCode(error.code), error.code);
        return;
      }
      this.appId = appId;
      this.phase = 'hello';
    });
  }

  /** A text frame from the socket, or null for a binary one. */
  receive(text: string | null): void {
    if (this.phase === 'closed' || this.ending) return;
    if (!this.kernel.inbox.offer(() => this.handle(text))) {
      this.reply(errorFrame('error', 'Too many commands waiting, slow down'));
    }
  }

  /** Tell the client why in an error frame, then close the socket. */
  end(reason: Disconnect): void {
    if (this.phase === 'closed' || this.ending) return;
    this.send(errorFrame('error', reason.message));
    this.ending = true;
    this.socket.close(reason.code, reason.reason);
  }

  /** The socket is gone, whatever closed it: release the session exactly once. */
  closedBySocket(): void {
    this.phase = 'closed';
    this.kernel.closedBySocket();
  }

  // ---------------------------------------------------------------------------------------------- frames

  private async handle(text: string | null): Promise<void> {
    if (this.phase === 'closed' || this.phase === 'admitting' || this.ending) return;
    if (text === null) {
      this.refuse('error', 'Binary frames are not supported: send JSON text');
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.refuse('error', 'The frame is not valid JSON');
      return;
    }
    if (this.phase === 'hello') await this.hello(value);
    else await this.command(value);
  }

  private async hello(value: unknown): Promise<void> {
    if (isRecord(value) && Object.hasOwn(value, 'action')) {
      this.refuse(actionOf(value) ?? 'error', 'The first frame must be {"username": ...}');
      return;
    }
    const parsed = parseWith(helloSchema, value);
    if (!parsed.ok) {
      this.refuse('error', parsed.message);
      return;
    }
    this.username = parsed.value.username;
    this.phase = 'identified';
    const token = parsed.value.token;
    if (token === null || token === undefined) return;
    try {
      await this.authenticate(token);
    } catch (err) {
      this.send(errorFrame('error', this.asError(err, 'hello').message));
    }
  }

  private async command(value: unknown): Promise<void> {
    const action = actionOf(value);
    if (isRecord(value) && Object.hasOwn(value, 'username') && !Object.hasOwn(value, 'action')) {
      this.refuse('error', `Already identified as ${this.username ?? ''}: send {token, action, args}`);
      return;
    }
    const parsed = parseWith(commandSchema, value);
    if (!parsed.ok) {
      this.refuse(action ?? 'error', parsed.message);
      return;
    }
    if (action === null) {
      this.refuse('error', `Unknown action: ${parsed.value.action}`);
      return;
    }
    try {
      const session = await this.authenticate(parsed.value.token);
      await runAction(this.actionContext(session), action, parsed.value.args);
    } catch (err) {
      const error = this.asError(err, action);
      if (!this.kernel.refuses(error.code)) this.send(errorFrame(errorType(action, err), error.message));
    }
  }

  // ---------------------------------------------------------------------------------------------- auth

  /**
   * The token must be valid in this app and belong to the first frame's username. The first such token opens
   * the session; a different valid token of the same user later refreshes it (and so its expiry).
   */
  private async authenticate(token: string): Promise<Session> {
    const username = this.username ?? '';
    const principal = await this.deps.engine.authenticate(this.appId, { kind: 'token', token });
    if (this.phase === 'closed' || this.ending)
      throw new ParleyError('unavailable', 'The connection is closed');
    if (principal.anonymous || usernameKey(principal.user.username) !== usernameKey(username)) {
      throw new ParleyError('unauthorized', `The token does not belong to ${username}`);
    }
    const current = this.session;
    if (!current) {
      const session = this.deps.engine.openSession(principal, this.kernel.sink, {
        transport: this.socket.transport,
        dialect: CHATROOM_DIALECT,
      });
      this.kernel.slot.fill(session);
      this.sessionToken = token;
      this.kernel.signedIn();
      return session;
    }
    if (token !== this.sessionToken) {
      await current.refresh({ kind: 'token', token });
      this.sessionToken = token;
    }
    return current;
  }

  private actionContext(session: Session): ActionContext {
    const read = () => this.room;
    const write = (room: RoomRef | null) => {
      this.room = room;
    };
    return {
      session,
      get currentRoom() {
        return read();
      },
      set currentRoom(room: RoomRef | null) {
        write(room);
      },
      send: (frame) => this.reply(frame),
      leaveQuietly: async (room) => {
        try {
          await session.leave(room.name);
        } catch (err) {
          this.deps.logger.debug(
            {
              err: { message: err instanceof Error ? err.message : String(err) },
              connection: this.kernel.id,
            },
            'chatroom: leaving the previous room failed',
          );
        }
      },
    };
  }

  // ---------------------------------------------------------------------------------------------- output

  /** Called by the engine's fan-out: it must never throw into it, whatever happens to this connection. */
  private deliver(event: EngineEvent): void {
    if (this.phase === 'closed') return;
    if (event.type === 'room_updated' && this.room?.id === event.room.id) {
      this.room = { id: event.room.id, name: event.room.name };
      return;
    }
    const frame = frameFor(event, { userId: this.session?.user.id ?? 0, roomId: this.room?.id ?? null });
    if (event.type === 'room_deleted' && this.room?.id === event.room.id) this.room = null;
    if (frame !== null && !this.ending) this.socket.sendFrame(frame.frame);
  }

  /** A reply; a client that does not read its replies is cut off like one that does not read its pushes. */
  private reply(frame: string): void {
    this.kernel.outbound.write(() => this.send(frame));
  }

  /** [proto.invalid-frames] An invalid frame's error, unless it is one too many and the connection ends. */
  private refuse(type: string, message: string): void {
    if (!this.kernel.refuseInvalid()) this.send(errorFrame(type, message));
  }

  private send(frame: string): void {
    if (this.phase === 'closed' || this.ending) return;
    this.socket.send(frame);
  }

  /** Any thrown value as a catalogue error; unexpected ones are logged without request data. */
  private asError(err: unknown, during: string): ParleyError {
    if (!isParleyError(err)) this.kernel.fail(err, during);
    return toParleyError(err);
  }
}
