import { attachmentNotFound } from '../core/attachments.js';
import { splitCommand } from '../core/bots.js';
import { isBuiltinCommand, parseText, type Command } from '../core/commands.js';
import { ParleyError, type ErrorCode } from '../core/errors.js';
import {
  badField,
  banned,
  deleteOwnOnly,
  editOwnOnly,
  guestReadOnly,
  messageDeleted,
  messageFiltered,
  messageNotFound,
} from '../core/failures.js';
import { renderInline, renderMarkdown } from '../core/markdown.js';
import { checkClientMsgId, checkMessageId, checkMessageText } from '../core/messages.js';
import { checkReplyTo } from '../core/replies.js';
import { isStaff } from '../core/roles.js';
import type { MessageOutbox } from './ports/webhookStore.js';
import type { App, Message, MessageVisibility, Room, UserId, UserRef } from '../core/types.js';
import { TOMBSTONE_AUTHOR_ID } from '../core/types.js';
import type { Gap, HistoryPage, HistoryQuery, SendResult } from './api.js';
import type { Attachments } from './attachments.js';
import type { Broadcast } from './broadcast.js';
import type { EngineContext } from './context.js';
import type { EngineEvent, MessageView } from './events.js';
import type { ModerationCache } from './moderationCache.js';
import { type Actor } from './moderation.js';
import type { Moderator } from './moderator.js';
import type { PreSendMessage } from './preSendHook.js';
import type { Screened } from './sendPolicy.js';
import { seqPage, seqRange } from './paging.js';
import { runSlashCommand } from './slashCommands.js';
import { toMessageView, toRoomRef } from './views.js';
import { viewOf } from './visibility.js';

/** Who hears the answer to a slash command: the session that typed it. */
export interface CommandReplyTarget {
  deliverDirect(event: EngineEvent): void;
}

/** A command typed in a room, as a bot is told of it. */
export interface TypedCommand {
  app: App;
  room: Room;
  user: UserRef;
  command: string;
  args: string;
}

/** What the sender hears back: a system notice (or none) and the command's error code (null: it went). */
export interface CommandOutcome {
  notice: string | null;
  error: ErrorCode | null;
}

export interface PostInput {
  app: App;
  room: Room;
  author: UserRef;
  text: unknown;
  clientMsgId: unknown;
  /** Read slash commands from the text. */
  commands: boolean;
  kind?: 'text' | 'me';
  replyTo?: CommandReplyTarget;
  /** The id of the message this one answers (core/replies.ts); a command ignores it. */
  parentId?: unknown;
  /**
   * Who may see the message (core/types.ts MessageVisibility): 'held' holds it for review (a filter's
   * decision), and it enters the moderation queue. Absent: 'visible', or 'shadow' for a shadow-muted author.
   */
  visibility?: MessageVisibility;
  /** The operator's publish: not held to the content filter or slow mode. */
  trusted?: boolean;
  /** Ids of the author's uploads for the room (attachments.ts); with some, the text may be empty. */
  attachments?: unknown;
}

/**
 * What another part adds to messages read back (reactions): it sets its fields on the views in place, with one
 * query for the whole list. `readerId`: whose answer it is (null in broadcasts and the operator's reads).
 */
export type MessageDecorator = (views: MessageView[], readerId: UserId | null) => Promise<void>;
/** What the post pipeline asks of the mentions and read-state parts. */
export interface PostHooks {
  /** The users the text mentions (resolved before the message is stored with them). */
  mentions(appId: number, text: string): Promise<UserRef[]>;
  /** The message was committed and fanned out: mentions told, the author's read marker moved (no waiting). */
  posted(room: Room, message: MessageView): void;
  /** Whether the author is shadow-muted (shadowMutes.ts): their messages are then stored as 'shadow'. */
  shadowed(appId: number, userId: UserId): Promise<boolean>;
  /** A message stored as 'held' enters the moderation queue (reports.ts). */
  held(room: Room, message: MessageView): Promise<void>;
  /** The content filter (sendPolicy.ts): the text to store and whether to hold it; throws when it refuses. */
  screen(app: App, author: UserRef, text: string): Promise<Screened>;
  /** The files a send names: checked before the message is stored, linked to it after (attachments.ts). */
  files: Pick<Attachments, 'checkForSend' | 'link'>;
  /** The webhook events of a message write (webhooks.ts), written by the store in its transaction. */
  outbox(room: Room, type: MessageEventType): Promise<MessageOutbox | undefined>;
  /** An outbox row was committed: the dispatcher looks now. */
  queued(): void;
  /** The app's pre-send hook (preSendHook.ts): the text to store; throws when the site refuses the message. */
  preSend?(app: App, message: PreSendMessage): Promise<string>;
  /** A command a bot registered (botCommands.ts): routed to it; null when no bot has it. */
  botCommand?(typed: TypedCommand): Promise<CommandOutcome | null>;
}

type MessageEventType = 'message.created' | 'message.edited' | 'message.deleted';

export interface Replay {
  messages: MessageView[];
  gap: Gap | null;
  lastSeq: number;
}

/**
 * The life of a message: the post pipeline (ban, guest rights, slash commands, mute, length, render,
 * commit, fan-out), edits and deletions, and reading back (the replay of a join, history pages).
 */
export class Messages {
  constructor(
    private readonly ctx: EngineContext,
    private readonly moderation: ModerationCache,
    private readonly moderator: Moderator,
    private readonly broadcast: Broadcast,
    private readonly hooks: PostHooks,
    /** Told of every deletion once it is committed and announced (the pins part unpins the message). */
    private readonly afterRemove: (room: Room, message: MessageView, actor: Actor) => Promise<void> = () =>
      Promise.resolve(),
    private readonly decorators: readonly MessageDecorator[] = [],
  ) {}

  private async decorated(views: MessageView[], readerId: UserId | null): Promise<MessageView[]> {
    for (const decorate of this.decorators) if (views.length > 0) await decorate(views, readerId);
    return views;
  }

  /**
   * The one path of every message. Nothing is acknowledged or fanned out before the store has committed it;
   * then it goes to this node's subscribers and once to the other nodes.
   */
  async post(input: PostInput): Promise<SendResult> {
    const { app, room, author } = input;
    const entered = performance.now();
    const now = this.ctx.clock.now();
    if (await this.moderation.activeBan(app.id, author.id, now)) throw banned();
    if (author.role === 'guest' && !app.settings.guestsCanWrite) throw guestReadOnly();
    const clientMsgId = checkClientMsgId(input.clientMsgId);
    const parentId = checkReplyTo(input.parentId);
    if (typeof input.text !== 'string') throw badField('text', 'text must be a string');
    const files = await this.hooks.files.checkForSend(
      app,
      author.id,
      room,
      input.attachments,
      clientMsgId !== null,
    );
    const textless = files.length > 0 && input.text.trim() === '';
    let text = textless ? '' : checkMessageText(input.text, app.settings.maxMessageLength);
    let kind: 'text' | 'me' = input.kind ?? 'text';
    if (input.commands && kind === 'text') {
      const parsed = parseText(text);
      if (parsed.kind === 'invalid') {
        const routed = await this.botCommand(app, room, author, text, input.replyTo, now);
        return routed ?? this.commandReply(input.replyTo, room, 'invalid', parsed.usage, 'bad_request');
      }
      if (parsed.kind === 'command' && parsed.command.kind !== 'me') {
        return this.runCommand(app, room, author, parsed.command, input.replyTo);
      }
      if (parsed.kind === 'command' && parsed.command.kind === 'me') {
        kind = 'me';
        text = parsed.command.action;
      } else if (parsed.kind === 'text') text = parsed.text;
    }
    await this.moderation.refuseMuted(app.id, author, room.id, now);
    const screened =
      input.trusted === true ? { text, hold: false } : await this.hooks.screen(app, author, text);
    text = screened.text;
    if (input.trusted !== true && this.hooks.preSend) {
      text = await this.hooks.preSend(app, { room, author, kind, text, replyTo: parentId });
    }
    const html = kind === 'me' ? renderInline(text) : renderMarkdown(text);
    const mentions = await this.hooks.mentions(app.id, text);
    // A shadow-muted author's messages are 'shadow' whatever else was asked: only they and staff see them.
    const shadowed = await this.hooks.shadowed(app.id, author.id);
    // The filter's hold puts the message in the moderation queue, seen by its author and staff only.
    const visibility = shadowed ? 'shadow' : screened.hold ? 'held' : (input.visibility ?? 'visible');
    this.ctx.metrics.messageIn(app.id, room.name);
    const outbox = await this.hooks.outbox(room, 'message.created');
    const appended = await this.ctx.track(
      this.ctx.store.messages.append({
        appId: app.id,
        roomId: room.id,
        kind,
        authorId: author.id,
        text,
        html,
        clientMsgId,
        createdAt: now,
        replyTo: parentId,
        mentions: mentions.map((user) => user.id),
        visibility,
        // Checked by the store in the append's transaction, so that it holds across nodes (ports/store.ts).
        slowMode: input.trusted !== true && !isStaff(author.role),
        ...(outbox ? { outbox } : {}),
      }),
    );
    if (outbox && !appended.duplicate) this.hooks.queued();
    const message = toMessageView(appended.message, room.name);
    if (!appended.duplicate && files.length > 0) await this.linkFiles(room, author, message, files);
    // A retry answers the original, which may have gathered reactions since.
    if (appended.duplicate) await this.decorated([message], null);
    if (!appended.duplicate) {
      const started = performance.now();
      this.broadcast.message(room, { type: 'message', room: toRoomRef(room), message });
      this.ctx.metrics.fanoutLatency(performance.now() - started);
      if (message.visibility === 'held') await this.hooks.held(room, message);
      this.hooks.posted(room, message);
    }
    // The answer goes to the author, who sees a shadow message of theirs unmarked (visibility.ts).
    const answer = viewOf({ user: author, anonymous: false }, message) ?? message;
    this.ctx.metrics.sendAckLatency(performance.now() - entered);
    return { kind: 'message', message: answer, duplicate: appended.duplicate };
  }

  /**
   * The message takes its files before anyone sees it. Were one taken by a concurrent send of the same upload
   * (checked free a moment ago), the message is withdrawn rather than sent without it.
   */
  private async linkFiles(room: Room, author: UserRef, message: MessageView, ids: string[]): Promise<void> {
    const linked = await this.hooks.files.link(room, author.id, message.id, ids);
    if (linked) {
      message.attachments = linked;
      return;
    }
    await this.ctx.track(this.ctx.store.messages.remove(room.id, message.id, this.ctx.clock.now()));
    throw attachmentNotFound(ids[0] ?? '');
  }

  /** A command no built-in knows, for the bot that registered it (botCommands.ts); null when none did. */
  private async botCommand(
    app: App,
    room: Room,
    author: UserRef,
    text: string,
    replyTo: CommandReplyTarget | undefined,
    now: number,
  ): Promise<SendResult | null> {
    const typed = splitCommand(text);
    if (!typed || !this.hooks.botCommand || isBuiltinCommand(typed.name)) return null;
    await this.moderation.refuseMuted(app.id, author, room.id, now);
    const outcome = await this.hooks.botCommand({ app, room, user: author, ...typed, command: typed.name });
    if (!outcome) return null;
    if (outcome.notice !== null)
      return this.commandReply(replyTo, room, typed.name, outcome.notice, outcome.error);
    return { kind: 'command', command: typed.name, text: '', error: outcome.error };
  }

  private commandReply(
    replyTo: CommandReplyTarget | undefined,
    room: Room,
    command: string,
    text: string,
    error: ErrorCode | null,
  ): SendResult {
    replyTo?.deliverDirect({ type: 'system', room: toRoomRef(room), text });
    return { kind: 'command', command, text, error };
  }

  private async runCommand(
    app: App,
    room: Room,
    author: UserRef,
    command: Exclude<Command, { kind: 'me' }>,
    replyTo: CommandReplyTarget | undefined,
  ): Promise<SendResult> {
    try {
      const text = await runSlashCommand(this.moderator, app.id, author, command, this.ctx.clock.now());
      return this.commandReply(replyTo, room, command.kind, text, null);
    } catch (err) {
      if (!(err instanceof ParleyError) || err.code === 'internal' || err.code === 'unavailable') throw err;
      return this.commandReply(replyTo, room, command.kind, err.message, err.code);
    }
  }

  async edit(app: App, room: Room, actor: UserRef, messageId: unknown, text: unknown): Promise<MessageView> {
    const message = await this.getMessage(room, messageId);
    if (message.author?.id !== actor.id) throw editOwnOnly();
    if (message.deletedAt !== null) throw messageDeleted();
    // Edits pass the filter too (masked as a send would be); an edit cannot be held, so a hold phrase refuses it.
    const screened = await this.hooks.screen(
      app,
      actor,
      checkMessageText(text, app.settings.maxMessageLength),
    );
    if (screened.hold) throw messageFiltered('phrase');
    const checked = screened.text;
    const html = message.kind === 'me' ? renderInline(checked) : renderMarkdown(checked);
    // Mentions follow the text; only a new message notifies (an edit adding a name stays quiet, as elsewhere).
    const mentions = await this.hooks.mentions(app.id, checked);
    const outbox = await this.hooks.outbox(room, 'message.edited');
    const edited = await this.ctx.track(
      this.ctx.store.messages.edit(
        room.id,
        message.id,
        checked,
        html,
        this.ctx.clock.now(),
        mentions.map((user) => user.id),
        outbox,
      ),
    );
    if (outbox) this.hooks.queued();
    const view = toMessageView(edited, room.name);
    await this.decorated([view], null);
    this.broadcast.roomEvent(room, { type: 'message_edited', room: toRoomRef(room), message: view });
    return view;
  }

  async remove(room: Room, actor: Actor, messageId: unknown): Promise<MessageView> {
    const message = await this.getMessage(room, messageId);
    const own = actor.kind === 'user' && message.author?.id === actor.user.id;
    if (!own && actor.kind === 'user' && !isStaff(actor.user.role)) throw deleteOwnOnly();
    if (message.deletedAt !== null) return toMessageView(message, room.name);
    const outbox = await this.hooks.outbox(room, 'message.deleted');
    const removed = await this.ctx.track(
      this.ctx.store.messages.remove(room.id, message.id, this.ctx.clock.now(), outbox),
    );
    if (outbox) this.hooks.queued();
    const view = toMessageView(removed, room.name);
    this.broadcast.roomEvent(room, { type: 'message_deleted', room: toRoomRef(room), message: view });
    await this.afterRemove(room, view, actor);
    if (!own) {
      // A removed guest's tombstone id names no user: the record names none either.
      const target = message.author && message.author.id !== TOMBSTONE_AUTHOR_ID ? message.author.id : null;
      await this.moderator.record(room.appId, 'delete_message', actor, target, room.id, {
        messageId: message.id,
        seq: message.seq,
      });
    }
    return view;
  }

  private async getMessage(room: Room, messageId: unknown): Promise<Message> {
    const message = await this.ctx.store.messages.get(room.id, checkMessageId(messageId));
    if (!message) throw messageNotFound();
    return message;
  }

  /**
   * What a join hands back: the newest messages, or everything after the client's last seq, or, when that is
   * more than the app's replay limit, the newest messages and an explicit gap to page back through.
   */
  async replay(room: Room, app: App, sinceSeq?: number, readerId: UserId | null = null): Promise<Replay> {
    const log = this.ctx.store.messages;
    const last = await log.lastSeq(room.id);
    const view = (list: Message[]) =>
      this.decorated(
        list.map((m) => toMessageView(m, room.name)),
        readerId,
      );
    const newest = async (limit: number) => (limit > 0 ? view(await log.range(room.id, { limit })) : []);
    const upTo = (messages: MessageView[]) => Math.max(last, messages[messages.length - 1]?.seq ?? 0);
    if (sinceSeq === undefined) {
      const messages = await newest(app.settings.joinHistory);
      return { messages, gap: null, lastSeq: upTo(messages) };
    }
    if (sinceSeq >= last) return { messages: [], gap: null, lastSeq: last };
    const missed = last - sinceSeq;
    if (missed <= app.settings.replayLimit) {
      const messages = await view(await log.range(room.id, { afterSeq: sinceSeq, limit: missed }));
      return { messages, gap: null, lastSeq: upTo(messages) };
    }
    const messages = await newest(Math.min(app.settings.joinHistory, app.settings.replayLimit));
    const beforeSeq = messages[0]?.seq ?? last + 1;
    return {
      messages,
      gap: { afterSeq: sinceSeq, beforeSeq, missed: beforeSeq - sinceSeq - 1 },
      lastSeq: upTo(messages),
    };
  }

  async history(room: Room, query: HistoryQuery, readerId: UserId | null = null): Promise<HistoryPage> {
    const range = seqRange(query);
    const messages = await this.decorated(
      (await this.ctx.store.messages.range(room.id, range)).map((m) => toMessageView(m, room.name)),
      readerId,
    );
    return seqPage(messages, range);
  }
}
