/**
 * The send policy's verdicts at the engine: `hold` (the reports branch turns it into a held message), the
 * strikes a filter hit and a flood give (one per burst), and the ladder's steps in the moderation record.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/api.js';
import { createTestEngine, ManualClock, RecordingSink, type TestEngine } from '../helpers/engine.js';
import { waitFor } from '../helpers/wait.js';

let node: TestEngine | null = null;
afterEach(async () => {
  await node?.close();
  node = null;
});

async function setup(settings: Record<string, unknown>) {
  const clock = new ManualClock();
  node = await createTestEngine({ clock });
  const { engine } = node;
  await engine.updateApp(1, { settings });
  const user = await engine.createUser(1, { username: 'ann' });
  const { token } = await engine.issueToken(1, 'ann');
  const principal = await engine.authenticate(1, { kind: 'token', token });
  const sink = new RecordingSink();
  const session: Session = engine.openSession(principal, sink, { transport: 'test', dialect: 'native' });
  await session.join('lobby');
  return { engine, clock, user, session, sink };
}

describe('send policy verdicts', () => {
  it('a hold rule answers hold: true with the text, and counts a strike', async () => {
    const { engine, user } = await setup({
      filter: { rules: [{ phrase: 'buy now', action: 'hold' }], links: 'anyone', linkMinAccountAgeHours: 0 },
    });
    const app = await engine.getApp(1);
    const author = { id: user.id, username: user.username, role: user.role };
    expect(await engine.sendPolicy.screen(app, author, 'BUY-NOW cheap')).toEqual({
      text: 'BUY-NOW cheap',
      hold: true,
    });
    expect(await engine.sendPolicy.screen(app, author, 'hello')).toEqual({ text: 'hello', hold: false });
    const strikes = await engine.userStrikes(1, 'ann');
    expect(strikes.map((s) => [s.source, s.active])).toEqual([['filter', true]]);
    const verdict = await engine.testFilter(1, { text: 'buy now!' });
    expect(verdict).toMatchObject({ action: 'hold', hold: true, matches: [{ rule: 0, start: 0, end: 7 }] });
  });

  it('a flood is one strike per burst; the warning is recorded and told', async () => {
    const { engine, clock, session, sink } = await setup({ flood: { burst: 2, perSecond: 0.001 } });
    await session.send('lobby', { text: 'one' });
    await session.send('lobby', { text: 'two' });
    for (let i = 0; i < 5; i++) {
      await expect(session.send('lobby', { text: 'flood' })).rejects.toMatchObject({ code: 'rate_limited' });
    }
    await waitFor(() => sink.of('warning').length === 1);
    expect(sink.of('warning')[0]).toMatchObject({ source: 'flood', strikes: 1 });
    expect(await engine.userStrikes(1, 'ann')).toHaveLength(1);
    const records = await engine.listModeration(1, { limit: 10 });
    expect(records[0]).toMatchObject({ kind: 'warn', actorId: null, detail: { source: 'flood' } });
    // Past the interval, the next refused send is a second strike: the ladder's next step (a 10-minute mute).
    clock.advance(11_000);
    await expect(session.send('lobby', { text: 'again' })).rejects.toMatchObject({ code: 'rate_limited' });
    await waitFor(async () => (await engine.userStrikes(1, 'ann')).length === 2);
    await waitFor(async () => (await engine.listMutes(1)).length === 1);
  });
});
