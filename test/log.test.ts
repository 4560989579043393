import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { defaultConfig } from '../src/config/load.js';
import { REDACTED, createLogger, redactUrl } from '../src/log.js';
import { startServer } from '../src/server.js';
import { makeTempDir } from './helpers/server.js';
import { once, waitFor } from './helpers/wait.js';

function capture() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

describe('createLogger redaction', () => {
  it('redacts credentials and message bodies at any depth', () => {
    const { lines, destination } = capture();
    const logger = createLogger('trace', destination);
    logger.info(
      {
        token: 'SECRET-1',
        password: 'SECRET-2',
        text: 'SECRET-3',
        authorization: 'SECRET-4',
        jwt: 'SECRET-5',
        user: { password: 'SECRET-6', name: 'visible-name' },
        data: { message: { text: 'SECRET-7', auth: { token: 'SECRET-8' } } },
        req: {
          method: 'GET',
          url: '/ws?app=1&token=SECRET-9&guest=ann',
          headers: { authorization: 'SECRET-10' },
        },
        headers: { authorization: 'SECRET-11', cookie: 'SECRET-12' },
        adminKey: 'SECRET-13',
        config: { adminKey: 'SECRET-14' },
      },
      'hello',
    );
    logger
      .child({ component: 'x' })
      .warn({ payload: { hashed_token: 'SECRET-15', resumeToken: 'SECRET-16' } });
    const output = lines.join('');
    expect(output).not.toMatch(/SECRET/);
    expect(output).toContain(REDACTED);
    expect(output).toContain('visible-name');
    expect(output).toContain('guest=ann');
  });

  it('redactUrl scrubs credential-like query values only', () => {
    expect(redactUrl('/ws')).toBe('/ws');
    expect(redactUrl('/ws?app=2&token=abc&jwt=x.y.z&guest=bob')).toBe(
      `/ws?app=2&token=${REDACTED}&jwt=${REDACTED}&guest=bob`,
    );
    expect(redactUrl('/x?access_token=1&password=2&admin_key=3&hashed_token=4')).not.toMatch(/=[1-4]/);
  });

  it('honours the level', () => {
    const { lines, destination } = capture();
    const logger = createLogger('warn', destination);
    logger.info('quiet');
    logger.warn('loud');
    expect(lines).toHaveLength(1);
    const silent = capture();
    createLogger('silent', silent.destination).fatal('nothing');
    expect(silent.lines).toHaveLength(0);
  });
});

describe('a running server at trace level', () => {
  it('never logs tokens, passwords, message bodies or the admin key', async () => {
    const { lines, destination } = capture();
    const dataDir = await makeTempDir();
    const adminKey = 'log-test-admin-key-SECRETKEY';
    const server = await startServer(
      { ...defaultConfig(), port: 0, host: '127.0.0.1', dataDir, adminKey, logLevel: 'trace' },
      { logger: createLogger('trace', destination) },
    );
    try {
      const password = 'pw-SECRETPASS-123';
      const registered = await fetch(`${server.url}/api/v1/apps/1/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'logger_user', password }),
      });
      expect(registered.status).toBe(201);
      const { token } = (await registered.json()) as { token: string };
      await fetch(`${server.url}/api/v1/apps`, { headers: { authorization: `Bearer ${adminKey}` } });
      await fetch(`${server.url}/api/v1/apps?token=${token}`, { headers: { authorization: 'Bearer wrong' } });

      const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`);
      await once(ws, 'open', { rejectOn: ['error'] });
      const replies: { id: number; ok: boolean }[] = [];
      ws.on('message', (data) => replies.push(JSON.parse(data.toString()) as { id: number; ok: boolean }));
      const request = async (id: number, op: string, data: unknown) => {
        ws.send(JSON.stringify({ id, op, data }));
        return waitFor(() => replies.find((reply) => reply.id === id));
      };
      expect(await request(1, 'join', { room: 'lobby' })).toMatchObject({ ok: true });
      expect(await request(2, 'send', { room: 'lobby', text: 'body-SECRETTEXT-42' })).toMatchObject({
        ok: true,
      });
      // Refused (already authenticated), but the password it carries must not be logged either.
      expect(await request(3, 'auth', { username: 'logger_user', password })).toMatchObject({ ok: false });
      ws.close();
      await once(ws, 'close');
    } finally {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    }
    const output = lines.join('');
    expect(lines.length).toBeGreaterThan(3);
    expect(output).not.toContain('SECRET');
    expect(output).not.toContain('pt_');
  });
});
