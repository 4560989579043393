/**
 * An echo bot: answers `/echo text` with the text, in the room it was typed in.
 *
 *   curl -X POST -H "Authorization: Bearer $PARLEY_ADMIN_KEY" -H 'content-type: application/json' \
 *     -d '{"username":"echo","commands":[{"name":"echo","description":"Says it back"}]}' \
 *     http://localhost:3000/api/v1/apps/1/bots          → {"bot": …, "apiKey": "pb_…"}
 *   PARLEY_URL=http://localhost:3000 PARLEY_BOT_KEY=pb_… node --import tsx examples/bot.ts
 *
 * In your bot, import from the client package instead: `import { ParleyClient } from 'parley-chat-client'`.
 */
import { ParleyClient } from '../src/client/index.js';

const bot = new ParleyClient({
  url: process.env['PARLEY_URL'] ?? 'http://localhost:3000',
  app: Number(process.env['PARLEY_APP'] ?? 1),
  transport: 'ws',
  credentials: { apiKey: process.env['PARLEY_BOT_KEY'] ?? '' },
});

bot.onCommand((command) => {
  if (command.command !== 'echo') return;
  const text = command.args || `(${command.user.username} said nothing)`;
  command.reply(text).catch((err: unknown) => console.error('could not answer', err));
});

await bot.connect();
console.log(`${bot.user?.username ?? 'the bot'} is listening`);

process.once('SIGTERM', () => bot.close());
