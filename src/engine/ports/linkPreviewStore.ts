import type { LinkPreview, MessageId, RoomId } from '../../core/types.js';

/**
 * A message's link preview (engine/linkPreviews.ts), a field of the Store (`store.linkPreviews`): one per
 * message at most, kept apart from the message row, going with the message when it is deleted for good.
 */
export interface LinkPreviewStore {
  /**
   * Stores the preview of a message of the room that is not deleted, replacing one it had; false (nothing
   * stored) when the message is not in the room or was deleted.
   */
  put(roomId: RoomId, messageId: MessageId, preview: LinkPreview): Promise<boolean>;
  /** The previews of the messages given, in one query; messages without one are absent from the map. */
  get(messageIds: readonly MessageId[]): Promise<Map<MessageId, LinkPreview>>;
  /** Forgets a message's preview (the message was deleted); true when there was one. */
  remove(messageId: MessageId): Promise<boolean>;
}
