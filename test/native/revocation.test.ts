/**
 * Revocation over both framings with the typed client, against a real server on real sockets: the operator
 * revokes a token (or a user) through the admin API, the live connection signed in with it is closed at once
 * with `revoked` (4011), the client does not reconnect, and the token no longer signs in ([proto.revoked]).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { api, ClientPool, events, NO_FLOOD, patchApp, TRANSPORTS } from './helpers.js';

interface Issued {
  token: string;
  tokenId: string;
}

describe.each(TRANSPORTS)('revocation over %s', (transport) => {
  let srv: TestServer;
  const pool = new ClientPool();
  const tag = transport === 'ws' ? 'w' : 's';

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    await patchApp(srv, NO_FLOOD);
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  const issue = (username: string) =>
    api<Issued>(srv, 'POST', '/api/v1/apps/1/tokens', { username: `${username}${tag}` });

  it('a revoked token closes its connection with 4011 and never signs in again; another token stays', async () => {
    const revoked = await issue('dora');
    const kept = await issue('dora');
    const doomed = pool.client(srv, transport, { token: revoked.token });
    const other = pool.client(srv, transport, { token: kept.token });
    await doomed.connect();
    await other.connect();
    const closes = events(doomed, 'disconnected');
    const otherCloses = events(other, 'disconnected');

    await api(srv, 'DELETE', `/api/v1/apps/1/tokens/${revoked.tokenId}`);
    expect(await closes.next()).toMatchObject({ code: 4011, reason: 'revoked', willReconnect: false });
    expect(doomed.state).toBe('closed');

    const again = pool.client(srv, transport, { token: revoked.token });
    await expect(again.connect()).rejects.toMatchObject({ code: 'unauthorized' });
    // The other token's connection was not touched: it still answers.
    expect((await other.listRooms()).length).toBeGreaterThan(0);
    expect(otherCloses.items).toEqual([]);
  });

  it('revoking a user closes every connection of the user with 4011', async () => {
    const first = await issue('eli');
    const second = await issue('eli');
    const a = pool.client(srv, transport, { token: first.token });
    const b = pool.client(srv, transport, { token: second.token });
    await a.connect();
    await b.connect();
    const aCloses = events(a, 'disconnected');
    const bCloses = events(b, 'disconnected');

    await api(srv, 'POST', `/api/v1/apps/1/users/eli${tag}/revoke`);
    expect(await aCloses.next()).toMatchObject({ code: 4011, reason: 'revoked', willReconnect: false });
    expect(await bCloses.next()).toMatchObject({ code: 4011, reason: 'revoked' });
    await expect(pool.client(srv, transport, { token: second.token }).connect()).rejects.toMatchObject({
      code: 'unauthorized',
    });
  });
});
