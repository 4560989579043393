/** Heartbeats and graceful shutdown of native connections ([proto.heartbeat], [proto.shutdown]). */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { once } from '../helpers/wait.js';
import { ClientPool, events, RawWs } from './helpers.js';

describe('native connection lifecycle', () => {
  const pool = new ClientPool();
  let srv: TestServer | null = null;

  afterEach(async () => {
    pool.closeAll();
    await srv?.close();
    srv = null;
  });

  it('[proto.heartbeat] a socket that stops answering pings is dropped; a live one stays', async () => {
    srv = await startTestServer({ heartbeatMs: 100 });
    const live = pool.rawWs(srv, '?guest=alive');
    await live.opened;
    const deafSocket = new WebSocket(`${srv.url.replace(/^http/, 'ws')}/ws?guest=deaf`, { autoPong: false });
    const deaf = new RawWs(deafSocket);
    await deaf.opened;
    expect(await deaf.request('ping')).toMatchObject({ ok: true });
    // It still talks, but never pongs: terminated after one missed heartbeat (no close frame → 1006).
    expect((await deaf.closed).code).toBe(1006);
    expect(await live.request('ping')).toMatchObject({ ok: true });
    deafSocket.terminate();
  });

  it('[proto.shutdown] closes WebSocket connections with 1001 and tells socket.io sockets `shutdown`', async () => {
    srv = await startTestServer();
    const raw = pool.rawWs(srv, '?guest=ws-user');
    await raw.opened;
    expect(await raw.request('ping')).toMatchObject({ ok: true });
    const io = pool.rawIo(srv, { guest: 'io-user' });
    await once(io, 'connect', { rejectOn: ['connect_error'] });
    const reason = once<[Record<string, unknown>]>(io, 'disconnect_reason');
    const client = pool.client(srv, 'ws', { guest: 'typed-user' });
    await client.connect();
    const disconnected = events(client, 'disconnected');

    await srv.close();
    srv = null;

    expect(await raw.closed).toEqual({ code: 1001, reason: 'shutdown' });
    expect((await reason)[0]).toEqual({ reason: 'shutdown', code: 1001, message: expect.any(String) });
    // The typed client treats a shutdown as a reason to reconnect.
    expect(await disconnected.next()).toMatchObject({ code: 1001, reason: 'shutdown', willReconnect: true });
    expect(client.state).toBe('reconnecting');
  });
});
