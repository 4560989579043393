/**
 * A shadow-muted user's messages never reach a numeric-dialect client (docs/moderation.md): the visibility
 * filter runs at delivery for every session, whatever its gateway. Its author, on the native protocol, sees it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../helpers/server.js';
import type { TestServer } from '../../helpers/server.js';
import { api, ClientPool, events, NO_FLOOD, patchApp, register } from '../../native/helpers.js';
import { isType, NumericPool } from './helpers.js';

describe('numeric dialect and shadow mutes', () => {
  let srv: TestServer;
  const numeric = new NumericPool();
  const native = new ClientPool();
  let token: string;

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    await patchApp(srv, NO_FLOOD);
    token = await register(srv, 'shadowy', 'shadow-password');
  });
  afterEach(() => {
    numeric.closeAll();
    native.closeAll();
  });
  afterAll(async () => {
    numeric.closeAll();
    native.closeAll();
    await srv?.close();
  });

  it("[proto.reports.dialects] a shadow-muted user's message never reaches a numeric client", async () => {
    await api(srv, 'POST', '/api/v1/apps/1/shadow-mutes', { username: 'shadowy', reason: 'spam' });
    const ann = await numeric.login(srv, 'x_watcher');
    ann.send({ type: 4, channel: '#shade' });
    await ann.next(isType(4, { user: 'x_watcher' }));
    const author = native.client(srv, 'ws', { token });
    await author.connect();
    await author.join('shade');
    const own = events(author, 'message');
    await author.send('shade', 'nobody else sees this');
    expect((await own.next()).message.text).toBe('nobody else sees this');
    await ann.expectNone((f) => f.type === 0 || f.type === 7);

    // Lifted: what comes next reaches the dialect, what was written meanwhile still does not.
    await api(srv, 'DELETE', '/api/v1/apps/1/shadow-mutes/shadowy');
    await author.send('shade', 'seen by all');
    expect(await ann.next(isType(0))).toMatchObject({
      dest: 'shade',
      message: 'seen by all',
      user: 'shadowy',
    });
    const late = await numeric.login(srv, 'x_late');
    late.send({ type: 4, channel: '#shade' });
    await late.next(isType(4, { user: 'x_late' }));
    await late.expectNone((f) => f.type === 0 && f.message === 'nobody else sees this');
  });
});
