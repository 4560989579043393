/** Library mode's options: the prefix, and the command's settings read by the same loader (src/config). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromSettings, ConfigError } from '../../src/config/load.js';
import { createParley } from '../../src/library.js';
import { matchPrefix, prefixSchema, requestUrl } from '../../src/library/prefix.js';
import type { IncomingMessage } from 'node:http';

describe('the prefix', () => {
  it('accepts paths of URL-safe segments, without the trailing slash', () => {
    expect(prefixSchema.parse('/chat')).toBe('/chat');
    expect(prefixSchema.parse('/chat/')).toBe('/chat');
    expect(prefixSchema.parse('/support/chat-1')).toBe('/support/chat-1');
    for (const bad of ['', '/', 'chat', '/chat//x', '/a b', '/chat/..', '/./x', '/chat?x', '//'])
      expect(prefixSchema.safeParse(bad).success, bad).toBe(false);
  });

  it('claims the prefix and what is below it, nothing that only begins like it', () => {
    expect(matchPrefix('/chat/ws?app=1', '/chat')).toEqual({ kind: 'inside', url: '/ws?app=1' });
    expect(matchPrefix('/chat/', '/chat')).toEqual({ kind: 'inside', url: '/' });
    expect(matchPrefix('/chat', '/chat')).toEqual({ kind: 'redirect', location: '/chat/' });
    expect(matchPrefix('/chat?a=1', '/chat')).toEqual({ kind: 'redirect', location: '/chat/?a=1' });
    for (const url of ['/', '/chatroom', '/chat.html', '/Chat/', '/x/chat/'])
      expect(matchPrefix(url, '/chat'), url).toEqual({ kind: 'outside' });
  });

  it('matches the whole URL where express has cut a mount path off (originalUrl)', () => {
    const mounted = { url: '/healthz', originalUrl: '/chat/healthz' } as IncomingMessage & {
      originalUrl: string;
    };
    expect(requestUrl(mounted)).toBe('/chat/healthz');
    expect(requestUrl({ url: '/x' } as IncomingMessage)).toBe('/x');
  });

  it('refuses a bad prefix before opening anything', async () => {
    await expect(createParley({ prefix: 'chat' })).rejects.toThrow(
      new ConfigError(
        'invalid setting prefix in the options: expected a path such as /chat (segments of letters, digits and . _ ~ -), got "chat"',
      ),
    );
  });
});

describe('configFromSettings: the options above the environment, above the config file', () => {
  let dir: string;
  let file: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-settings-'));
    file = join(dir, 'parley.json');
    await writeFile(
      file,
      JSON.stringify({
        dataDir: 'from-file',
        heartbeatMs: 1111,
        maxFrameBytes: 2048,
        engine: { presenceGraceMs: 7 },
      }),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads the settings as the config file spells them, with the same checks', () => {
    const config = configFromSettings({
      allowedOrigins: 'https://a.example, https://b.example',
      engine: { typingThrottleMs: 5 },
    });
    expect(config.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.engine.typingThrottleMs).toBe(5);
    expect(config.dataDir).toBe(resolve('data'));
    expect(configFromSettings({ allowedOrigins: ['*'] }).allowedOrigins).toBeNull();
    expect(() => configFromSettings({ heartbeatMs: 1 })).toThrow(
      new ConfigError('invalid setting heartbeatMs in the options: expected an integer 10-3600000, got 1'),
    );
    expect(() => configFromSettings({ nope: 1 } as never)).toThrow(
      'invalid setting nope in the options: unknown setting',
    );
    // Not the process's environment unless it is passed.
    expect(configFromSettings({}, {}).heartbeatMs).toBe(25_000);
  });

  it('layers the options over the environment over the file, relative paths from their own source', () => {
    const config = configFromSettings(
      { heartbeatMs: 3333 },
      { configFile: file, env: { PARLEY_HEARTBEAT_MS: '2222', PARLEY_MAX_FRAME_BYTES: '4096' } },
    );
    expect(config.heartbeatMs).toBe(3333);
    expect(config.maxFrameBytes).toBe(4096);
    expect(config.engine.presenceGraceMs).toBe(7);
    expect(config.dataDir).toBe(join(dir, 'from-file'));
    expect(configFromSettings({ dataDir: 'here' }, { configFile: file }).dataDir).toBe(resolve('here'));
    expect(() => configFromSettings({}, { configFile: join(dir, 'missing.json') })).toThrow(
      /^invalid setting configFile: cannot read config file .*missing\.json" \(ENOENT\)$/,
    );
  });
});
