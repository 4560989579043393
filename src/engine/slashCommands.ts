import { COMMAND_HELP, type Command } from '../core/commands.js';
import type { AppId, UserRef } from '../core/types.js';
import { describeDuration, type Actor } from './moderation.js';
import type { Moderator } from './moderator.js';

/**
 * Carries out a slash command for the user who typed it and answers the text of the system message the
 * sender gets back. Refusals (rights, unknown users) throw ParleyErrors whose message becomes that text.
 */
export async function runSlashCommand(
  moderator: Moderator,
  appId: AppId,
  author: UserRef,
  command: Exclude<Command, { kind: 'me' }>,
  now: number,
): Promise<string> {
  const actor: Actor = { kind: 'user', user: author };
  switch (command.kind) {
    case 'help':
      return COMMAND_HELP;
    case 'mute': {
      const opts = { minutes: command.minutes, reason: command.reason };
      const mute = await moderator.mute(appId, command.username, opts, actor);
      return `User "${command.username}" muted ${describeDuration(mute.expiresAt, now)}`;
    }
    case 'unmute':
      await moderator.unmute(appId, command.username, {}, actor);
      return `User "${command.username}" unmuted`;
    case 'ban': {
      const opts = {
        ...(command.minutes === null ? {} : { minutes: command.minutes }),
        reason: command.reason,
      };
      const ban = await moderator.ban(appId, command.username, opts, actor);
      return `User "${command.username}" banned ${describeDuration(ban.expiresAt, now)}`;
    }
    case 'unban':
      await moderator.unban(appId, command.username, actor);
      return `User "${command.username}" unbanned`;
    case 'kick':
      await moderator.kick(appId, command.username, { reason: command.reason }, actor);
      return `User "${command.username}" kicked`;
  }
}
