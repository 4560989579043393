/**
 * Revocation across nodes: engines on one store joined by the in-process bus. The operator revokes on node A;
 * the sessions signed in with what was revoked are closed on node B with `revoked` (4011), others stay, and
 * the token is refused on every node.
 */
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { RecordingSink } from '../helpers/engine.js';
import { engineCluster } from '../helpers/engineCluster.js';
import { waitFor } from '../helpers/wait.js';

const nodes = engineCluster();
const cluster = (count: number) => nodes.start(count);

async function connectWith(engine: Engine, token: string): Promise<RecordingSink> {
  const sink = new RecordingSink();
  const principal = await engine.authenticate(1, { kind: 'token', token });
  engine.openSession(principal, sink, { transport: 'test', dialect: 'native' });
  return sink;
}

describe('revocation across nodes', () => {
  it('a token revoked on node A closes its session on node B, and only that one', async () => {
    const [a, b] = (await cluster(2)) as [Engine, Engine];
    await a.createUser(1, { username: 'alice' });
    const revoked = await a.issueToken(1, 'alice');
    const kept = await a.issueToken(1, 'alice');
    const doomed = await connectWith(b, revoked.token);
    const stays = await connectWith(b, kept.token);

    await a.revokeToken(1, revoked.tokenId);
    await waitFor(() => doomed.terminated !== null);
    expect(doomed.terminated).toMatchObject({ reason: 'revoked', code: 4011 });
    expect(stays.terminated).toBeNull();
    await expect(b.authenticate(1, { kind: 'token', token: revoked.token })).rejects.toMatchObject({
      code: 'unauthorized',
    });
  });

  it("a user revoked on node A has every session closed on node B; another user's stay", async () => {
    const [a, b] = (await cluster(2)) as [Engine, Engine];
    await a.createUser(1, { username: 'bob' });
    await a.createUser(1, { username: 'carol' });
    const bobOnB = await connectWith(b, (await a.issueToken(1, 'bob')).token);
    const bobOnA = await connectWith(a, (await a.issueToken(1, 'bob')).token);
    const carolOnB = await connectWith(b, (await a.issueToken(1, 'carol')).token);

    await a.revokeUser(1, 'bob');
    expect(bobOnA.terminated).toMatchObject({ reason: 'revoked' });
    await waitFor(() => bobOnB.terminated !== null);
    expect(bobOnB.terminated).toMatchObject({ reason: 'revoked', code: 4011 });
    expect(carolOnB.terminated).toBeNull();
  });
});
