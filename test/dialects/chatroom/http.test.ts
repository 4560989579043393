/** The chatroom dialect's account routes: POST /chatroom/register-user and /chatroom/login-user. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { api, patchApp } from '../../native/helpers.js';
import { ChatroomPool, post } from './helpers.js';

describe('chatroom account routes', () => {
  let srv: TestServer;
  const pool = new ChatroomPool();

  beforeAll(async () => {
    srv = await startTestServer({ allowedOrigins: ['https://site.example', 'https://other.example'] });
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  it('registers with 201 {token}, then logs in with 200 {token}; the token works on the WebSocket', async () => {
    const registered = await post<{ token: string }>(srv, '/chatroom/register-user', {
      username: 'carol',
      password: 'carol-password',
    });
    expect(registered.status).toBe(201);
    expect(Object.keys(registered.body)).toEqual(['token']);
    expect(typeof registered.body.token).toBe('string');

    const login = await post<{ token: string }>(srv, '/chatroom/login-user', {
      username: 'carol',
      password: 'carol-password',
    });
    expect(login.status).toBe(200);
    expect(Object.keys(login.body)).toEqual(['token']);
    expect(login.body.token).not.toBe(registered.body.token);

    const client = await pool.ready(srv, 'carol', login.body.token, { withToken: true });
    expect(client.isClosed).toBe(false);
  });

  it('answers 409 {message} for a taken username (without regard to case)', async () => {
    await post(srv, '/chatroom/register-user', { username: 'dave', password: 'dave-password' });
    for (const username of ['dave', 'DAVE']) {
      const res = await post<{ message: string }>(srv, '/chatroom/register-user', {
        username,
        password: 'another-password',
      });
      expect(res.status).toBe(409);
      expect(Object.keys(res.body)).toEqual(['message']);
      expect(res.body.message).toMatch(/taken/);
    }
  });

  it('answers 400 {message} for invalid bodies', async () => {
    const bad: unknown[] = [
      {},
      { username: 'x' },
      { password: 'secret-password' },
      { username: 'has space', password: 'secret-password' },
      { username: 'shortpw', password: '123' },
      { username: 'extra', password: 'secret-password', role: 'owner' },
      { username: 42, password: 'secret-password' },
      { username: 'a'.repeat(65), password: 'secret-password' },
      [],
      'null',
      '{"username": "x",',
    ];
    for (const body of bad) {
      const res = await post<{ message: string }>(srv, '/chatroom/register-user', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys(res.body)).toEqual(['message']);
      expect(typeof res.body.message).toBe('string');
    }
    const notJson = await post<{ message: string }>(srv, '/chatroom/login-user', 'username=x', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(notJson.status).toBe(400);
    expect(Object.keys(notJson.body)).toEqual(['message']);
    const login = await post<{ message: string }>(srv, '/chatroom/login-user', { username: 'x' });
    expect(login.status).toBe(400);
    expect(Object.keys(login.body)).toEqual(['message']);
  });

  it('answers 401 {message} for wrong credentials, the same for an unknown user', async () => {
    await post(srv, '/chatroom/register-user', { username: 'erin', password: 'erin-password' });
    const wrong = await post<{ message: string }>(srv, '/chatroom/login-user', {
      username: 'erin',
      password: 'wrong-password',
    });
    const unknown = await post<{ message: string }>(srv, '/chatroom/login-user', {
      username: 'nobody-here',
      password: 'wrong-password',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(Object.keys(wrong.body)).toEqual(['message']);
  });

  it('selects the app from ?app=N: 404 for an unknown app, 400 for a malformed one', async () => {
    const { id: appId } = await api<{ id: number }>(srv, 'POST', '/api/v1/apps', { name: 'second' });
    const inApp2 = await post<{ token: string }>(srv, `/chatroom/register-user?app=${appId}`, {
      username: 'frank',
      password: 'frank-password',
    });
    expect(inApp2.status).toBe(201);
    // frank exists only in the second app
    const inApp1 = await post(srv, '/chatroom/login-user', { username: 'frank', password: 'frank-password' });
    expect(inApp1.status).toBe(401);
    const login2 = await post(srv, `/chatroom/login-user?app=${appId}`, {
      username: 'frank',
      password: 'frank-password',
    });
    expect(login2.status).toBe(200);

    const unknown = await post<{ message: string }>(srv, '/chatroom/login-user?app=999', {
      username: 'frank',
      password: 'frank-password',
    });
    expect(unknown.status).toBe(404);
    expect(Object.keys(unknown.body)).toEqual(['message']);
    for (const app of ['abc', '0', '-1', '1.5']) {
      const res = await post<{ message: string }>(srv, `/chatroom/register-user?app=${app}`, {
        username: 'gina',
        password: 'gina-password',
      });
      expect(res.status, app).toBe(400);
      expect(Object.keys(res.body)).toEqual(['message']);
    }
  });

  it('answers 403 {message} when the app does not allow accounts', async () => {
    const { id: appId } = await api<{ id: number }>(srv, 'POST', '/api/v1/apps', {
      name: 'closed',
      settings: { allowAccounts: false },
    });
    for (const path of ['/chatroom/register-user', '/chatroom/login-user']) {
      const res = await post<{ message: string }>(srv, `${path}?app=${appId}`, {
        username: 'hank',
        password: 'hank-password',
      });
      expect(res.status).toBe(403);
      expect(Object.keys(res.body)).toEqual(['message']);
    }
  });

  it('refuses a browser Origin the server or the app does not allow with 403 {message}', async () => {
    const headers = (origin: string) => ({ 'content-type': 'application/json', origin });
    const body = { username: 'ivan', password: 'ivan-password' };
    const server = await post<{ message: string }>(
      srv,
      '/chatroom/register-user',
      body,
      headers('https://evil.example'),
    );
    expect(server.status).toBe(403);
    expect(Object.keys(server.body)).toEqual(['message']);

    await patchApp(srv, { allowedOrigins: ['https://site.example'] });
    try {
      const narrowed = await post<{ message: string }>(
        srv,
        '/chatroom/register-user',
        body,
        headers('https://other.example'),
      );
      expect(narrowed.status).toBe(403);
      expect(Object.keys(narrowed.body)).toEqual(['message']);
      const allowed = await post(srv, '/chatroom/register-user', body, headers('https://site.example'));
      expect(allowed.status).toBe(201);
    } finally {
      await patchApp(srv, { allowedOrigins: null });
    }
  });
});
