import type { AppId, UserId } from './types.js';

/**
 * Bots: users of kind `bot` that sign in with an API key (shown once, stored as a hash like access tokens) and
 * register slash commands for their app. A command is answered by the bot's endpoint (a signed POST) or, without
 * one, by the bot itself, told of it as a `command` event on its connections (docs/bots.md).
 */
export interface BotCommand {
  name: string;
  description: string;
  usage?: string;
}

export interface BotEndpoint {
  url: string;
  secret: string;
}

/** A bot as it is stored: its user, endpoint and commands, and the id of its current key. */
export interface BotRecord {
  appId: AppId;
  userId: UserId;
  endpoint: BotEndpoint | null;
  commands: BotCommand[];
  /** The id of the bot's API key among the app's access tokens (names it; proves nothing). */
  keyId: string;
  createdAt: number;
}

/** A bot as the admin API shows it: the endpoint's secret never leaves. */
export interface BotView {
  username: string;
  displayName?: string;
  endpoint: { url: string; secret: string } | null;
  commands: BotCommand[];
  createdAt: number;
}

/** What the admin API lets change about a bot (each field given replaces the stored one). */
export interface BotPatch {
  displayName?: string | null;
  endpoint?: { url: string; secret?: string } | null;
  commands?: BotCommand[];
}

export interface NewBot {
  username: string;
  displayName?: string;
  endpoint?: BotEndpoint | null;
  commands?: BotCommand[];
}

/** Prefix of bot API keys, so that a leaked key is recognised as one. */
export const BOT_KEY_PREFIX = 'pb_';
/** Most bots an app keeps. */
export const MAX_BOTS_PER_APP = 50;
/** Most commands one bot registers. */
export const MAX_BOT_COMMANDS = 25;
/** A command's name: lowercase letters, digits, `_` and `-`, starting with a letter. */
export const COMMAND_NAME = /^[a-z][a-z0-9_-]{0,31}$/;
export const COMMAND_DESCRIPTION_MAX = 200;
export const COMMAND_USAGE_MAX = 200;
/** The most of a command's arguments sent to the bot (the rest of the message; held to maxMessageLength too). */
export const COMMAND_ARGS_MAX = 4000;
/** How long Parley waits for a bot's endpoint, and the most of its answer it reads. */
export const BOT_ENDPOINT_TIMEOUT_MS = 3000;
export const BOT_ANSWER_MAX_BYTES = 64 * 1024;

/** `/name args…` of a command that may be a bot's: its lowercased name and the rest, trimmed. */
export function splitCommand(text: string): { name: string; args: string } | null {
  const match = /^\/([A-Za-z][\w-]*)(?:\s+([\s\S]*))?$/.exec(text);
  if (!match) return null;
  return { name: (match[1] ?? '').toLowerCase(), args: (match[2] ?? '').trim() };
}
