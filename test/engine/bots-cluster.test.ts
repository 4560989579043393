/**
 * A bot's commands across nodes: the bot is connected to node B, the user types its command on node A; the
 * `command` event crosses the bus (whose intake validates it), and the bot's answer reaches the user marked as a
 * bot's.
 */
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engine/events.js';
import type { Engine } from '../../src/engine/engine.js';
import { RecordingSink } from '../helpers/engine.js';
import { connect, engineCluster } from '../helpers/engineCluster.js';
import { waitFor } from '../helpers/wait.js';

const nodes = engineCluster();

describe('bot commands across nodes', () => {
  it('a command typed on node A reaches the bot on node B, and its answer comes back marked bot', async () => {
    const [a, b] = (await nodes.start(2)) as [Engine, Engine];
    const created = await a.createBot(1, {
      username: 'helper',
      commands: [{ name: 'ask', description: 'Ask the helper' }],
    });
    const principal = await b.authenticate(1, { kind: 'api_key', apiKey: created.apiKey });
    const botSink = new RecordingSink();
    const bot = b.openSession(principal, botSink, { transport: 'test', dialect: 'native' });
    await bot.join('lobby');
    const ann = await connect(a, 'ann');
    await ann.session.join('lobby');
    await waitFor(() => a.presence.isOnline(1, principal.user.id), { label: 'the bot online on node A' });

    const result = await ann.session.send('lobby', { text: '/ask what time is it?' });
    expect(result).toEqual({ kind: 'command', command: 'ask', text: '', error: null });
    await waitFor(() => botSink.of('command').length === 1, { label: 'the command on node B' });
    const told = botSink.of('command')[0] as Extract<EngineEvent, { type: 'command' }>;
    expect(told).toMatchObject({
      room: { name: 'lobby' },
      command: 'ask',
      args: 'what time is it?',
      user: { username: 'ann' },
    });
    await bot.send('lobby', { text: 'Half past.' });
    await waitFor(() => ann.sink.of('message').some((e) => e.message.author?.bot === true));
    const answer = ann.sink.of('message').find((e) => e.message.author?.bot === true);
    expect(answer?.message).toMatchObject({ text: 'Half past.', author: { username: 'helper', bot: true } });
  });
});
