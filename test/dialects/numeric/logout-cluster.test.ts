/**
 * A numeric logout (type 3) ends the user's presence at once on every node: a native user and a numeric user
 * on another node hear the leave long before the presence grace period, which is set high here so that only
 * an immediate announcement can arrive in time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminApi,
  clusterServicesAvailable,
  ClusterClients,
  createRoom,
  NO_FLOOD,
  startCluster,
  tokenFor,
  unique,
  waitForMesh,
  type Cluster,
  type ClusterNode,
} from '../../helpers/cluster.js';
import { record, recordingWs } from '../../cluster/drivers.js';

const available = await clusterServicesAvailable('test/dialects/numeric/logout-cluster');

const GRACE_MS = 10_000;
/** Well inside the grace period: a leave that waited for it would miss this. */
const PROMPT_MS = GRACE_MS / 2;

describe.skipIf(!available)('numeric logout across nodes', () => {
  let cluster: Cluster;
  let A: ClusterNode;
  let B: ClusterNode;
  const clients = new ClusterClients();

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, env: { PARLEY_PRESENCE_GRACE_MS: String(GRACE_MS) } });
    [A, B] = cluster.nodes as [ClusterNode, ClusterNode];
    await adminApi(A, 'PATCH', '/api/v1/apps/1', { settings: NO_FLOOD });
    await waitForMesh(cluster);
  }, 240_000);
  afterAll(async () => {
    clients.closeAll();
    await cluster?.close();
  });

  it('a numeric logout on node A is a leave at once for native and numeric users on node B', async () => {
    const channel = unique('bye_');
    await createRoom(A, channel);

    const watcher = unique('nat');
    const native = clients.native(B, 'ws', { token: await tokenFor(B, watcher) }, { reconnect: false });
    const joins = record(native, 'presence_join');
    const leaves = record(native, 'presence_leave');
    const offline = record(native, 'user_offline');
    await native.connect();
    await native.join(channel);
    await native.watchOnline();

    const peerNick = unique('peer_');
    const peer = recordingWs(clients, `${B.url}/numeric/chat/login/${peerNick}`);
    await peer.opened;
    await peer.next((f) => f.type === 2 && f.user === peerNick, 'own login (type 2)');
    peer.send({ type: 4, channel: `#${channel}` });
    await peer.next((f) => f.type === 4 && f.user === peerNick, 'own join (type 4)');

    const nick = unique('bye_');
    const leaver = recordingWs(clients, `${A.url}/numeric/chat/login/${nick}`);
    await leaver.opened;
    await leaver.next((f) => f.type === 2 && f.user === nick, 'own login (type 2)');
    leaver.send({ type: 4, channel: `#${channel}` });
    await leaver.next((f) => f.type === 4 && f.user === nick, 'own join (type 4)');
    await joins.next((e) => e.user.username === nick, 'the native user hears the join');
    await peer.next((f) => f.type === 4 && f.user === nick, 'the numeric peer hears the join');

    const loggedOutAt = Date.now();
    leaver.send({ type: 3 });
    expect((await leaver.closed).code).toBe(1000);
    const left = await leaves.next((e) => e.user.username === nick, 'native presence_leave', PROMPT_MS);
    expect(left.room.name).toBe(channel);
    await offline.next((e) => e.user.username === nick, 'native user_offline', PROMPT_MS);
    await peer.next((f) => f.type === 5 && f.user === nick && f.channel === channel, 'type 5', PROMPT_MS);
    await peer.next((f) => f.type === 3 && f.user === nick, 'type 3', PROMPT_MS);
    expect(Date.now() - loggedOutAt).toBeLessThan(PROMPT_MS);
  }, 90_000);
});
