import {
  MAX_BOTS_PER_APP,
  type BotCommand,
  type BotPatch,
  type BotRecord,
  type BotView,
  type NewBot,
} from '../core/bots.js';
import { isBuiltinCommand } from '../core/commands.js';
import { ParleyError } from '../core/errors.js';
import { badField } from '../core/failures.js';
import { SECRET_SET } from '../core/guestVerification.js';
import { checkUsername } from '../core/names.js';
import { profileFields } from '../core/profiles.js';
import type { App, AppId, User, UserId } from '../core/types.js';
import type { Broadcast } from './broadcast.js';
import type { Catalog } from './catalog.js';
import type { EngineContext } from './context.js';
import type { IdentityProvider } from './ports/identity.js';
import type { Profiles } from './profiles.js';

/** A new bot, or a new key: the key is in this answer only. */
export interface BotWithKey {
  bot: BotView;
  apiKey: string;
}

/**
 * The operator's bots (core/bots.ts): created with a key shown once, listed, changed, deleted, their keys rotated.
 * A bot is a user of kind `bot`; deleting it revokes its key and closes its sessions, and its messages keep its
 * name (the user stays, so that creating a bot of the same name again takes it back).
 */
export class Bots {
  constructor(
    private readonly ctx: EngineContext,
    private readonly catalog: Pick<Catalog, 'getApp' | 'findUser' | 'getUser'>,
    private readonly identity: Pick<IdentityProvider, 'issueApiKey'>,
    private readonly profiles: Pick<Profiles, 'setByOperator'>,
    private readonly broadcast: Pick<Broadcast, 'disconnectUser' | 'tokenRevoked'>,
  ) {}

  async create(appId: AppId, input: NewBot): Promise<BotWithKey> {
    const app = await this.catalog.getApp(appId);
    const commands = input.commands ?? [];
    const existing = await this.ctx.store.bots.list(appId);
    if (existing.length >= MAX_BOTS_PER_APP) {
      throw new ParleyError('conflict', `An app keeps at most ${MAX_BOTS_PER_APP} bots`, {
        max: MAX_BOTS_PER_APP,
      });
    }
    this.checkCommands(commands, existing, null);
    let user = await this.botUser(app, checkUsername(input.username));
    if (input.displayName !== undefined) {
      user = await this.profiles.setByOperator(appId, user.username, { displayName: input.displayName });
    }
    const issued = await this.identity.issueApiKey(app, user);
    const record: BotRecord = {
      appId,
      userId: user.id,
      endpoint: input.endpoint ?? null,
      commands,
      keyId: issued.tokenId,
      createdAt: this.ctx.clock.now(),
    };
    await this.ctx.store.bots.create(record);
    return { bot: view(user, record), apiKey: issued.token };
  }

  async list(appId: AppId): Promise<BotView[]> {
    await this.catalog.getApp(appId);
    const records = await this.ctx.store.bots.list(appId);
    const views: BotView[] = [];
    for (const record of records) {
      const user = await this.catalog.getUser(appId, record.userId);
      if (user) views.push(view(user, record));
    }
    return views;
  }

  async update(appId: AppId, username: string, patch: BotPatch): Promise<BotView> {
    const { user, record } = await this.find(appId, username);
    if (patch.commands !== undefined) {
      this.checkCommands(patch.commands, await this.ctx.store.bots.list(appId), user.id);
    }
    let endpoint: BotRecord['endpoint'] | undefined;
    if (patch.endpoint === null) endpoint = null;
    else if (patch.endpoint !== undefined) {
      const given = patch.endpoint.secret !== undefined && patch.endpoint.secret !== SECRET_SET;
      const secret = given ? patch.endpoint.secret : record.endpoint?.secret;
      if (secret === undefined) throw badField('endpoint.secret', 'the endpoint needs its secret');
      endpoint = { url: patch.endpoint.url, secret };
    }
    let current = user;
    if (patch.displayName !== undefined) {
      current = await this.profiles.setByOperator(appId, user.username, { displayName: patch.displayName });
    }
    const updated = await this.ctx.store.bots.update(appId, user.id, {
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(patch.commands === undefined ? {} : { commands: patch.commands }),
    });
    if (!updated) throw notABot(username);
    return view(current, updated);
  }

  async remove(appId: AppId, username: string): Promise<BotView> {
    const { user, record } = await this.find(appId, username);
    await this.ctx.store.bots.remove(appId, user.id);
    await this.ctx.store.tokens.revokeUser(appId, user.id, this.ctx.clock.now());
    this.broadcast.disconnectUser(appId, user.id, 'revoked');
    return view(user, record);
  }

  /** A new key; the old one stops working at once and the sessions signed in with it are closed. */
  async rotateKey(appId: AppId, username: string): Promise<BotWithKey> {
    const app = await this.catalog.getApp(appId);
    const { user, record } = await this.find(appId, username);
    const issued = await this.identity.issueApiKey(app, user);
    const updated = await this.ctx.store.bots.update(appId, user.id, { keyId: issued.tokenId });
    const old = await this.ctx.store.tokens.revoke(appId, record.keyId);
    if (old) this.broadcast.tokenRevoked(appId, user.id, old.id);
    return { bot: view(user, updated ?? record), apiKey: issued.token };
  }

  /** The bot that registered the command in the app, with its user; null when none did. */
  async forCommand(appId: AppId, name: string): Promise<{ user: User; record: BotRecord } | null> {
    for (const record of await this.ctx.store.bots.list(appId)) {
      if (!record.commands.some((command) => command.name === name)) continue;
      const user = await this.catalog.getUser(appId, record.userId);
      return user ? { user, record } : null;
    }
    return null;
  }

  private async find(appId: AppId, username: string): Promise<{ user: User; record: BotRecord }> {
    await this.catalog.getApp(appId);
    const user = await this.catalog.findUser(appId, username);
    const record = user.kind === 'bot' ? await this.ctx.store.bots.get(appId, user.id) : null;
    if (!record) throw notABot(username);
    return { user, record };
  }

  /** A bot's user: new, or a deleted bot's own taken back; any other user's name is taken. */
  private async botUser(app: App, username: string): Promise<User> {
    const existing = await this.ctx.store.directory.findUserByName(app.id, username);
    if (existing) {
      const free = existing.kind === 'bot' && !(await this.ctx.store.bots.get(app.id, existing.id));
      if (!free) throw new ParleyError('conflict', 'username is taken');
      return existing;
    }
    return this.ctx.store.directory.createUser(
      app.id,
      { username, role: 'member', kind: 'bot', passwordHash: null },
      this.ctx.clock.now(),
    );
  }

  /** Names are unique in the app, and never a built-in command's (built-ins win). */
  private checkCommands(commands: BotCommand[], bots: BotRecord[], self: UserId | null): void {
    const names = new Set<string>();
    for (const { name } of commands) {
      if (isBuiltinCommand(name)) {
        throw badField('commands', `/${name} is a built-in command`);
      }
      if (names.has(name)) throw badField('commands', `/${name} is listed twice`);
      names.add(name);
    }
    for (const bot of bots) {
      if (bot.userId === self) continue;
      const taken = bot.commands.find((command) => names.has(command.name));
      if (taken) throw new ParleyError('conflict', `Another bot has /${taken.name}`, { command: taken.name });
    }
  }
}

function notABot(username: string): ParleyError {
  return new ParleyError('not_found', `No bot named ${username}`);
}

function view(user: User, record: BotRecord): BotView {
  return {
    username: user.username,
    ...profileFields({ displayName: user.displayName ?? null }),
    endpoint: record.endpoint === null ? null : { url: record.endpoint.url, secret: SECRET_SET },
    commands: record.commands,
    createdAt: record.createdAt,
  };
}
