/**
 * Slash commands in message text. Parsing is pure; the engine carries them out and answers the sender with a
 * system message. Text that starts with "//" is an escaped slash and is sent as a message.
 */
export type Command =
  | { kind: 'mute'; username: string; minutes: number; reason: string }
  | { kind: 'unmute'; username: string }
  | { kind: 'ban'; username: string; minutes: number | null; reason: string }
  | { kind: 'unban'; username: string }
  | { kind: 'kick'; username: string; reason: string }
  | { kind: 'me'; action: string }
  | { kind: 'help' };

/** The commands Parley itself carries out: a bot cannot register these names. */
export const BUILTIN_COMMANDS = ['help', 'me', 'mute', 'unmute', 'ban', 'unban', 'kick'] as const;

export function isBuiltinCommand(name: string): boolean {
  return (BUILTIN_COMMANDS as readonly string[]).includes(name);
}

export type ParsedText =
  { kind: 'text'; text: string } | { kind: 'command'; command: Command } | { kind: 'invalid'; usage: string };

export const COMMAND_HELP = [
  '/me action — say what you are doing',
  '/mute user minutes [reason] — mute a user everywhere in the app (mod and above)',
  '/unmute user — lift a mute',
  '/ban user [minutes] [reason] — ban a user from the app',
  '/unban user — lift a ban',
  '/kick user [reason] — disconnect a user',
  '/help — this list',
  'Start a message with // to send a literal slash.',
].join('\n');

const USAGE: Record<string, string> = {
  mute: 'Usage: /mute user minutes [reason]',
  unmute: 'Usage: /unmute user',
  ban: 'Usage: /ban user [minutes] [reason]',
  unban: 'Usage: /unban user',
  kick: 'Usage: /kick user [reason]',
  me: 'Usage: /me action',
};

const MAX_MINUTES = 60 * 24 * 365;

function minutes(value: string | undefined): number | null {
  if (value === undefined || !/^\d{1,7}$/.test(value)) return null;
  const n = Number(value);
  return n >= 1 && n <= MAX_MINUTES ? n : null;
}

export function parseText(text: string): ParsedText {
  if (!text.startsWith('/')) return { kind: 'text', text };
  if (text.startsWith('//')) return { kind: 'text', text: text.slice(1) };
  const match = /^\/(\w+)(?:\s+([\s\S]*))?$/.exec(text);
  if (!match) return { kind: 'text', text };
  const name = (match[1] ?? '').toLowerCase();
  const rest = (match[2] ?? '').trim();
  const words = rest.length > 0 ? rest.split(/\s+/) : [];
  const invalid = (): ParsedText => ({ kind: 'invalid', usage: USAGE[name] ?? COMMAND_HELP });
  const tail = (from: number) => words.slice(from).join(' ');
  switch (name) {
    case 'help':
      return { kind: 'command', command: { kind: 'help' } };
    case 'me':
      return rest.length > 0 ? { kind: 'command', command: { kind: 'me', action: rest } } : invalid();
    case 'mute': {
      const m = minutes(words[1]);
      if (!words[0] || m === null) return invalid();
      return { kind: 'command', command: { kind: 'mute', username: words[0], minutes: m, reason: tail(2) } };
    }
    case 'unmute':
      return words.length === 1 && words[0]
        ? { kind: 'command', command: { kind: 'unmute', username: words[0] } }
        : invalid();
    case 'ban': {
      if (!words[0]) return invalid();
      const m = minutes(words[1]);
      return {
        kind: 'command',
        command: { kind: 'ban', username: words[0], minutes: m, reason: tail(m === null ? 1 : 2) },
      };
    }
    case 'unban':
      return words.length === 1 && words[0]
        ? { kind: 'command', command: { kind: 'unban', username: words[0] } }
        : invalid();
    case 'kick':
      return words[0]
        ? { kind: 'command', command: { kind: 'kick', username: words[0], reason: tail(1) } }
        : invalid();
    default:
      return { kind: 'invalid', usage: `Unknown command /${name}. ${COMMAND_HELP}` };
  }
}
