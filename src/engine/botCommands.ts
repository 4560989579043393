import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { BOT_ANSWER_MAX_BYTES, BOT_ENDPOINT_TIMEOUT_MS, type BotRecord } from '../core/bots.js';
import { roomIsPrivate } from '../core/failures.js';
import type { Credentials, Principal } from '../core/identity.js';
import type { AppId, User } from '../core/types.js';
import type { Catalog } from './catalog.js';
import type { SendResult } from './api.js';
import type { Bots } from './bots.js';
import type { EngineContext } from './context.js';
import type { EngineEvent } from './events.js';
import type { CommandOutcome, PostInput, TypedCommand } from './messages.js';
import type { SiteCaller, SiteCallOutcome } from './ports/siteCaller.js';
import { parseJson, siteEnvelope } from './siteEnvelope.js';
import { refOf, toRoomRef } from './views.js';

/** What a bot command needs of the other parts. */
export interface BotCommandHost {
  bots: Pick<Bots, 'forCommand'>;
  siteCaller: SiteCaller;
  /** The post pipeline, for the bot's answer. */
  post(input: PostInput): Promise<SendResult>;
  isOnline(appId: number, userId: number): boolean;
  userEvent(appId: number, userId: number, event: EngineEvent): void;
  authenticate(appId: AppId, credentials: Credentials): Promise<Principal>;
  catalog: Pick<Catalog, 'getApp' | 'findRoom' | 'canSee'>;
}

/** The endpoint's answer: the text the bot posts in the room; without one it stays silent. */
const answerSchema = z.object({ text: z.string().optional() });

const FAILURES: Record<Exclude<SiteCallOutcome, { ok: true }>['failure'], string> = {
  timeout: 'did not answer in time',
  unreachable: 'could not be reached',
  redirect: 'could not be reached',
  too_large: 'answered with more than the 64 KiB an answer may hold',
};

/**
 * Slash commands that bots registered (docs/bots.md): `/weather Paris` goes to the bot that has `/weather`. With an
 * endpoint, the command is POSTed there (signed) and the answer's `text` is posted in the room as the bot; without
 * one, the bot's connections are told with a `command` event and the bot answers by sending as anyone does. The
 * command itself is not posted (as in Slack): the room sees only the answer. The sender gets a system notice
 * when there is no answer to be had.
 */
export class BotCommands {
  constructor(
    private readonly ctx: EngineContext,
    private readonly host: BotCommandHost,
  ) {}

  /** A bot posts with its API key (the REST API): in a room it may see, through the whole post pipeline. */
  async postAsBot(
    appId: AppId,
    apiKey: string,
    roomName: string,
    input: { text: string; clientMsgId?: string; replyTo?: number },
  ): Promise<SendResult> {
    const principal = await this.host.authenticate(appId, { kind: 'api_key', apiKey });
    const { catalog } = this.host;
    const [app, room] = await Promise.all([catalog.getApp(appId), catalog.findRoom(appId, roomName)]);
    const author = refOf(principal.user);
    if (!(await catalog.canSee(room, author))) throw roomIsPrivate();
    const { text, clientMsgId, replyTo: parentId } = input;
    return this.host.post({ app, room, author, text, clientMsgId, parentId, commands: false });
  }

  /** Null when no bot has the command (the caller answers as for an unknown command). */
  async route(typed: TypedCommand): Promise<CommandOutcome | null> {
    const bot = await this.host.bots.forCommand(typed.app.id, typed.command);
    if (!bot) return null;
    if (bot.record.endpoint === null) return this.tellBot(typed, bot.user);
    return this.callEndpoint(typed, bot.user, bot.record.endpoint);
  }

  private tellBot(typed: TypedCommand, bot: User): CommandOutcome {
    if (!this.host.isOnline(typed.app.id, bot.id)) {
      return {
        notice: `The bot ${bot.username} is offline; try /${typed.command} later`,
        error: 'unavailable',
      };
    }
    this.host.userEvent(typed.app.id, bot.id, {
      type: 'command',
      id: randomUUID(),
      room: toRoomRef(typed.room),
      command: typed.command,
      args: typed.args,
      user: typed.user,
    });
    return { notice: null, error: null };
  }

  private async callEndpoint(
    typed: TypedCommand,
    bot: User,
    endpoint: NonNullable<BotRecord['endpoint']>,
  ): Promise<CommandOutcome> {
    const now = this.ctx.clock.now();
    const data = {
      command: typed.command,
      args: typed.args,
      room: toRoomRef(typed.room),
      user: typed.user,
    };
    const envelope = siteEnvelope('command', typed.app.id, data, now);
    const outcome = await this.host.siteCaller.post(
      {
        url: endpoint.url,
        secret: endpoint.secret,
        eventId: envelope.id,
        body: JSON.stringify(envelope),
        timeoutMs: BOT_ENDPOINT_TIMEOUT_MS,
        maxResponseBytes: BOT_ANSWER_MAX_BYTES,
      },
      now,
    );
    const failed = (why: string): CommandOutcome => {
      this.ctx.logger.warn({ appId: typed.app.id, bot: bot.username, why }, 'a bot command failed');
      return { notice: `The bot ${bot.username} ${why}`, error: 'unavailable' };
    };
    if (!outcome.ok) return failed(FAILURES[outcome.failure]);
    if (outcome.status < 200 || outcome.status > 299) return failed(`failed (HTTP ${outcome.status})`);
    const answer = answerSchema.safeParse(parseJson(outcome.body));
    if (!answer.success) return failed('gave an answer Parley could not read');
    if (answer.data.text === undefined || answer.data.text.trim() === '')
      return { notice: null, error: null };
    try {
      await this.host.post({
        app: typed.app,
        room: typed.room,
        author: refOf(bot),
        text: answer.data.text,
        clientMsgId: undefined,
        commands: false,
      });
    } catch (err) {
      const code = err instanceof Error && 'code' in err ? String(err.code) : 'internal';
      return failed(`could not post its answer (${code})`);
    }
    return { notice: null, error: null };
  }
}
