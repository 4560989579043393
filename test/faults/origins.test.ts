/**
 * Foreign origins: with a server-wide list of allowed origins, a browser page from anywhere else is refused
 * with 403 `origin_not_allowed` on every upgrade path (the native WebSocket, socket.io's polling and WebSocket
 * handshakes that every socket.io dialect shares, the plain-WebSocket dialects) and by the REST API's CORS,
 * preflight included. Issue 10 case 7: socket.io's WebSocket-only handshake answered 400 (engine.io spoke
 * before Parley's origin check); it is 403 like every other.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tryUpgrade } from '../helpers/upgrade.js';
import { recordOutcome } from './report.js';

const GOOD = 'https://site.example';
const EVIL = 'https://evil.example';

describe('issue 10 case 7: a socket.io WebSocket handshake from a foreign origin is refused with 403', () => {
  let running: TestServer | null = null;
  afterAll(async () => running?.close());

  it('socket.io refuses a disallowed Origin on a WebSocket-only handshake with 403, not 400', async () => {
    running = await startTestServer({ allowedOrigins: [GOOD] });
    const base = running.url.replace(/^http/, 'ws');
    const url = `${base}/socket.io/?EIO=4&transport=websocket`;
    const refused = await tryUpgrade(url, { Origin: EVIL });
    expect(refused).toMatchObject({ opened: false, status: 403 });
    expect(JSON.parse(refused.body ?? '')).toMatchObject({ error: { code: 'origin_not_allowed' } });
    expect(await tryUpgrade(url, { Origin: GOOD })).toEqual({ opened: true });
    recordOutcome({
      id: 'issue-10-case-7',
      fault: 'socket.io WebSocket-only handshake (no polling first) from a foreign Origin',
      expected: '403 origin_not_allowed, as on every other path',
      measured: `${refused.status} origin_not_allowed; the allowed origin opens`,
    });
  });
});

describe('foreign origins on a running server', () => {
  let running: TestServer | null = null;

  afterEach(async () => {
    await running?.close();
    running = null;
  });

  it('PARLEY allowed origins refuse other origins on /ws, allow listed ones, 404 elsewhere', async () => {
    running = await startTestServer({ allowedOrigins: [GOOD] });
    const base = running.url.replace(/^http/, 'ws');
    const refused = await tryUpgrade(`${base}/ws`, { Origin: EVIL });
    expect(refused).toMatchObject({ opened: false, status: 403 });
    expect(await tryUpgrade(`${base}/ws`, { Origin: GOOD })).toEqual({ opened: true });
    expect((await tryUpgrade(`${base}/unknown`, { Origin: GOOD })).status).toBe(404);
  });

  it('any origin passes when no list is set', async () => {
    running = await startTestServer();
    const base = running.url.replace(/^http/, 'ws');
    expect(await tryUpgrade(`${base}/ws`, { Origin: 'https://whatever.example' })).toEqual({ opened: true });
  });

  it('socket.io refuses a disallowed Origin at the handshake', async () => {
    running = await startTestServer({ allowedOrigins: [GOOD] });
    const poll = (origin: string) =>
      fetch(`${running?.url}/socket.io/?EIO=4&transport=polling`, { headers: { Origin: origin } });
    expect((await poll(EVIL)).status).toBe(403);
    expect((await poll(GOOD)).status).toBe(200);
  });

  it('every upgrade path and the REST API refuse a foreign origin with 403 origin_not_allowed', async () => {
    running = await startTestServer({ allowedOrigins: [GOOD] });
    const http = running.url;
    const ws = http.replace(/^http/, 'ws');
    const upgrades: Record<string, string> = {
      'native ws': `${ws}/ws?app=1`,
      'socket.io websocket (native, moneypot, eventchat, socketapi)': `${ws}/socket.io/?EIO=4&transport=websocket`,
      'chatroom ws': `${ws}/chatroom?app=1`,
      'numeric ws': `${ws}/numeric/chat/login/eve`,
    };
    const statuses: Record<string, number | string> = {};
    for (const [name, url] of Object.entries(upgrades)) {
      const refused = await tryUpgrade(url, { Origin: EVIL });
      expect(refused, name).toMatchObject({ opened: false, status: 403 });
      expect(JSON.parse(refused.body ?? '{}'), name).toMatchObject({ error: { code: 'origin_not_allowed' } });
      expect(await tryUpgrade(url, { Origin: GOOD }), name).toEqual({ opened: true });
      statuses[name] = refused.status ?? 'none';
    }
    const polling = await fetch(`${http}/socket.io/?EIO=4&transport=polling`, { headers: { Origin: EVIL } });
    statuses['socket.io polling'] = polling.status;
    const preflight = await fetch(`${http}/api/v1/apps/1/rooms`, {
      method: 'OPTIONS',
      headers: { Origin: EVIL, 'access-control-request-method': 'POST' },
    });
    statuses['REST preflight'] = preflight.status;
    const register = await fetch(`${http}/api/v1/apps/1/register`, {
      method: 'POST',
      headers: { Origin: EVIL, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'eve', password: 'eve-password' }),
    });
    statuses['REST write'] = register.status;
    expect(register.headers.get('access-control-allow-origin')).toBeNull();
    expect(Object.values(statuses).every((status) => status === 403)).toBe(true);
    recordOutcome({
      id: 'foreign-origins',
      fault: 'a page from a foreign Origin on every upgrade path, socket.io polling and the REST API',
      expected: '403 origin_not_allowed everywhere; the allowed origin passes',
      measured: 'refused with 403 on every path',
      numbers: statuses,
    });
  });
});
