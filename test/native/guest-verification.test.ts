/**
 * The app setting `guestVerification` ([proto.guest-verification]): a new guest comes in only with a token the
 * app's verification service accepts. The service here is a real HTTP server on the loopback, answering by the
 * token it is given; Parley reaches it over http because it is on this machine.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NumericPool, isType } from '../dialects/numeric/helpers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ClientPool, NO_FLOOD, patchApp, TRANSPORTS } from './helpers.js';

const TIMEOUT_MS = 300;

/** A siteverify look-alike: `good` is accepted, `bad` is not, `slow` is never answered, `broken` gets a 500. */
class VerifyServer {
  readonly forms: URLSearchParams[] = [];
  private readonly server: Server = createServer((req, res) => void this.answer(req, res));
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/siteverify`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const form = new URLSearchParams(body);
    this.forms.push(form);
    const token = form.get('response');
    if (token === 'slow') return; // held until Parley gives up and closes the connection
    res.writeHead(token === 'broken' ? 500 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ success: token === 'good' || token === 'broken' }));
  }
}

describe.each(TRANSPORTS)('guest verification over %s', (transport) => {
  let srv: TestServer;
  const verify = new VerifyServer();
  const pool = new ClientPool();
  const numeric = new NumericPool();
  let n = 0;
  const nick = () => `${transport === 'ws' ? 'w' : 's'}guest${n++}`;

  beforeAll(async () => {
    await verify.start();
    srv = await startTestServer();
    await patchApp(srv, {
      ...NO_FLOOD,
      guestVerification: {
        provider: 'turnstile',
        verifyUrl: verify.url,
        secret: 'the-secret',
        siteKey: 'site-key-1',
        timeoutMs: TIMEOUT_MS,
      },
    });
  });
  afterEach(() => {
    pool.closeAll();
    numeric.closeAll();
  });
  afterAll(async () => {
    await srv?.close();
    await verify.close();
  });

  async function refusal(verification?: string): Promise<{ code?: string; details?: unknown }> {
    const credentials = verification === undefined ? { guest: nick() } : { guest: nick(), verification };
    const client = pool.client(srv, transport, credentials, { reconnect: false });
    return client.connect().then(
      () => ({}),
      (err: { code?: string; details?: unknown }) => ({ code: err.code, details: err.details }),
    );
  }

  it('[proto.guest-verification] an accepted token admits; the form carries secret, response and remoteip', async () => {
    const before = verify.forms.length;
    const guest = nick();
    const client = pool.client(srv, transport, { guest, verification: 'good' });
    const auth = await client.connect();
    expect(auth?.user.username).toBe(guest);
    expect(verify.forms.length).toBe(before + 1);
    const form = verify.forms[before];
    expect(form?.get('secret')).toBe('the-secret');
    expect(form?.get('response')).toBe('good');
    expect(form?.get('remoteip')).toMatch(/127\.0\.0\.1|::1/);
  });

  it('[proto.guest-verification] a refused token, a slow service, a 500 or no token: verification_failed with the widget', async () => {
    const refused = {
      code: 'verification_failed',
      details: { provider: 'turnstile', siteKey: 'site-key-1' },
    };
    expect(await refusal('bad')).toEqual(refused);
    const started = Date.now();
    expect(await refusal('slow')).toEqual(refused);
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(await refusal('broken')).toEqual(refused);
    const before = verify.forms.length;
    expect(await refusal()).toEqual(refused);
    expect(verify.forms.length).toBe(before); // no token: the service is not asked
  });

  it('[proto.guest-verification] a guest back with its resume token is not verified again', async () => {
    const first = pool.client(srv, transport, { guest: nick(), verification: 'good' }, { reconnect: false });
    const auth = await first.connect();
    first.close();
    if (!auth?.resumeToken) throw new Error('a guest is given a resume token');
    const before = verify.forms.length;
    const again = pool.client(srv, transport, { token: auth.resumeToken });
    expect((await again.connect())?.user.id).toBe(auth.user.id);
    expect(verify.forms.length).toBe(before);
  });

  it('[proto.guest-verification] the numeric login, which cannot carry a token, is refused with an error frame', async () => {
    const client = numeric.open(srv, nick());
    const frame = await client.next(isType(-1));
    expect(String(frame.message)).toMatch(/verification/i);
  });
});
