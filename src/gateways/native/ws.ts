/**
 * The native protocol over plain WebSocket at `/ws` ([proto.ws]): `{id, op, data}` in, `{id, ok, data|error}`
 * and `{event, data}` out. One NativeConnection per socket does the rest.
 */
import { peerAddress } from '../kernel/peerAddress.js';
import { DISCONNECT_CATALOGUE } from '../../core/disconnect.js';
import { ParleyError } from '../../core/errors.js';
import type { ErrorBody } from '../../core/errors.js';
import type { EngineEvent } from '../../engine/events.js';
import type { RequestId, WsReplyFrame } from '../../protocol/native.js';
import { encodeOnce } from '../encodeOnce.js';
import { ownField, readJsonObject } from '../kernel/jsonFrame.js';
import { textFrame } from '../wsFrame.js';
import type { GatewayDeps, WsGateway } from '../types.js';
import { createWsHost } from '../wsHost.js';
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

export function createNativeWsGateway(deps: GatewayDeps): WsGateway {
  return createWsHost({
    deps,
    name: 'native',
    matches: (pathname) => pathname === NATIVE_WS_PATH,
    accept(socket, req) {
      // Only these two outlive the handshake: the request object is not kept for the connection's lifetime.
      const url = req.url ?? '/';
      const origin = req.headers.origin;
      const address = peerAddress(req, deps.config.trustedProxies);
      const reply = (frame: WsReplyFrame) => socket.send(JSON.stringify(frame));
      const connection = new NativeConnection(
        deps,
        'ws',
        {
          deliver: (event) => socket.sendFrame(encodeOnce(event, 'native-ws', encodeWsFrame)),
          bufferedBytes: () => socket.bufferedBytes(),
          terminate: (reason) => socket.close(reason.code, reason.reason),
        },
        address,
      );
      return {
        id: connection.id,
        closedBySocket: () => connection.closedBySocket(),
        receive(text) {
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
            connection.refuseFrame(() => reply({ id: frame.id, ok: false, error }));
            return;
          }
          const id = frame.id;
          connection.request(frame.op, frame.data, (ack) => {
            reply(ack.ok ? { id, ok: true, data: ack.data } : { id, ok: false, error: ack.error });
          });
        },
        start() {
          // [proto.app] [proto.origin] [proto.handshake]
          const query = new URL(url, 'http://localhost').searchParams;
          const admission = admit(deps, {
            app: query.get('app') ?? undefined,
            origin,
            address,
            credentials: () =>
              parseHandshakeCredentials({
                token: query.get('token') ?? undefined,
                jwt: query.get('jwt') ?? undefined,
                guest: query.get('guest') ?? undefined,
              }),
          });
          void connection.start(admission).then((error) => {
            if (!error) return;
            reply({ id: null, ok: false, error: error.toBody() });
            const code = error.code === 'internal' || error.code === 'unavailable' ? 1011 : undefined;
            const reason = admissionDisconnect(error.code);
            socket.close(code ?? DISCONNECT_CATALOGUE[reason].code, error.code);
          });
        },
      };
    },
  });
}
