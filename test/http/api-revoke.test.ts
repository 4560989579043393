/**
 * Revoking access through the admin API: one token (its sessions closed with `revoked`, the token refused
 * from then on), or a user (every token, older site JWTs, every session); tokens listed by id only.
 */
import { SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Credentials } from '../../src/core/identity.js';
import { RecordingSink } from '../helpers/engine.js';
import { bodyOf, createHttpHarness, errorOf, type HttpHarness } from './harness.js';

const SECRET = 'a-site-secret-long-enough-for-hs256';
const tokens = z.strictObject({
  tokens: z.array(
    z.strictObject({ id: z.string(), createdAt: z.number(), expiresAt: z.number().nullable() }),
  ),
});

let h: HttpHarness;
beforeEach(async () => {
  h = await createHttpHarness();
  await h.engine.updateApp(1, { settings: { jwt: { alg: 'HS256', secret: SECRET } } });
  await h.engine.createUser(1, { username: 'alice' });
});
afterEach(async () => {
  await h.close();
});

async function connect(credentials: Credentials) {
  const principal = await h.engine.authenticate(1, credentials);
  const sink = new RecordingSink();
  h.engine.openSession(principal, sink, { transport: 'test', dialect: 'native' });
  return sink;
}

function jwtFor(username: string, iat: number): Promise<string> {
  return new SignJWT({ sub: username })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(iat)
    .sign(new TextEncoder().encode(SECRET));
}

describe('revoking one token', () => {
  it('closes the sessions signed in with it, and only those; the token never authenticates again', async () => {
    const first = await h.engine.issueToken(1, 'alice');
    const second = await h.engine.issueToken(1, 'alice');
    const byFirst = await connect({ kind: 'token', token: first.token });
    const bySecond = await connect({ kind: 'token', token: second.token });

    const listed = bodyOf(await h.call('GET', '/api/v1/apps/1/users/alice/tokens', { admin: true }), tokens);
    expect(listed.tokens.map((t) => t.id).sort()).toEqual([first.tokenId, second.tokenId].sort());
    expect(JSON.stringify(listed)).not.toContain(first.token);

    const res = await h.call('DELETE', `/api/v1/apps/1/tokens/${first.tokenId}`, { admin: true });
    expect(res.statusCode).toBe(204);
    expect(byFirst.terminated).toMatchObject({ reason: 'revoked', code: 4011 });
    expect(bySecond.terminated).toBeNull();
    await expect(h.engine.authenticate(1, { kind: 'token', token: first.token })).rejects.toMatchObject({
      code: 'unauthorized',
    });
    await expect(h.engine.authenticate(1, { kind: 'token', token: second.token })).resolves.toMatchObject({
      tokenId: second.tokenId,
    });
  });

  it('an unknown token, or one of another app, is not_found', async () => {
    const other = await h.engine.createApp({ name: 'other' });
    await h.engine.createUser(other.id, { username: 'bob' });
    const { tokenId } = await h.engine.issueToken(other.id, 'bob');
    const res = await h.call('DELETE', `/api/v1/apps/1/tokens/${tokenId}`, { admin: true });
    expect(res.statusCode).toBe(404);
    expect(errorOf(res).code).toBe('not_found');
    const bad = await h.call('DELETE', '/api/v1/apps/1/tokens/NOT-AN-ID', { admin: true });
    expect(bad.statusCode).toBe(400);
  });
});

describe('revoking a user', () => {
  it('deletes every token, closes every session, refuses site JWTs issued before it', async () => {
    const issued = await h.engine.issueToken(1, 'carol');
    const nowSeconds = Math.floor(Date.now() / 1000);
    const oldJwt = await jwtFor('carol', nowSeconds - 10);
    const byToken = await connect({ kind: 'token', token: issued.token });
    const byJwt = await connect({ kind: 'jwt', jwt: oldJwt });

    const res = await h.call('POST', '/api/v1/apps/1/users/carol/revoke', { admin: true });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { user: { username: string }; tokens: number; notBefore: number };
    expect(body).toMatchObject({ user: { username: 'carol' }, tokens: 1 });
    expect(byToken.terminated).toMatchObject({ reason: 'revoked' });
    expect(byJwt.terminated).toMatchObject({ reason: 'revoked' });

    await expect(h.engine.authenticate(1, { kind: 'token', token: issued.token })).rejects.toMatchObject({
      code: 'unauthorized',
    });
    await expect(h.engine.authenticate(1, { kind: 'jwt', jwt: oldJwt })).rejects.toMatchObject({
      code: 'unauthorized',
      message: 'Access was revoked',
    });
    const fresh = await jwtFor('carol', Math.floor(body.notBefore / 1000) + 1);
    await expect(h.engine.authenticate(1, { kind: 'jwt', jwt: fresh })).resolves.toMatchObject({
      user: { username: 'carol' },
    });
    // A JWT without iat cannot show it came after the revocation.
    const noIat = await new SignJWT({ sub: 'carol' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(SECRET));
    await expect(h.engine.authenticate(1, { kind: 'jwt', jwt: noIat })).rejects.toMatchObject({
      code: 'unauthorized',
    });
    const listed = bodyOf(await h.call('GET', '/api/v1/apps/1/users/carol/tokens', { admin: true }), tokens);
    expect(listed.tokens).toEqual([]);
  });

  it('an unknown user is not_found', async () => {
    const res = await h.call('POST', '/api/v1/apps/1/users/nobody/revoke', { admin: true });
    expect(res.statusCode).toBe(404);
  });
});
