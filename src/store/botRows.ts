import type { BotCommand, BotEndpoint, BotRecord } from '../core/bots.js';

/** A `bots` row; `endpoint` and `commands` as the driver returns them (JSON text in SQLite, values in PostgreSQL). */
export interface BotRow<Json> {
  app_id: number;
  user_id: number;
  endpoint: Json | null;
  commands: Json;
  key_id: string;
  created_at: number | string;
}

export const BOT_COLUMNS = 'app_id, user_id, endpoint, commands, key_id, created_at';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toEndpoint(value: unknown): BotEndpoint | null {
  if (!isRecord(value) || typeof value['url'] !== 'string' || typeof value['secret'] !== 'string')
    return null;
  return { url: value['url'], secret: value['secret'] };
}

function toCommands(value: unknown): BotCommand[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).flatMap((c): BotCommand[] => {
    if (typeof c['name'] !== 'string' || typeof c['description'] !== 'string') return [];
    const command: BotCommand = { name: c['name'], description: c['description'] };
    if (typeof c['usage'] === 'string') command.usage = c['usage'];
    return [command];
  });
}

/** toBot for a store, given how it reads its JSON columns. */
export function botMapper<Json>(parse: (json: Json) => unknown): (row: BotRow<Json>) => BotRecord {
  return (row) => ({
    appId: Number(row.app_id),
    userId: Number(row.user_id),
    endpoint: row.endpoint === null ? null : toEndpoint(parse(row.endpoint)),
    commands: toCommands(parse(row.commands)),
    keyId: row.key_id,
    createdAt: Number(row.created_at),
  });
}

/** A new bot's row values in BOT_COLUMNS order, its JSON as text (both drivers take it so). */
export function botValues(bot: BotRecord): unknown[] {
  const endpoint = bot.endpoint === null ? null : JSON.stringify(bot.endpoint);
  return [bot.appId, bot.userId, endpoint, JSON.stringify(bot.commands), bot.keyId, bot.createdAt];
}
