import { screen, type FilterVerdict } from '../core/contentFilter.js';
import { messageFiltered } from '../core/failures.js';
import { checkMessageText } from '../core/messages.js';
import type { App, AppId, User, UserId, UserRef } from '../core/types.js';
import type { EngineContext } from './context.js';
import type { Strikes } from './strikes.js';

export interface SendPolicyHost {
  getApp(appId: AppId): Promise<App>;
  getUser(appId: AppId, userId: UserId): Promise<User | null>;
  findUser(appId: AppId, username: unknown): Promise<User>;
}

/** What the post pipeline goes on with: the text to store (masked where the filter masks) and whether to hold. */
export interface Screened {
  text: string;
  hold: boolean;
}

const HOUR_MS = 3_600_000;

/**
 * The app's word and link filter (core/contentFilter.ts) on the post pipeline: a message is passed, masked,
 * held for review or refused (`message_filtered`, naming no phrase). A phrase that refuses or holds is a strike
 * (strikes.ts); a refused link is not (it is a rule of the app, not abuse). The operator's tester runs the same
 * verdict without posting or striking.
 */
export class SendPolicy {
  constructor(
    private readonly ctx: EngineContext,
    private readonly host: SendPolicyHost,
    private readonly strikes: Pick<Strikes, 'add'>,
  ) {}

  private verdict(app: App, author: Pick<User, 'id' | 'role'>, text: string): Promise<FilterVerdict> {
    return screen(app.settings.filter, text, {
      role: author.role,
      ageHours: async () => {
        const user = await this.host.getUser(app.id, author.id);
        return user ? (this.ctx.clock.now() - user.createdAt) / HOUR_MS : 0;
      },
    });
  }

  async screen(app: App, author: UserRef, text: string): Promise<Screened> {
    const verdict = await this.verdict(app, author, text);
    if (verdict.reason === 'phrase') await this.strike(app.id, author.id, verdict);
    if (verdict.action === 'reject') throw messageFiltered(verdict.reason ?? 'phrase');
    return { text: verdict.text, hold: verdict.hold };
  }

  /** A strike's failure does not change the verdict: it is logged, and the message is refused or held anyway. */
  private async strike(appId: AppId, userId: UserId, verdict: FilterVerdict): Promise<void> {
    try {
      await this.strikes.add(
        appId,
        userId,
        'filter',
        `a message ${verdict.action === 'hold' ? 'held' : 'refused'}`,
      );
    } catch (err) {
      this.ctx.logger.warn({ err, appId, userId }, 'recording a filter strike failed');
    }
  }

  /** The operator's tester: what the filter would do with `text` from `username` (a member by default). */
  async test(appId: AppId, input: { text: unknown; username?: string }): Promise<FilterVerdict> {
    const app = await this.host.getApp(appId);
    const text = checkMessageText(input.text, app.settings.maxMessageLength);
    const author =
      input.username === undefined
        ? { id: 0, role: 'member' as const }
        : await this.host.findUser(appId, input.username);
    return this.verdict(app, author, text);
  }
}
