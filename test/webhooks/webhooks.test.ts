/**
 * Outgoing webhooks end to end: a real server, a real receiver on loopback verifying every signature, and the
 * outbox drained by the dispatcher (retries, timeouts, dead deliveries, redelivery, order per room).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { api, ClientPool, NO_FLOOD, patchApp, register } from '../native/helpers.js';
import { startReceiver, type Receiver } from './receiver.js';

const SECRET = 'a-webhook-secret-of-some-length';

interface Hook {
  id: number;
  secret: string;
  events: string[];
}
interface DeliveryPage {
  deliveries: { id: number; eventId: string; status: string; attempts: number; lastFailure: string | null }[];
  nextCursor: number | null;
}

let srv: TestServer;
let receiver: Receiver;
const pool = new ClientPool();

beforeEach(async () => {
  receiver = await startReceiver(SECRET);
  srv = await startTestServer({
    engine: {
      webhookRetryBaseMs: 20,
      webhookPollMs: 20,
      webhookTimeoutMs: 300,
      webhookLeaseMs: 2000,
      webhookMaxAttempts: 3,
    },
  });
  await patchApp(srv, NO_FLOOD);
});

afterEach(async () => {
  pool.closeAll();
  await srv.close();
  await receiver.close();
});

const hook = (events: string[] = ['*']) =>
  api<Hook>(srv, 'POST', '/api/v1/apps/1/webhooks', { url: receiver.url, secret: SECRET, events });
const publish = (text: string, username = 'alice') =>
  api<{ message: { id: number; seq: number } }>(srv, 'POST', '/api/v1/apps/1/rooms/lobby/messages', {
    username,
    text,
  });
const deliveries = (id: number) => api<DeliveryPage>(srv, 'GET', `/api/v1/apps/1/webhooks/${id}/deliveries`);
const ofType = (type: string) => receiver.received.filter((r) => r.body.type === type);

describe('webhooks: delivery', () => {
  it('[webhooks.events] message, moderation and user events arrive signed, with their payloads', async () => {
    const created = await hook();
    expect(created.secret).toBe('[set]');
    const { message } = await publish('hello');
    await api(srv, 'POST', '/api/v1/apps/1/users', { username: 'bob', password: 'secret-password' });
    await api(srv, 'POST', '/api/v1/apps/1/kicks', { username: 'alice', reason: 'test' });
    await api(srv, 'DELETE', `/api/v1/apps/1/rooms/lobby/messages/${message.id}`);
    await waitFor(() => ofType('message.deleted').length === 1 && ofType('moderation.kick').length === 1, {
      label: 'the events',
    });
    await waitFor(() => ofType('user.created').length === 1, { label: 'user.created' });
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    expect(receiver.received.every((r) => r.eventId === r.body.id && r.body.appId === 1)).toBe(true);
    const [posted] = ofType('message.created');
    expect(posted?.body.data).toMatchObject({
      room: { name: 'lobby' },
      message: { id: message.id, text: 'hello' },
    });
    expect(ofType('user.created')[0]?.body.data).toMatchObject({ user: { username: 'bob' } });
    expect(ofType('moderation.kick')[0]?.body.data).toMatchObject({
      kind: 'kick',
      detail: { reason: 'test' },
    });
    // The receiver may have answered before the outcome was recorded.
    await waitFor(
      async () => (await deliveries(created.id)).deliveries.every((d) => d.status === 'delivered'),
      {
        label: 'every delivery recorded as delivered',
      },
    );
  });

  it('[webhooks.events.room] reactions, reports and room presence arrive as their events', async () => {
    await hook(['reaction.changed', 'report.created', 'member.joined', 'member.left']);
    const { message } = await publish('react to me');
    const client = pool.client(srv, 'ws', { token: await register(srv, 'carol') });
    await client.connect();
    await client.join('lobby');
    await waitFor(() => ofType('member.joined').length === 1, { label: 'member.joined' });
    await client.react('lobby', message.id, '👍');
    await client.report('lobby', message.id, 'spam');
    await client.leave('lobby');
    await waitFor(() => ofType('member.left').length === 1, { label: 'member.left' });
    await waitFor(() => ofType('report.created').length === 1, { label: 'report.created' });
    expect(ofType('member.joined')[0]?.body.data).toMatchObject({
      room: { name: 'lobby' },
      user: { username: 'carol' },
    });
    expect(ofType('reaction.changed')[0]?.body.data).toMatchObject({
      messageId: message.id,
      emoji: '👍',
      added: true,
      user: { username: 'carol' },
    });
    expect(ofType('report.created')[0]?.body.data).toMatchObject({ messageId: message.id, reason: 'spam' });
    // In the order they happened in the room.
    expect(receiver.received.map((r) => r.body.type)).toEqual([
      'member.joined',
      'reaction.changed',
      'report.created',
      'member.left',
    ]);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
  });

  it('[webhooks.filter] an endpoint gets only the events it asks for; none are written for none', async () => {
    await hook(['message.edited']);
    await publish('not wanted');
    const other = await hook(['message.created']);
    await publish('wanted');
    await waitFor(() => receiver.received.length === 1);
    expect(receiver.received[0]?.body.data).toMatchObject({ message: { text: 'wanted' } });
    expect((await deliveries(other.id)).deliveries).toHaveLength(1);
  });

  it('[webhooks.retry] a 500 is retried with the same event id until a 2xx', async () => {
    const created = await hook(['message.created']);
    receiver.answer = (_, index) => (index < 2 ? 500 : 204);
    await publish('retried');
    await waitFor(() => receiver.received.length === 3, { label: 'three tries' });
    const ids = new Set(receiver.received.map((r) => r.eventId));
    expect(ids.size).toBe(1);
    const [entry] = (
      await waitFor(async () => {
        const log = await deliveries(created.id);
        return log.deliveries[0]?.status === 'delivered' ? log : null;
      })
    ).deliveries;
    expect(entry).toMatchObject({ attempts: 3, status: 'delivered' });
  });

  it('[webhooks.dead] a hanging endpoint times out; after the last try the delivery is dead', async () => {
    const created = await hook(['message.created']);
    receiver.answer = () => 'hang';
    await publish('into the void');
    const log = await waitFor(
      async () => {
        const page = await deliveries(created.id);
        return page.deliveries[0]?.status === 'dead' ? page : null;
      },
      { label: 'dead', timeoutMs: 10_000 },
    );
    expect(log.deliveries[0]).toMatchObject({ attempts: 3, lastFailure: 'timeout' });
    expect(receiver.received).toHaveLength(3);
  });

  it('[webhooks.redirect] a redirect is a failure, never followed', async () => {
    const created = await hook(['message.created']);
    receiver.answer = () => ({ redirect: 'http://127.0.0.1:1/elsewhere' });
    await publish('moved');
    const log = await waitFor(async () => {
      const page = await deliveries(created.id);
      return page.deliveries[0]?.status === 'dead' ? page : null;
    });
    expect(log.deliveries[0]?.lastFailure).toBe('redirect');
  });

  it('[webhooks.redeliver] a dead delivery sent again keeps its event id', async () => {
    const created = await hook(['message.created']);
    receiver.answer = () => 500;
    await publish('again');
    const dead = await waitFor(async () => {
      const page = await deliveries(created.id);
      return page.deliveries[0]?.status === 'dead' ? page.deliveries[0] : null;
    });
    receiver.answer = () => 200;
    const queued = await api<{ id: number; eventId: string }>(
      srv,
      'POST',
      `/api/v1/apps/1/webhooks/${created.id}/deliveries/${dead.id}/redeliver`,
    );
    expect(queued.eventId).toBe(dead.eventId);
    await waitFor(() => receiver.received.length === 4);
    expect(receiver.received[3]?.eventId).toBe(dead.eventId);
    const page = await waitFor(async () => {
      const p = await deliveries(created.id);
      return p.deliveries[0]?.status === 'delivered' ? p : null;
    });
    expect(page.deliveries.map((d) => d.status)).toEqual(['delivered', 'dead']);
  });

  it('[webhooks.order] 200 messages in one room arrive in seq order, even with failures in between', async () => {
    await hook(['message.created']);
    let failures = 0;
    receiver.answer = (_, index) => (index % 37 === 5 && failures++ < 5 ? 503 : 200);
    const sends = Array.from({ length: 200 }, (_, i) => publish(`m${i}`, `user${i % 5}`));
    await Promise.all(sends);
    await waitFor(() => new Set(receiver.received.map((r) => r.eventId)).size === 200, {
      timeoutMs: 20_000,
      label: '200 events',
    });
    const seqs: number[] = [];
    for (const r of receiver.received) {
      const seq = (r.body.data.message as { seq: number }).seq;
      if (seqs.at(-1) !== seq) seqs.push(seq);
    }
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(seqs).toHaveLength(200);
  });
});

describe('webhooks: admin API', () => {
  const post = (body: unknown) =>
    fetch(`${srv.url}/api/v1/apps/1/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${srv.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('[webhooks.api.validation] bad URLs, secrets and events are refused; at most 10 endpoints', async () => {
    const good = { url: receiver.url, secret: SECRET, events: ['*'] };
    for (const bad of [
      { ...good, url: 'ftp://example.com/hook' },
      { ...good, url: 'not a url' },
      { ...good, url: `https://example.com/${'a'.repeat(2100)}` },
      { ...good, url: 'https://user:pass@example.com/hook' },
      { ...good, secret: 'short' },
      { ...good, events: [] },
      { ...good, events: ['message.exploded'] },
      { ...good, extra: true },
    ]) {
      expect((await post(bad)).status, JSON.stringify(bad).slice(0, 80)).toBe(400);
    }
    for (let i = 0; i < 10; i++) expect((await post(good)).status).toBe(201);
    const over = await post(good);
    expect(over.status).toBe(409);
    expect(await over.json()).toMatchObject({ error: { code: 'conflict', details: { max: 10 } } });
  });

  it('[webhooks.api.crud] get, patch (the secret kept with [set]), delete; never the secret', async () => {
    const created = await hook(['message.created']);
    const patched = await api<Hook>(srv, 'PATCH', `/api/v1/apps/1/webhooks/${created.id}`, {
      secret: '[set]',
      events: ['message.edited', 'moderation.*'],
    });
    expect(patched.events).toEqual(['message.edited', 'moderation.*']);
    expect(patched.secret).toBe('[set]');
    const listed = await api<{ webhooks: Hook[] }>(srv, 'GET', '/api/v1/apps/1/webhooks');
    expect(JSON.stringify(listed)).not.toContain(SECRET);
    await api(srv, 'DELETE', `/api/v1/apps/1/webhooks/${created.id}`);
    const gone = await fetch(`${srv.url}/api/v1/apps/1/webhooks/${created.id}`, {
      headers: { authorization: `Bearer ${srv.adminKey}` },
    });
    expect(gone.status).toBe(404);
  });
});
