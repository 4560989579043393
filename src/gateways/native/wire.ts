/**
 * Engine values → the native protocol's wire types (src/protocol). The protocol's types are written out on their
 * own, so this file is where the two meet: every mapping below is checked by the compiler against both sides, and
 * the equality checks fail to compile when an engine type drifts from what the wire promises (a field renamed,
 * added, dropped or retyped). Where the shapes are the same the mapping is the value itself: nothing is copied.
 */
import type { DISCONNECT_CATALOGUE } from '../../core/disconnect.js';
import type { ErrorBody as CoreErrorBody, ErrorCode as CoreErrorCode } from '../../core/errors.js';
import type {
  Ban as CoreBan,
  Mute as CoreMute,
  User as CoreUser,
  UserRef as CoreUserRef,
} from '../../core/types.js';
import type { HistoryPage, JoinResult, ReactionResult, SendResult } from '../../engine/api.js';
import type { EngineEvent, EngineEventType, MessageView, RoomRef, RoomView } from '../../engine/events.js';
import type { DISCONNECT_REASONS } from '../../protocol/disconnect.js';
import type { ErrorBody as WireErrorBody, ErrorCode as WireErrorCode } from '../../protocol/errors.js';
import type { NativeEventMap, NativeEventName, ServerEvent } from '../../protocol/events.js';
import type {
  Ban as WireBan,
  HistoryPage as WireHistoryPage,
  JoinResult as WireJoinResult,
  MessageView as WireMessage,
  Mute as WireMute,
  ReactionResult as WireReactionResult,
  RoomRef as WireRoomRef,
  RoomView as WireRoomView,
  SendResult as WireSendResult,
  User as WireUser,
  UserRef as WireUserRef,
} from '../../protocol/views.js';

/** True only when A and B are the same type (optional and readonly modifiers included). */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when T is `true`. */
type Assert<T extends true> = T;

/** The data of each engine event as the native protocol pushes it: the event without its `type`. */
type EngineEventData = { [E in EngineEventType]: Omit<Extract<EngineEvent, { type: E }>, 'type'> };

/**
 * Where the engine and the wire must agree exactly. A failure here means the engine changed a value clients see:
 * change src/protocol (and docs/protocol.md) on purpose, or map the new engine shape back to the old wire one.
 */
export type WireAgreement = [
  Assert<Equals<CoreUser, WireUser>>,
  Assert<Equals<CoreUserRef, WireUserRef>>,
  Assert<Equals<RoomRef, WireRoomRef>>,
  Assert<Equals<RoomView, WireRoomView>>,
  Assert<Equals<MessageView, WireMessage>>,
  Assert<Equals<CoreMute, WireMute>>,
  Assert<Equals<CoreBan, WireBan>>,
  Assert<Equals<JoinResult, WireJoinResult>>,
  Assert<Equals<HistoryPage, WireHistoryPage>>,
  Assert<Equals<SendResult, WireSendResult>>,
  Assert<Equals<EngineEventType, NativeEventName>>,
  Assert<Equals<EngineEventData, NativeEventMap>>,
  Assert<Equals<CoreErrorCode, WireErrorCode>>,
  Assert<Equals<CoreErrorBody, WireErrorBody>>,
  // Reasons, close codes and default messages: the catalogue the server closes with is the one clients read.
  Assert<Equals<typeof DISCONNECT_CATALOGUE, typeof DISCONNECT_REASONS>>,
  Assert<Equals<ReactionResult, WireReactionResult>>,
];

export function toWireUser(user: CoreUser): WireUser {
  return user;
}

export function toWireRoom(room: RoomView): WireRoomView {
  return room;
}

export function toWireRooms(rooms: RoomView[]): WireRoomView[] {
  return rooms;
}

export function toWireMessage(message: MessageView): WireMessage {
  return message;
}

export function toWireUserRefs(users: CoreUserRef[]): WireUserRef[] {
  return users;
}

export function toWireMute(mute: CoreMute): WireMute {
  return mute;
}

export function toWireBan(ban: CoreBan): WireBan {
  return ban;
}

export function toWireJoin(result: JoinResult): WireJoinResult {
  return result;
}

export function toWireHistory(page: HistoryPage): WireHistoryPage {
  return page;
}

export function toWireSend(result: SendResult): WireSendResult {
  return result;
}

export function toWireError(body: CoreErrorBody): WireErrorBody {
  return body;
}

/**
 * An engine event as the push `{ event, data }`: the name is the event's `type`, the data the rest of it. Called
 * once per event and framing (through encodeOnce), however many connections receive it.
 */
export function toWireEvent(event: EngineEvent): ServerEvent {
  const { type, ...data } = event;
  // The rest of a union is not narrowed per member by the compiler; EngineEventData = NativeEventMap above is
  // what makes this pairing sound.
  return { event: type, data } as ServerEvent;
}

export function toWireReaction(result: ReactionResult): WireReactionResult {
  return result;
}
