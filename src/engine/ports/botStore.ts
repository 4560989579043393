import type { BotCommand, BotEndpoint, BotRecord } from '../../core/bots.js';
import type { AppId, UserId } from '../../core/types.js';

/**
 * Bots (engine/bots.ts), a field of the Store (`store.bots`): the bot's user is in the directory, its key among
 * the access tokens; this keeps what makes it a bot. Both stores pass test/store/contract-bots.ts.
 */
export interface BotStore {
  /** Fails with `conflict` when the user is a bot already. */
  create(bot: BotRecord): Promise<void>;
  get(appId: AppId, userId: UserId): Promise<BotRecord | null>;
  /** The app's bots, oldest first. */
  list(appId: AppId): Promise<BotRecord[]>;
  /** Replaces the given fields; answers the bot as it is now (null when there is none). */
  update(
    appId: AppId,
    userId: UserId,
    patch: { endpoint?: BotEndpoint | null; commands?: BotCommand[]; keyId?: string },
  ): Promise<BotRecord | null>;
  /** Answers whether there was one. */
  remove(appId: AppId, userId: UserId): Promise<boolean>;
}
