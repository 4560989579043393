/**
 * Engine views and events → socketapi frames. Pure functions: a pushed event is encoded once for every
 * recipient (encodeOnce), and what differs per recipient (whether they may see a channel) is decided by the
 * connection from the encoded variants.
 */
import type { UserRef } from '../../core/types.js';
import type { OnlineUser } from '../../engine/api.js';
import type { EngineEvent, MessageView, RoomView } from '../../engine/events.js';
import { dialectText } from '../kernel/messageText.js';
import type { ChannelModel, MessageModel, OnlineStatus, UserModel } from './protocol.js';
import { NAMESPACE, SERVER_EVENTS } from './protocol.js';

/**
 * A socket.io EVENT packet for the dialect's namespace, as socket-io-parser encodes it: type `2`, the
 * namespace and a comma, then the JSON array `[name, data]`. Written straight to the engine.io connection.
 */
export function encodePacket(name: string, data: unknown): string {
  return `2${NAMESPACE},${JSON.stringify([name, data])}`;
}

export function toChannelModel(room: RoomView, appId: number): ChannelModel {
  return {
    id: room.id,
    name: room.name,
    is_private: room.visibility === 'private',
    workspace_id: appId,
    creator_id: room.createdBy,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function toMessageModel(message: MessageView): MessageModel {
  return {
    id: message.id,
    channel_id: message.roomId,
    user_id: message.author?.id ?? null,
    username: message.author?.username ?? null,
    kind: message.kind,
    text: dialectText(message),
    html: message.html,
    created_at: iso(message.createdAt),
    edited_at: message.editedAt === null ? null : iso(message.editedAt),
  };
}

export function toUserModel(online: OnlineUser): UserModel {
  return { id: online.user.id, username: online.user.username };
}

/** A pushed event as encoded once; `channel-*` kinds carry the variants the connection chooses from. */
export type EncodedPush =
  /** Nothing in this dialect (typing, room presence, moderation notices for others, command replies). */
  | { kind: 'none' }
  /** The same packet for every recipient. */
  | { kind: 'packet'; packet: string }
  /** The same packets for every recipient, in order (a batch of online statuses: one packet per user). */
  | { kind: 'packets'; packets: string[] }
  /** The engine already delivers room_created only to those who may see the room. */
  | { kind: 'channel-created'; channelId: number; name: string; packet: string }
  | {
      kind: 'channel-updated';
      channelId: number;
      name: string;
      isPrivate: boolean;
      /** For a recipient who already knows the channel. */
      updated: string;
      /** For one who could not see it before (a private channel made public). */
      created: string;
      /** For one who can no longer see it (a channel made private that they are not a member of). */
      deleted: string;
    }
  /** Only for recipients who knew the channel: a deleted private room is no news to anyone else. */
  | { kind: 'channel-deleted'; channelId: number; packet: string };

/** The workspace of a pushed event is the recipient's app: every recipient of one event shares it. */
export function encodePush(event: EngineEvent, appId: number): EncodedPush {
  switch (event.type) {
    case 'room_created':
      return {
        kind: 'channel-created',
        channelId: event.room.id,
        name: event.room.name,
        packet: encodePacket(SERVER_EVENTS.channelCreated, toChannelModel(event.room, appId)),
      };
    case 'room_updated': {
      const channel = toChannelModel(event.room, appId);
      return {
        kind: 'channel-updated',
        channelId: channel.id,
        name: channel.name,
        isPrivate: channel.is_private,
        updated: encodePacket(SERVER_EVENTS.channelUpdated, { channel }),
        created: encodePacket(SERVER_EVENTS.channelCreated, channel),
        deleted: encodePacket(SERVER_EVENTS.channelDeleted, { channelId: channel.id }),
      };
    }
    case 'room_deleted':
      return {
        kind: 'channel-deleted',
        channelId: event.room.id,
        packet: encodePacket(SERVER_EVENTS.channelDeleted, { channelId: event.room.id }),
      };
    case 'online_changed': {
      const status = (onlineStatus: OnlineStatus) => (user: UserRef) =>
        encodePacket(SERVER_EVENTS.onlineStatusUpdated, { userId: user.id, onlineStatus });
      return {
        kind: 'packets',
        packets: [...event.offline.map(status('offline')), ...event.online.map(status('online'))],
      };
    }
    case 'message':
      return {
        kind: 'packet',
        packet: encodePacket(SERVER_EVENTS.messageCreated, { message: toMessageModel(event.message) }),
      };
    case 'message_edited':
      return {
        kind: 'packet',
        packet: encodePacket(SERVER_EVENTS.messageUpdated, { message: toMessageModel(event.message) }),
      };
    case 'message_deleted':
      return {
        kind: 'packet',
        packet: encodePacket(SERVER_EVENTS.messageDeleted, {
          channelId: event.room.id,
          messageId: event.message.id,
        }),
      };
    case 'gap':
      return {
        kind: 'packet',
        packet: encodePacket(SERVER_EVENTS.messagesMissed, {
          channelId: event.room.id,
          count: Math.max(0, event.beforeSeq - event.afterSeq - 1),
        }),
      };
    // Kicks and bans of this user arrive as the session's terminate (kicked-from-workspace); those of others,
    // mutes, room presence, typing, slash-command replies (reported in message-sent), pins, reactions, mentions,
    // read markers, read receipts, a guest's upgrade and the moderation queue have no event here.
    case 'presence_join':
    case 'presence_leave':
    case 'typing':
    case 'muted':
    case 'unmuted':
    case 'banned':
    case 'unbanned':
    case 'kicked':
    case 'system':
    case 'message_pinned':
    case 'message_unpinned':
    case 'reaction_changed':
    case 'mention':
    case 'read':
    case 'read_receipt':
    case 'block_changed':
    case 'dm_message':
    case 'user_renamed':
    case 'profile_changed':
    case 'message_hidden':
    case 'report_created':
    case 'shadow_muted':
    case 'shadow_unmuted':
    case 'slow_mode_changed':
    case 'warning':
    case 'message_preview':
    case 'command':
      return { kind: 'none' };
  }
}

/** The size a queued push counts for in the slow-consumer bound. */
export function encodedSize(encoded: EncodedPush): number {
  switch (encoded.kind) {
    case 'none':
      return 0;
    case 'packets':
      return encoded.packets.reduce((total, packet) => total + packet.length, 0);
    case 'packet':
    case 'channel-created':
    case 'channel-deleted':
      return encoded.packet.length;
    case 'channel-updated':
      return encoded.updated.length;
  }
}
