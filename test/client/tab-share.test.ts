/**
 * `shareAcrossTabs` with real clients on a real server: tabs of one scope (Web Locks faked, Node's own
 * BroadcastChannel) hold one connection, a follower's message reaches every tab and other users, and when the
 * leader closes, the next tab takes the connection over and the followers resume without losing a message.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ParleyClient } from '../../src/client/index.js';
import type { MessageView } from '../../src/client/index.js';
import { sessionsOn } from '../cluster/drivers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { api } from '../native/helpers.js';
import { waitFor } from '../helpers/wait.js';
import { FakeLockManager } from './fake-locks.js';
import { tabChannels } from './tab-fixtures.js';

let server: TestServer;
const clients: ParleyClient[] = [];
const closers: (() => void)[] = [];

beforeEach(async () => {
  server = await startTestServer();
  await api(server, 'POST', '/api/v1/apps/1/rooms', { name: 'side' });
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const close of closers.splice(0)) close();
  await server.close();
});

function tabClient(manager: FakeLockManager, credentials: { guest: string }): ParleyClient {
  const channels = tabChannels();
  closers.push(channels.closeAll);
  const client = new ParleyClient({
    url: server.url,
    transport: 'ws',
    credentials,
    reconnectDelayMs: 20,
    shareAcrossTabs: { locks: manager.tab(), BroadcastChannel: channels.Channel },
  });
  clients.push(client);
  return client;
}

function inbox(client: ParleyClient, room: string): MessageView[] {
  const seen: MessageView[] = [];
  client.on('message', (event) => {
    if (event.room.name === room) seen.push(event.message);
  });
  return seen;
}

describe('one connection across tabs', () => {
  it('shares one connection, and hands it over when the leader closes, losing nothing', async () => {
    const manager = new FakeLockManager();
    const tabs: ParleyClient[] = [];
    for (let i = 0; i < 3; i++) {
      const tab = tabClient(manager, { guest: 'Tabby' });
      await tab.connect();
      tabs.push(tab);
    }
    const [leader, a, b] = tabs as [ParleyClient, ParleyClient, ParleyClient];
    expect(tabs.map((tab) => tab.tabRole)).toEqual(['leader', 'follower', 'follower']);
    expect(new Set(tabs.map((tab) => tab.user?.id)).size).toBe(1);
    const other = new ParleyClient({ url: server.url, transport: 'ws', credentials: { guest: 'outsider' } });
    clients.push(other);
    await other.connect();
    await waitFor(async () => (await sessionsOn(server)) === 2, {
      label: 'two sessions: the tabs and the outsider',
    });

    await leader.join('lobby');
    await a.join('lobby');
    await b.join('side');
    await other.join('lobby');
    const seenByA = inbox(a, 'lobby');
    const seenByLeader = inbox(leader, 'lobby');
    const seenByOther = inbox(other, 'lobby');
    const seenByB = inbox(b, 'lobby');
    await a.send('lobby', 'from a follower');
    await waitFor(() => seenByLeader.length === 1 && seenByOther.length === 1 && seenByA.length === 1);
    // b shows another room: it hears nothing of the lobby.
    expect(seenByB).toEqual([]);

    // The leader closes; messages keep coming while the connection passes to the next tab.
    leader.close();
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await other.send('lobby', `during ${i}`));
    await waitFor(() => a.tabRole === 'leader' && a.state === 'open', { label: 'a leads' });
    await waitFor(() => seenByA.length === 6, { label: 'every message in a' });
    const seqs = seenByA.map((m) => m.seq);
    expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] as number) + i));
    await b.send('side', 'b still talks');
    await waitFor(async () => (await sessionsOn(server)) === 2, {
      label: 'one connection for the tabs again',
    });
  });

  it('connects on its own where Web Locks are missing (Node) or the option is off', () => {
    const options = { url: server.url, transport: 'ws' as const, credentials: { guest: 'solo' } };
    expect(new ParleyClient({ ...options, shareAcrossTabs: true }).tabRole).toBe('own');
    expect(new ParleyClient(options).tabRole).toBe('own');
    const locks = new FakeLockManager().tab();
    expect(new ParleyClient({ ...options, shareAcrossTabs: { locks } }).tabRole).toBe('follower');
  });
});
