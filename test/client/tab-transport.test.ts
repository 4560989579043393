/**
 * The tab transport (src/client/tab-*.ts) with tabs in one process: each follower's request, whatever its id,
 * is answered to that follower; the connection is in the union of the tabs' rooms; each tab hears its own
 * rooms' events; a follower whose leader vanished mid-request gets a clear error at once, and one whose leader
 * froze gets one within its timeout.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ParleyClientError } from '../../src/client/index.js';
import type { Transport } from '../../src/client/transport.js';
import { waitFor } from '../helpers/wait.js';
import { FakeLockManager } from './fake-locks.js';
import { fakeTab, FakeServer, heard, roomId, type FakeTab, type Heard } from './tab-fixtures.js';

const tabs: FakeTab[] = [];
afterEach(() => {
  for (const tab of tabs.splice(0)) {
    tab.share.stop();
    tab.vanish();
  }
});

let names = 0;

/** A leader and followers in that order (each tab connects once the previous one is in). */
async function openTabs(count: number, server = new FakeServer()) {
  const manager = new FakeLockManager();
  const name = `tabs-test-${++names}`;
  const opened: { tab: FakeTab; transport: Transport; heard: Heard }[] = [];
  for (let i = 0; i < count; i++) {
    const tab = fakeTab(manager, name, server.factory);
    tabs.push(tab);
    const ears = heard();
    const transport = await tab.share.factory({ url: 'http://chat.test', app: 1, handlers: ears.handlers });
    opened.push({ tab, transport, heard: ears });
  }
  return { server, manager, tabs: opened };
}

describe('the tab transport', () => {
  it('opens one connection, and answers each tab its own request whatever ids the tabs chose', async () => {
    const { server, tabs: opened } = await openTabs(3);
    expect(server.transports).toHaveLength(1);
    expect(opened.map((t) => t.tab.share.leading)).toEqual([true, false, false]);
    // Each follower numbers its requests from 1: the leader maps them onto its own and answers each tab.
    const answers = await Promise.all(
      opened.map(({ transport }, i) => transport.request('ping', { from: i }, 5_000)),
    );
    expect(answers).toEqual([0, 1, 2].map((i) => ({ op: 'ping', data: { from: i } })));
    expect(server.ops('ping')).toHaveLength(3);
  });

  it('authenticates the connection once and answers every tab with that result', async () => {
    const { server, tabs: opened } = await openTabs(3);
    const results = await Promise.all(opened.map(({ transport }) => transport.request('auth', {}, 5_000)));
    expect(server.ops('auth')).toHaveLength(1);
    for (const result of results) expect(result).toEqual(results[0]);
  });

  it('keeps the connection in the union of the rooms and leaves a room when no tab needs it', async () => {
    const { server, tabs: opened } = await openTabs(3);
    const [leader, a, b] = opened as [(typeof opened)[0], (typeof opened)[0], (typeof opened)[0]];
    await leader.transport.request('join', { room: 'lobby' }, 5_000);
    await a.transport.request('join', { room: 'lobby' }, 5_000);
    await b.transport.request('join', { room: 'other' }, 5_000);
    expect(server.ops('join')).toHaveLength(3);

    // The leader's tab still shows the lobby: a's leave stays between the tabs.
    expect(await a.transport.request('leave', { room: 'lobby' }, 5_000)).toEqual({});
    expect(server.ops('leave')).toEqual([]);
    await leader.transport.request('leave', { room: 'lobby' }, 5_000);
    expect(server.ops('leave')).toEqual([{ room: 'lobby' }]);

    // A tab that goes takes its rooms with it.
    b.transport.close();
    await waitFor(() => server.ops('leave').length === 2, { label: 'the leave of other' });
    expect(server.ops('leave')[1]).toEqual({ room: 'other' });
  });

  it("hands each tab its own rooms' events, and everything else to every tab", async () => {
    const { server, tabs: opened } = await openTabs(3);
    const [leader, a, b] = opened as [(typeof opened)[0], (typeof opened)[0], (typeof opened)[0]];
    await a.transport.request('join', { room: 'lobby' }, 5_000);
    await b.transport.request('join', { room: 'other' }, 5_000);
    const lobby = { id: roomId('lobby'), name: 'lobby' };
    const other = { id: roomId('other'), name: 'other' };
    server.emit('message', { room: lobby, message: { seq: 1, text: 'in lobby' } });
    server.emit('message', { room: other, message: { seq: 1, text: 'in other' } });
    server.emit('mention', { room: other, messageId: 1, author: { id: 2 }, excerpt: 'hi' });
    await waitFor(() => a.heard.events.length === 2 && b.heard.events.length === 2, { label: 'the events' });
    expect(
      a.heard.events.map(([name, data]) => [name, (data as { room: { name: string } }).room.name]),
    ).toEqual([
      ['message', 'lobby'],
      ['mention', 'other'],
    ]);
    expect(b.heard.events.map(([name]) => name)).toEqual(['message', 'mention']);
    expect(leader.heard.events.map(([name]) => name)).toEqual(['mention']);
  });

  it('rejects at once the request of a follower whose leader vanished, and moves it to the new leader', async () => {
    const server = new FakeServer();
    server.silent.add('history');
    const { tabs: opened } = await openTabs(3, server);
    const [leader, a, b] = opened as [(typeof opened)[0], (typeof opened)[0], (typeof opened)[0]];
    const cut = b.transport.request('history', { room: 'lobby' }, 60_000);
    await waitFor(() => server.ops('history').length === 1, { label: 'the request at the leader' });
    leader.tab.vanish();
    const error = (await cut.catch((err: unknown) => err)) as ParleyClientError;
    expect(error.code).toBe('disconnected');
    // The next tab in line leads now; the others lost their view and reconnect through it.
    await waitFor(() => a.tab.share.leading, { label: 'a new leader' });
    expect(b.heard.closes).toHaveLength(1);
    const again = await b.tab.share.factory({ url: 'http://chat.test', app: 1, handlers: heard().handlers });
    expect(await again.request('ping', {}, 5_000)).toEqual({ op: 'ping', data: {} });
    expect(server.transports).toHaveLength(2);
  });

  it('bounds the wait of a follower whose leader froze: a timeout, not a hang', async () => {
    const { tabs: opened } = await openTabs(2);
    const [leader, follower] = opened as [(typeof opened)[0], (typeof opened)[0]];
    // A frozen leader: it still holds the lock but hears nothing any more.
    leader.tab.silence();
    const error = (await follower.transport
      .request('ping', {}, 50)
      .catch((err: unknown) => err)) as ParleyClientError;
    expect(error.code).toBe('timeout');
  });
});
