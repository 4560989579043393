/**
 * Forged site JWTs against a running server: app 1 trusts an HS256 secret, app 2 an RS256 public key. Every
 * forgery is refused at `auth` (native WebSocket), a genuine token past its `exp` is told it has expired,
 * and no user is created by a refused token. A token is scoped to its app by its key: a token signed for
 * another app (another audience) is a wrong-key token.
 */
import { exportSPKI, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { api, ClientPool, patchApp } from '../native/helpers.js';
import { recordOutcome } from './report.js';

const SECRET = 'jwt-forgery-site-secret-0123456789abcdef';
const OTHER_SECRET = 'another-sites-secret-0123456789abcdef00';

let srv: TestServer;
let rsApp = 0;
let publicPem = '';
let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
const pool = new ClientPool();

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowS = () => Math.floor(Date.now() / 1000);
const hs256 = (claims: JWTPayload, secret: string | Uint8Array = SECRET) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .sign(typeof secret === 'string' ? new TextEncoder().encode(secret) : secret);

beforeAll(async () => {
  srv = await startTestServer();
  await patchApp(srv, { jwt: { alg: 'HS256', secret: SECRET } });
  const pair = await generateKeyPair('RS256', { extractable: true });
  privateKey = pair.privateKey;
  publicPem = await exportSPKI(pair.publicKey);
  const created = await api<{ id: number }>(srv, 'POST', '/api/v1/apps', {
    name: 'rs-site',
    settings: { jwt: { alg: 'RS256', publicKey: publicPem } },
  });
  rsApp = created.id;
});

afterAll(async () => {
  pool.closeAll();
  await srv?.close();
});

/** The `auth` reply's error code for `jwt` on app `app`, or 'accepted'. */
async function tryJwt(app: number, jwt: string): Promise<string> {
  const raw = pool.rawWs(srv, `?app=${app}`);
  await raw.opened;
  const reply = (await raw.request('auth', { jwt })) as { ok: boolean; error?: { code: string } };
  raw.ws.terminate();
  return reply.ok ? 'accepted' : (reply.error?.code ?? 'unknown');
}

describe('JWT forgeries', () => {
  it('alg none, wrong keys, HS/RS confusion, tampering, another app’s token: all unauthorized', async () => {
    const attacks: Record<string, () => Promise<[number, string]>> = {
      'alg none': async () => [
        1,
        `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ username: 'mallory', role: 'admin' })}.`,
      ],
      'alg none, empty signature kept': async () => [
        1,
        `${encode({ alg: 'none' })}.${encode({ username: 'mallory' })}.AAAA`,
      ],
      'signed with a wrong secret': async () => [
        1,
        await hs256({ username: 'mallory' }, 'not-the-secret-at-all-0123456789'),
      ],
      'signed for another app (another audience)': async () => [
        1,
        await hs256({ username: 'mallory', aud: 'other-site' }, OTHER_SECRET),
      ],
      'payload tampered after signing': async () => {
        const [head, , sig] = (await hs256({ username: 'mallory', role: 'member' })).split('.');
        return [1, `${head}.${encode({ username: 'mallory', role: 'admin' })}.${sig}`];
      },
      'HS256 signed with the RS256 app’s public key (alg confusion)': async () => [
        rsApp,
        await hs256({ username: 'mallory' }, new TextEncoder().encode(publicPem)),
      ],
      'RS256 signed with another private key': async () => {
        const other = await generateKeyPair('RS256');
        return [
          rsApp,
          await new SignJWT({ username: 'mallory' })
            .setProtectedHeader({ alg: 'RS256' })
            .sign(other.privateKey),
        ];
      },
      'not before an hour from now': async () => [
        1,
        await hs256({ username: 'mallory', nbf: nowS() + 3600 }),
      ],
      garbage: async () => [1, 'a.b.c'],
    };
    const codes: Record<string, string> = {};
    for (const [name, make] of Object.entries(attacks)) {
      const [app, jwt] = await make();
      codes[name] = await tryJwt(app, jwt);
    }
    expect(codes).toEqual(Object.fromEntries(Object.keys(attacks).map((name) => [name, 'unauthorized'])));
    const users = await api<{ users?: { username: string }[] }>(srv, 'GET', '/api/v1/apps/1/users');
    expect(JSON.stringify(users)).not.toContain('mallory');
    // The genuine ones pass, so the refusals above are about the forgeries.
    expect(await tryJwt(1, await hs256({ username: 'honest_hs' }))).toBe('accepted');
    const rs = await new SignJWT({ username: 'honest_rs' })
      .setProtectedHeader({ alg: 'RS256' })
      .sign(privateKey);
    expect(await tryJwt(rsApp, rs)).toBe('accepted');
    const after = await api(srv, 'GET', '/api/v1/apps/1/users');
    expect(JSON.stringify(after)).toContain('honest_hs');
    recordOutcome({
      id: 'jwt-forgery',
      fault: `${Object.keys(attacks).length} forged site JWTs at auth: alg none, wrong key, another app’s, tampered, HS/RS confusion, nbf`,
      expected: 'unauthorized, no user created; genuine HS256 and RS256 tokens accepted',
      measured: 'all unauthorized, no user created; genuine tokens accepted',
      numbers: { forgeries: Object.keys(attacks).length, accepted: 0 },
    });
  });

  it('a genuine token past its exp is credentials_expired, within the clock tolerance accepted', async () => {
    const expired = await tryJwt(1, await hs256({ username: 'late', exp: nowS() - 60 }));
    const justNow = await tryJwt(1, await hs256({ username: 'justnow', exp: nowS() - 1 }));
    expect([expired, justNow]).toEqual(['credentials_expired', 'accepted']);
    recordOutcome({
      id: 'jwt-expired',
      fault: 'a genuine site JWT expired 60 s ago, and one expired 1 s ago',
      expected: 'credentials_expired; the one within the tolerance accepted',
      measured: `${expired}; ${justNow}`,
    });
  });
});
