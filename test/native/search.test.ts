/**
 * Full-text search over the native protocol ([proto.search]), through both framings with the typed client,
 * against a real server on real sockets, on SQLite and on PostgreSQL: a public message is found, a private room's never by a non-member,
 * deleted messages never, edits re-indexed, bad queries refused with the field, hostile ones harmless.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient, TransportKind } from '../../src/client/index.js';
import { startTestServer, unreachedLimits, type TestServer } from '../helpers/server.js';
import { ClientPool, NO_FLOOD, patchApp, register, setRole, TRANSPORTS } from './helpers.js';

const DATABASE_URL = process.env.PARLEY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function postgresUp(): Promise<boolean> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return true;
  } catch {
    if (process.env.CI) throw new Error('PostgreSQL is not reachable for the native search tests');
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

type StoreKind = 'sqlite' | 'postgres';
const STORES: StoreKind[] = (await postgresUp()) ? ['sqlite', 'postgres'] : ['sqlite'];
const CASES: [TransportKind, StoreKind][] = STORES.flatMap((store) =>
  TRANSPORTS.map((transport): [TransportKind, StoreKind] => [transport, store]),
);

describe.each(CASES)('native search over %s on %s', (transport, storeKind) => {
  let srv: TestServer;
  const pool = new ClientPool();
  const tokens: Record<string, string> = {};
  // On PostgreSQL the server keeps its tables in a schema of its own, dropped afterwards.
  const schema = storeKind === 'postgres' ? `parley_test_${randomBytes(6).toString('hex')}` : null;

  beforeAll(async () => {
    srv = await startTestServer({
      engine: { presenceGraceMs: 0 },
      ...(schema === null ? {} : { databaseUrl: DATABASE_URL, databaseSchema: schema }),
    });
    await patchApp(srv, NO_FLOOD);
    for (const name of ['alice', 'bob', 'olga']) tokens[name] = await register(srv, name, `${name}-password`);
    await setRole(srv, 'olga', 'admin');
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
    if (schema !== null) {
      const admin = new pg.Client({ connectionString: DATABASE_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
      await admin.end();
    }
  });

  async function as(name: string): Promise<ParleyClient> {
    const client = pool.client(srv, transport, { token: tokens[name] ?? '' });
    await client.connect();
    return client;
  }

  async function post(client: ParleyClient, room: string, text: string): Promise<number> {
    const result = await client.send(room, text);
    if (result.kind !== 'message') throw new Error('expected a message');
    return result.message.id;
  }

  it('[proto.search] finds public messages for everyone, private ones only for members and admins', async () => {
    const alice = await as('alice');
    const bob = await as('bob');
    const olga = await as('olga');
    await alice.createRoom('plaza');
    await alice.createRoom('vault', { visibility: 'private' });
    await alice.join('plaza');
    await alice.join('vault');
    const open = await post(alice, 'plaza', 'The Pangolin <b>plan</b> & more');
    const hidden = await post(alice, 'vault', 'pangolin secret in the vault');
    await post(alice, 'plaza', 'nothing to see');

    const forBob = await bob.search('pangolin');
    expect(forBob.hits.map((h) => h.message.id)).toEqual([open]);
    expect(forBob.nextCursor).toBeNull();
    const [hit] = forBob.hits;
    expect(hit?.message).toMatchObject({ room: 'plaza', author: { username: 'alice' } });
    expect(hit?.highlight).toBe('The <mark>Pangolin</mark> &lt;b&gt;plan&lt;/b&gt; &amp; more');

    // Newest first; members and admins see the private room.
    expect((await alice.search('PANGOLIN')).hits.map((h) => h.message.id)).toEqual([hidden, open]);
    expect((await olga.search('pangolin')).hits.map((h) => h.message.id)).toEqual([hidden, open]);
    // Prefix of the last word, and a room filter.
    expect((await alice.search('pango', { room: 'plaza' })).hits.map((h) => h.message.id)).toEqual([open]);
    // A private room the searcher may not see is refused outright, as history is.
    await expect(bob.search('pangolin', { room: 'vault' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(bob.search('pangolin', { room: 'no-such-room' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('[proto.search.paging] pages newest first with a cursor that new messages do not move', async () => {
    const alice = await as('alice');
    await alice.createRoom('pages');
    await alice.join('pages');
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await post(alice, 'pages', `walrus ${i}`));
    const first = await alice.search('walrus', { limit: 2 });
    expect(first.hits.map((h) => h.message.id)).toEqual([ids[4], ids[3]]);
    expect(first.nextCursor).toBe(ids[3]);
    await post(alice, 'pages', 'walrus late');
    const second = await alice.search('walrus', { limit: 2, before: first.nextCursor ?? 0 });
    expect(second.hits.map((h) => h.message.id)).toEqual([ids[2], ids[1]]);
    const third = await alice.search('walrus', { limit: 2, before: second.nextCursor ?? 0 });
    expect(third.hits.map((h) => h.message.id)).toEqual([ids[0]]);
    expect(third.nextCursor).toBeNull();
  });

  it('[proto.search.index] deleted messages are never found; an edit is found by its new words only', async () => {
    const alice = await as('alice');
    const bob = await as('bob');
    await alice.createRoom('changes');
    await alice.join('changes');
    const doomed = await post(alice, 'changes', 'ocelot sighting');
    const edited = await post(alice, 'changes', 'meeting on monday');
    await alice.delete('changes', doomed);
    await alice.edit('changes', edited, 'meeting on tuesday');
    expect((await bob.search('ocelot')).hits).toEqual([]);
    expect((await bob.search('monday')).hits).toEqual([]);
    const found = await bob.search('tuesday');
    expect(found.hits.map((h) => [h.message.id, h.highlight])).toEqual([
      [edited, 'meeting on <mark>tuesday</mark>'],
    ]);
  });

  it('[proto.search] hits are messages as every read shows them: quote, reply count and reactions', async () => {
    const alice = await as('alice');
    const bob = await as('bob');
    await alice.createRoom('threads');
    await alice.join('threads');
    await bob.join('threads');
    const parent = await post(alice, 'threads', 'capybara census tomorrow');
    const sent = await bob.send('threads', 'capybara count me in', { replyTo: parent });
    if (sent.kind !== 'message') throw new Error('expected a message');
    await alice.react('threads', parent, '👍');
    await bob.react('threads', sent.message.id, '🎉');

    const page = await bob.search('capybara');
    const [reply, original] = page.hits.map((h) => h.message);
    expect(original).toMatchObject({ id: parent, replyTo: null, replyCount: 1 });
    expect(original?.reactions).toEqual([{ emoji: '👍', count: 1, me: false }]);
    expect(reply).toMatchObject({
      id: sent.message.id,
      replyTo: {
        id: parent,
        author: { username: 'alice' },
        excerpt: 'capybara census tomorrow',
        deleted: false,
      },
      replyCount: 0,
    });
    expect(reply?.reactions).toEqual([{ emoji: '🎉', count: 1, me: true }]);
  });

  it('[proto.search.input] an empty or too long query is bad_request naming q; hostile queries are plain words', async () => {
    const bob = await as('bob');
    for (const q of ['', '   ', 'x'.repeat(201)]) {
      await expect(bob.search(q)).rejects.toMatchObject({ code: 'bad_request', details: { field: 'q' } });
    }
    await expect(bob.search('a', { limit: 51 })).rejects.toMatchObject({
      code: 'bad_request',
      details: { field: 'limit' },
    });
    expect((await bob.search('x'.repeat(200))).hits).toEqual([]);
    for (const q of [
      '"',
      "'",
      'NEAR(a b)',
      '*',
      '^x',
      'text:x',
      'AND OR NOT',
      '&|!()',
      '\\',
      "'; DROP TABLE x",
    ]) {
      const page = await bob.search(q);
      expect(Array.isArray(page.hits), q).toBe(true);
    }
    // Punctuation only: a valid query with no word, which finds nothing.
    expect(await bob.search('!?*')).toEqual({ hits: [], nextCursor: null });
  });

  it('[proto.rate-limits] search is held to its own per-user limit', async () => {
    await patchApp(srv, { limits: { ...unreachedLimits(), search: { burst: 2, perSecond: 0.01 } } });
    try {
      const bob = await as('bob');
      await bob.search('one');
      await bob.search('two');
      const err = await bob.search('three').then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: 'rate_limited' });
      expect((err as { details?: { retryAfterMs?: number } }).details?.retryAfterMs).toBeGreaterThan(0);
    } finally {
      await patchApp(srv, NO_FLOOD);
    }
  });
});
