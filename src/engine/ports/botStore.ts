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
  update(appId: AppId, userId: UserId, patch: BotUpdate): Promise<BotRecord | null>;
  /** Answers whether there was one. */
  remove(appId: AppId, userId: UserId): Promise<boolean>;
}

/** The fields of a bot an update may replace; those left out keep their values. */
export interface BotUpdate {
  endpoint?: BotEndpoint | null;
  commands?: BotCommand[];
  keyId?: string;
}
