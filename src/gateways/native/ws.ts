/**
 * The native protocol over plain WebSocket at `/ws` ([proto.ws]): `{id, op, data}` in, `{id, ok, data|error}`
 * and `{event, data}` out. One NativeConnection per socket does the rest.
 */
import { peerAddress } from '../kernel/peerAddress.js';
import { DISCONNECT_CATALOGUE, type Disconnect } from '../../core/disconnect.js';
import { ParleyError } from '../../core/errors.js';
import type { ErrorBody } from '../../core/errors.js';
import type { SessionSink } from '../../engine/api.js';
import type { EngineEvent } from '../../engine/events.js';
import type { RequestId, WsReplyFrame } from '../../protocol/native.js';
import { encodeOnce } from '../encodeOnce.js';
import { ownField, readJsonObject } from '../kernel/jsonFrame.js';
import { textFrame } from '../wsFrame.js';
import type { GatewayDeps, WsGateway } from '../types.js';
import { createWsHost, type WsSession, type WsSocket } from '../wsHost.js';
import { admissionDisconnect, admit, NativeConnection, parseHandshakeCredentials } from './connection.js';
import { toWireEvent } from './wire.js';

export const NATIVE_WS_PATH = '/ws';

/** Encode a push frame: `{event, data}` where data is the event without its `type`. */
export function encodeWsPush(event: EngineEvent): string {
  return JSON.stringify(toWireEvent(event));
}

interface Frame {
  id: RequestId | null;
  op: unknown;
  data: unknown;
  error: ParleyError | null;
}

const MAX_ID_LENGTH = 128;

function encodeWsFrame(event: EngineEvent): Buffer {
  return textFrame(encodeWsPush(event));
}

/** A frame that is not a request: the error to answer with, and the id when it was readable. */
function refusal(error: ParleyError, id: RequestId | null = null): Frame {
  return { id, op: undefined, data: undefined, error };
}

/** Read a request frame; `error` is set (and `id` kept when it was readable) when it is not one. */
export function parseFrame(raw: string): Frame {
  const read = readJsonObject(raw);
  if (!read.ok) {
    return refusal(
      new ParleyError(
        'bad_request',
        read.failure === 'not_json' ? 'The frame is not JSON' : 'The frame must be an object {id, op, data}',
      ),
    );
  }
  const record = read.value;
  const id = ownField(record, 'id');
  const validId =
    (typeof id === 'string' && id.length <= MAX_ID_LENGTH) ||
    (typeof id === 'number' && Number.isSafeInteger(id));
  if (!validId) {
    const message = `id must be a string of up to ${MAX_ID_LENGTH} characters or an integer`;
    return refusal(new ParleyError('bad_request', message, { field: 'id' }));
  }
  const requestId = id as RequestId;
  const unknownKey = Object.keys(record)
    .find((key) => key !== 'id' && key !== 'op' && key !== 'data')
    ?.slice(0, 64);
  if (unknownKey !== undefined) {
    const error = new ParleyError('bad_request', `Unknown frame field: ${unknownKey}`, { field: unknownKey });
    return refusal(error, requestId);
  }
  const op = ownField(record, 'op');
  if (typeof op !== 'string') {
    return refusal(new ParleyError('bad_request', 'op must be a string', { field: 'op' }), requestId);
  }
  return { id: requestId, op, data: ownField(record, 'data'), error: null };
}

/**
 * One socket of the native gateway: the session the WebSocket host drives, and the sink the engine pushes to.
 * A class, so that an idle connection keeps one object with its methods on the prototype rather than a dozen
 * closures and the objects holding them.
 */
class NativeWsSession implements WsSession, SessionSink {
  private readonly connection: NativeConnection;

  constructor(
    private readonly deps: GatewayDeps,
    private readonly socket: WsSocket,
    // Only these two outlive the handshake: the request object is not kept for the connection's lifetime.
    private readonly url: string,
    private readonly origin: string | undefined,
    private readonly address: string | undefined,
  ) {
    this.connection = new NativeConnection(deps, 'ws', this, address);
  }

  get id(): string {
    return this.connection.id;
  }

  deliver(event: EngineEvent): void {
    this.socket.sendFrame(encodeOnce(event, 'native-ws', encodeWsFrame));
  }

  bufferedBytes(): number {
    return this.socket.bufferedBytes();
  }

  terminate(reason: Disconnect): void {
    this.socket.close(reason.code, reason.reason);
  }

  private reply(frame: WsReplyFrame): void {
    this.socket.send(JSON.stringify(frame));
  }

  closedBySocket(): void {
    this.connection.closedBySocket();
  }

  receive(text: string | null): void {
    const frame =
      text === null
        ? {
            id: null,
            op: undefined,
            data: undefined,
            error: new ParleyError('bad_request', 'Binary frames are not part of the protocol'),
          }
        : parseFrame(text);
    if (frame.error || frame.id === null) {
      const error: ErrorBody = (frame.error ?? new ParleyError('bad_request')).toBody();
      this.connection.refuseFrame(() => this.reply({ id: frame.id, ok: false, error }));
      return;
    }
    const id = frame.id;
    this.connection.request(frame.op, frame.data, (ack) => {
      this.reply(ack.ok ? { id, ok: true, data: ack.data } : { id, ok: false, error: ack.error });
    });
  }

  start(): void {
    // [proto.app] [proto.origin] [proto.handshake]
    const query = new URL(this.url, 'http://localhost').searchParams;
    const admission = admit(this.deps, {
      app: query.get('app') ?? undefined,
      origin: this.origin,
      address: this.address,
      credentials: () =>
        parseHandshakeCredentials({
          token: query.get('token') ?? undefined,
          jwt: query.get('jwt') ?? undefined,
          guest: query.get('guest') ?? undefined,
        }),
    });
    void this.connection.start(admission).then((error) => {
      if (!error) return;
      this.reply({ id: null, ok: false, error: error.toBody() });
      const code = error.code === 'internal' || error.code === 'unavailable' ? 1011 : undefined;
      const reason = admissionDisconnect(error.code);
      this.socket.close(code ?? DISCONNECT_CATALOGUE[reason].code, error.code);
    });
  }
}

export function createNativeWsGateway(deps: GatewayDeps): WsGateway {
  return createWsHost({
    deps,
    name: 'native',
    matches: (pathname) => pathname === NATIVE_WS_PATH,
    accept: (socket, req) =>
      new NativeWsSession(
        deps,
        socket,
        req.url ?? '/',
        req.headers.origin,
        peerAddress(req, deps.config.trustedProxies),
      ),
  });
}
