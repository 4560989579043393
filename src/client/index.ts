/**
 * `parley-chat-client`: the typed client for Parley's native protocol, over plain WebSocket or socket.io.
 *
 *   const client = new ParleyClient({ url: 'https://chat.example.com', transport: 'ws', credentials: { guest: 'ann' } });
 *   client.on('message', ({ room, message }) => console.log(room.name, message.text));
 *   await client.connect();
 *   await client.join('lobby');
 *   await client.send('lobby', 'hello');
 */
export { ParleyClient } from './client.js';
export { FINAL_CLOSE_CODES, retryHintMs } from './policy.js';
export { hintedDelay } from './backoff.js';
export { MAX_SEND_ATTEMPTS, newClientMsgId } from './sends.js';
export { ParleyClientError } from './errors.js';
export type { ClientErrorCode } from './errors.js';
export type {
  BotCommandEvent,
  ClientCredentials,
  ClientEventMap,
  ClientEventName,
  ClientState,
  DisconnectedEvent,
  ParleyClientOptions,
  ReconnectedEvent,
  TransportKind,
} from './types.js';
export type { WebSocketConstructorLike, WebSocketLike } from './transport-ws.js';
export type { SocketIoTransportOptions } from './transport-socketio.js';
export type { CloseInfo } from './transport.js';
export type {
  ChannelConstructorLike,
  ChannelLike,
  LockManagerLike,
  TabSharingOptions,
} from './tab-protocol.js';
export { NATIVE_EVENTS, NATIVE_OPS } from '../protocol/native.js';
export type {
  Ack,
  AuthRequest,
  AuthResult,
  Ban,
  DisconnectReason,
  DisconnectReasonData,
  EmptyRequest,
  EmptyResult,
  ErrorBody,
  ErrorCode,
  Gap,
  HistoryPage,
  JoinResult,
  MessageView,
  Mute,
  NativeEventData,
  NativeEventMap,
  NativeEventName,
  NativeOp,
  NativeOperations,
  OpRequest,
  OpResult,
  PinView,
  ProfileRequest,
  ReadReceipt,
  ReadResult,
  RoomRef,
  RoomView,
  RoomVisibility,
  SendResult,
  ServerEvent,
  User,
  UserRef,
  ReactionCount,
  ReactionResult,
  UpgradeRequest,
  UpgradeResult,
} from '../protocol/native.js';
export type { DmView, PageRoom, SearchHit, SearchPage, SearchRequest } from '../protocol/native.js';
export type {
  AuthorSummary,
  QueueEntry,
  QueuePage,
  QueueReason,
  QueueRequest,
  ReportAction,
  ReportEntry,
  ReportReason,
  ReportResult,
  ResolveRequest,
  ShadowMute,
} from '../protocol/native.js';
