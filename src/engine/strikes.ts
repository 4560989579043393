import {
  FLOOD_STRIKE_INTERVAL_MS,
  newStrike,
  stepFor,
  stepReason,
  type LadderStep,
  type Strike,
  type StrikeSource,
} from '../core/escalation.js';
import { isStaff } from '../core/roles.js';
import type { App, AppId, User, UserId } from '../core/types.js';
import type { EngineContext } from './context.js';
import type { EngineEvent } from './events.js';
import type { Actor } from './moderation.js';
import type { Moderator } from './moderator.js';

/** Most users whose last flood strike this node remembers; past it the oldest entries go first. */
const MAX_FLOOD_MEMORY = 10_000;
/** Most strikes `list` answers (the store keeps a user's strikes for 30 days after they expire). */
export const MAX_LISTED_STRIKES = 100;

/** The system acts as the operator does (no acting user, above every role); its reasons say it was automatic. */
const SYSTEM: Actor = { kind: 'operator' };

export interface StrikesHost {
  getApp(appId: AppId): Promise<App>;
  getUser(appId: AppId, userId: UserId): Promise<User | null>;
  findUser(appId: AppId, username: unknown): Promise<User>;
  userEvent(appId: AppId, userId: UserId, event: EngineEvent): void;
}

export interface StrikeResult {
  /** The user's unexpired strikes, this one included. */
  count: number;
  /** The ladder step applied (null: none, for an empty ladder or a user of staff rank). */
  step: LadderStep | null;
}

/**
 * Strikes and the escalation ladder (core/escalation.ts). A strike is stored first (the store counts the user's
 * unexpired strikes in the same transaction, so every node sees one count), then step N of the app's ladder is
 * applied by the system: a warning told to the user's sessions (`warning`) and recorded, or a mute or a ban
 * through the moderator (told and recorded as any other, with a reason naming the source). Staff collect
 * strikes but are never warned, muted or banned by the ladder. The reports part calls `add` for upheld reports.
 */
export class Strikes {
  /** When each user last got a flood strike on this node (a burst is one violation, not one per message). */
  private readonly lastFlood = new Map<string, number>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly host: StrikesHost,
    private readonly moderator: Pick<Moderator, 'mute' | 'ban' | 'record'>,
  ) {}

  async add(appId: AppId, userId: UserId, source: StrikeSource, reason: string): Promise<StrikeResult> {
    const app = await this.host.getApp(appId);
    const strike = newStrike(app.settings.escalation, appId, userId, source, reason, this.ctx.clock.now());
    const count = await this.ctx.track(this.ctx.store.strikes.add(strike));
    const user = await this.host.getUser(appId, userId);
    if (!user || isStaff(user.role)) return { count, step: null };
    const step = stepFor(app.settings.escalation.ladder, count);
    if (step) await this.apply(app.id, user, step, strike, count);
    return { count, step };
  }

  private async apply(
    appId: AppId,
    user: User,
    step: LadderStep,
    strike: Strike,
    count: number,
  ): Promise<void> {
    const reason = stepReason(strike, count);
    if (step.action === 'warn') {
      this.host.userEvent(appId, user.id, { type: 'warning', reason, source: strike.source, strikes: count });
      await this.moderator.record(appId, 'warn', SYSTEM, user.id, null, { reason, source: strike.source });
    } else if (step.action === 'mute') {
      await this.moderator.mute(appId, user.username, { minutes: step.minutes, reason }, SYSTEM);
    } else {
      await this.moderator.ban(appId, user.username, { minutes: step.minutes, reason }, SYSTEM);
    }
  }

  /**
   * A send refused by the flood limit: a strike, unless this user had one from flooding on this node in the
   * last FLOOD_STRIKE_INTERVAL_MS. Not awaited by the refused send; a failure is logged.
   */
  flood(appId: AppId, userId: UserId): void {
    const key = `${appId}:${userId}`;
    const now = this.ctx.clock.now();
    const last = this.lastFlood.get(key);
    if (last !== undefined && now - last < FLOOD_STRIKE_INTERVAL_MS) return;
    this.lastFlood.delete(key);
    this.lastFlood.set(key, now);
    if (this.lastFlood.size > MAX_FLOOD_MEMORY) {
      const oldest = this.lastFlood.keys().next().value;
      if (oldest !== undefined) this.lastFlood.delete(oldest);
    }
    this.add(appId, userId, 'flood', 'sending too fast').catch((err: unknown) =>
      this.ctx.logger.warn({ err, appId, userId }, 'recording a flood strike failed'),
    );
  }

  /** The user's strikes, newest first, with whether each still counts. */
  async list(appId: AppId, username: string): Promise<(Strike & { active: boolean })[]> {
    const user = await this.host.findUser(appId, username);
    const now = this.ctx.clock.now();
    const strikes = await this.ctx.store.strikes.list(appId, user.id, MAX_LISTED_STRIKES);
    return strikes.map((strike) => ({ ...strike, active: strike.expiresAt > now }));
  }
}
