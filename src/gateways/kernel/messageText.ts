import type { MessageView } from '../../engine/events.js';

/**
 * A message's text as the seed dialects carry it: their wire formats have no place for files, so each file a
 * message carries follows the text on a line of its own, `name <url>`, the URL relative to the server and
 * signed as in the native view (docs/attachments.md, "Dialects"). The one place this is decided.
 */
export function dialectText(message: MessageView): string {
  const files = message.attachments ?? [];
  if (files.length === 0) return message.text;
  const lines = files.map((file) => `${file.name} <${file.url}>`);
  return (message.text === '' ? lines : [message.text, ...lines]).join('\n');
}
