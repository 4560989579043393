import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, SETTINGS, defaultConfig, loadConfig } from '../../src/config/load.js';
import { DEFAULT_ENGINE_CONFIG } from '../../src/engine/config.js';

const dir = mkdtempSync(join(tmpdir(), 'parley-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function configFile(content: unknown): string {
  const path = join(dir, `config-${files++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

function expectOneLine(err: ConfigError, ...parts: string[]) {
  expect(err.message).not.toMatch(/[\r\n]/);
  for (const part of parts) expect(err.message).toContain(part);
}

describe('loadConfig defaults', () => {
  it('uses the documented defaults with no flags, env or file', () => {
    const config = loadConfig([], {});
    expect(config).toEqual({
      port: 3000,
      host: '0.0.0.0',
      dataDir: resolve('data'),
      adminKey: null,
      allowedOrigins: null,
      trustedProxies: [],
      connectionsPerAddress: 200,
      newConnectionsPerAddressPerSecond: 10,
      newConnectionsPerSecond: 2000,
      authRequestsPerAddressPerMinute: 60,
      maxFrameBytes: 65536,
      heartbeatMs: 25000,
      authTimeoutMs: 10000,
      headersTimeoutMs: 10000,
      requestTimeoutMs: 30000,
      keepAliveTimeoutMs: 5000,
      shutdownTimeoutMs: 30000,
      logLevel: 'info',
      sqliteSynchronous: 'NORMAL',
      sqliteWriter: 'inline',
      databaseUrl: null,
      databaseSchema: null,
      redisUrl: null,
      s3Bucket: null,
      s3Endpoint: null,
      s3Region: 'us-east-1',
      s3AccessKeyId: null,
      s3SecretAccessKey: null,
      s3ForcePathStyle: false,
      engine: DEFAULT_ENGINE_CONFIG,
    });
    expect(defaultConfig()).toEqual(config);
  });

  it('ignores unrelated and empty environment variables', () => {
    expect(loadConfig([], { HOME: '/x', PARLEY_PORT: '', PARLEY_HOST: '' })).toEqual(loadConfig([], {}));
  });
});

describe('loadConfig precedence: flags > env > file > defaults', () => {
  const file = () =>
    configFile({
      port: 4000,
      host: '127.0.0.1',
      logLevel: 'debug',
      heartbeatMs: 5000,
      dataDir: 'from-file',
      engine: { presenceGraceMs: 100, tokenTtlSeconds: 60 },
    });

  it('file over defaults', () => {
    const path = file();
    const config = loadConfig(['--config', path], {});
    expect(config.port).toBe(4000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.logLevel).toBe('debug');
    expect(config.heartbeatMs).toBe(5000);
    expect(config.engine.presenceGraceMs).toBe(100);
    expect(config.engine.tokenTtlSeconds).toBe(60);
    expect(config.engine.typingThrottleMs).toBe(DEFAULT_ENGINE_CONFIG.typingThrottleMs);
    expect(config.maxFrameBytes).toBe(65536);
    // A relative dataDir in a file is relative to the file.
    expect(config.dataDir).toBe(join(dir, 'from-file'));
  });

  it('PARLEY_CONFIG names the file too; --config wins over it', () => {
    const a = configFile({ port: 4001 });
    const b = configFile({ port: 4002 });
    expect(loadConfig([], { PARLEY_CONFIG: a }).port).toBe(4001);
    expect(loadConfig(['--config', b], { PARLEY_CONFIG: a }).port).toBe(4002);
  });

  it('env over file', () => {
    const config = loadConfig(['--config', file()], {
      PARLEY_PORT: '5000',
      PARLEY_LOG_LEVEL: 'warn',
      PARLEY_PRESENCE_GRACE_MS: '250',
      PARLEY_DATA_DIR: 'env-data',
    });
    expect(config.port).toBe(5000);
    expect(config.logLevel).toBe('warn');
    expect(config.engine.presenceGraceMs).toBe(250);
    expect(config.host).toBe('127.0.0.1');
    expect(config.dataDir).toBe(resolve('env-data'));
  });

  it('flags over env over file', () => {
    const config = loadConfig(
      ['--config', file(), '--port', '6000', '--log-level', 'error', '--data', 'flag-data', '--host', '::1'],
      { PARLEY_PORT: '5000', PARLEY_LOG_LEVEL: 'warn', PARLEY_DATA_DIR: 'env-data' },
    );
    expect(config.port).toBe(6000);
    expect(config.logLevel).toBe('error');
    expect(config.dataDir).toBe(resolve('flag-data'));
    expect(config.host).toBe('::1');
  });

  it('--flag=value works like --flag value', () => {
    expect(loadConfig(['--port=7000'], {}).port).toBe(7000);
  });

  it('PARLEY_PORT wins over PORT; PORT alone is used', () => {
    expect(loadConfig([], { PORT: '8080' }).port).toBe(8080);
    expect(loadConfig([], { PORT: '8080', PARLEY_PORT: '9090' }).port).toBe(9090);
  });

  it('reads every environment variable', () => {
    const config = loadConfig([], {
      PARLEY_HOST: '127.0.0.1',
      PARLEY_ADMIN_KEY: 'an-admin-key-of-enough-length',
      PARLEY_ALLOWED_ORIGINS: 'https://a.example, http://localhost:8080',
      PARLEY_MAX_FRAME_BYTES: '1024',
      PARLEY_HEARTBEAT_MS: '1000',
      PARLEY_AUTH_TIMEOUT_MS: '2000',
      PARLEY_LOG_LEVEL: 'TRACE',
      PARLEY_SQLITE_SYNCHRONOUS: 'full',
      PARLEY_SQLITE_WRITER: 'inline',
      PARLEY_PRESENCE_GRACE_MS: '0',
      PARLEY_TYPING_THROTTLE_MS: '500',
      PARLEY_OUTBOUND_BUFFER_BYTES: '4096',
      PARLEY_TOKEN_TTL_SECONDS: '0',
      PARLEY_GUEST_TOKEN_TTL_SECONDS: '60',
      PARLEY_BACKFILL_DELAY_MS: '50',
    });
    expect(config).toMatchObject({
      host: '127.0.0.1',
      adminKey: 'an-admin-key-of-enough-length',
      allowedOrigins: ['https://a.example', 'http://localhost:8080'],
      maxFrameBytes: 1024,
      heartbeatMs: 1000,
      authTimeoutMs: 2000,
      logLevel: 'trace',
      sqliteSynchronous: 'FULL',
      sqliteWriter: 'inline',
      engine: {
        presenceGraceMs: 0,
        typingThrottleMs: 500,
        outboundBufferBytes: 4096,
        tokenTtlSeconds: 0,
        guestTokenTtlSeconds: 60,
        backfillDelayMs: 50,
      },
    });
  });

  it('every setting has a flag that works', () => {
    const config = loadConfig(
      [
        '--admin-key',
        'flag-admin-key-0123456789',
        '--allowed-origins',
        'https://b.example',
        '--max-frame-bytes',
        '2048',
        '--heartbeat-ms',
        '3000',
        '--auth-timeout-ms',
        '4000',
        '--sqlite-synchronous',
        'FULL',
        '--sqlite-writer',
        'inline',
        '--presence-grace-ms',
        '10',
        '--outbound-buffer-bytes',
        '8192',
        '--token-ttl-seconds',
        '100',
      ],
      {},
    );
    expect(config).toMatchObject({
      adminKey: 'flag-admin-key-0123456789',
      allowedOrigins: ['https://b.example'],
      maxFrameBytes: 2048,
      heartbeatMs: 3000,
      authTimeoutMs: 4000,
      sqliteSynchronous: 'FULL',
      sqliteWriter: 'inline',
      engine: { presenceGraceMs: 10, outboundBufferBytes: 8192, tokenTtlSeconds: 100 },
    });
  });

  it('* allows any origin (null), also in a list and in a file', () => {
    expect(loadConfig([], { PARLEY_ALLOWED_ORIGINS: '*' }).allowedOrigins).toBeNull();
    expect(loadConfig([], { PARLEY_ALLOWED_ORIGINS: 'https://a.example,*' }).allowedOrigins).toBeNull();
    expect(loadConfig(['--config', configFile({ allowedOrigins: ['*'] })], {}).allowedOrigins).toBeNull();
    expect(
      loadConfig(['--config', configFile({ allowedOrigins: ['https://c.example'] })], {}).allowedOrigins,
    ).toEqual(['https://c.example']);
  });
});

describe('loadConfig errors: one line naming the setting and its source', () => {
  it('the documented example', () => {
    const err = errorOf(() => loadConfig([], { PARLEY_PORT: 'abc' }));
    expect(err.message).toBe('invalid setting PARLEY_PORT: expected an integer 0-65535, got "abc"');
  });

  const invalidEnv: [string, string][] = [
    ['PORT', '-1'],
    ['PARLEY_PORT', '65536'],
    ['PARLEY_PORT', '80.5'],
    ['PARLEY_PORT', '12abc'],
    ['PARLEY_HOST', 'has space'],
    ['PARLEY_ADMIN_KEY', 'short'],
    ['PARLEY_TRUSTED_PROXIES', 'proxy host'],
    ['PARLEY_CONNECTIONS_PER_ADDRESS', '0'],
    ['PARLEY_NEW_CONNECTIONS_PER_ADDRESS_PER_SECOND', 'many'],
    ['PARLEY_NEW_CONNECTIONS_PER_SECOND', '-5'],
    ['PARLEY_AUTH_REQUESTS_PER_ADDRESS_PER_MINUTE', '0'],
    ['PARLEY_ALLOWED_ORIGINS', 'example.com'],
    ['PARLEY_ALLOWED_ORIGINS', 'https://a.example/path'],
    ['PARLEY_ALLOWED_ORIGINS', ','],
    ['PARLEY_MAX_FRAME_BYTES', '0'],
    ['PARLEY_MAX_FRAME_BYTES', 'big'],
    ['PARLEY_HEARTBEAT_MS', '0'],
    ['PARLEY_HEARTBEAT_MS', '1e3'],
    ['PARLEY_AUTH_TIMEOUT_MS', 'soon'],
    ['PARLEY_HEADERS_TIMEOUT_MS', '50'],
    ['PARLEY_REQUEST_TIMEOUT_MS', 'later'],
    ['PARLEY_KEEP_ALIVE_TIMEOUT_MS', '-1'],
    ['PARLEY_SHUTDOWN_TIMEOUT_MS', '0'],
    ['PARLEY_LOG_LEVEL', 'loud'],
    ['PARLEY_SQLITE_SYNCHRONOUS', 'OFF'],
    ['PARLEY_SQLITE_WRITER', 'thread'],
    ['PARLEY_PRESENCE_GRACE_MS', '-5'],
    ['PARLEY_PRESENCE_BATCH_MS', '60001'],
    ['PARLEY_TYPING_THROTTLE_MS', 'x'],
    ['PARLEY_OUTBOUND_BUFFER_BYTES', '10'],
    ['PARLEY_OUTBOUND_HARD_CAP_BYTES', 'lots'],
    ['PARLEY_SLOW_CONSUMER_GRACE_MS', '60001'],
    ['PARLEY_TOKEN_TTL_SECONDS', '-1'],
    ['PARLEY_GUEST_TOKEN_TTL_SECONDS', '0'],
    ['PARLEY_BACKFILL_DELAY_MS', 'later'],
    ['PARLEY_CLUSTER_HEARTBEAT_MS', '1'],
    ['PARLEY_STORAGE_PROBE_MS', '5'],
    ['PARLEY_CONNECTIONS_PER_USER', 'all'],
    ['PARLEY_WEBHOOK_MAX_ATTEMPTS', '0'],
    ['PARLEY_WEBHOOK_RETRY_BASE_MS', 'soon'],
    ['PARLEY_WEBHOOK_TIMEOUT_MS', '10'],
    ['PARLEY_WEBHOOK_LEASE_MS', '-1'],
    ['PARLEY_WEBHOOK_CONCURRENCY', '0'],
    ['PARLEY_WEBHOOK_POLL_MS', '1.5'],
    ['PARLEY_WEBHOOK_KEEP_DELIVERED_DAYS', '0'],
    ['PARLEY_DATABASE_URL', 'mysql://db/x'],
    ['PARLEY_REDIS_URL', 'localhost:6379'],
    ['PARLEY_S3_BUCKET', 'Not A Bucket'],
    ['PARLEY_S3_ENDPOINT', 'minio:9000'],
    ['PARLEY_S3_REGION', 'EU West'],
    ['PARLEY_S3_ACCESS_KEY_ID', 'k'.repeat(300)],
    ['PARLEY_S3_SECRET_ACCESS_KEY', 'x'.repeat(600)],
    ['PARLEY_S3_FORCE_PATH_STYLE', 'yes'],
    ['PARLEY_DATABASE_SCHEMA', 'Bad-Schema'],
  ];
  it.each(invalidEnv)('%s=%s', (name, value) => {
    const err = errorOf(() => loadConfig([], { [name]: value }));
    expectOneLine(err, `invalid setting ${name}: expected `);
  });

  it('covers every environment variable in SETTINGS', () => {
    const tested = new Set(invalidEnv.map(([name]) => name));
    for (const spec of SETTINGS) {
      if (spec.key === 'dataDir') continue; // any non-empty path is valid
      for (const name of spec.env) expect(tested, name).toContain(name);
    }
  });

  const invalidFlags: [string, string][] = [
    ['--port', 'abc'],
    ['--host', 'a b'],
    ['--log-level', 'verbose'],
    ['--heartbeat-ms=-1', ''],
    ['--allowed-origins', 'ftp://x.example'],
    ['--data', ''],
  ];
  it.each(invalidFlags)('%s %s', (flag, value) => {
    const argv = flag.includes('=') ? [flag] : [flag, value];
    const err = errorOf(() => loadConfig(argv, {}));
    expectOneLine(err, `invalid setting ${flag.split('=')[0]}: expected `);
  });

  it('quotes the bad value', () => {
    expect(errorOf(() => loadConfig(['--log-level', 'verbose'], {})).message).toContain('got "verbose"');
  });

  it('never echoes an admin key', () => {
    const err = errorOf(() => loadConfig([], { PARLEY_ADMIN_KEY: 'secret key with spaces' }));
    expectOneLine(err, 'PARLEY_ADMIN_KEY');
    expect(err.message).not.toContain('secret');
  });

  it('unknown flags, positional arguments and missing values', () => {
    expectOneLine(
      errorOf(() => loadConfig(['--nope'], {})),
      'unknown flag --nope',
    );
    expectOneLine(
      errorOf(() => loadConfig(['extra'], {})),
      'unexpected argument "extra"',
    );
    expectOneLine(
      errorOf(() => loadConfig(['--port'], {})),
      'invalid setting --port: expected a value',
    );
    expectOneLine(
      errorOf(() => loadConfig(['--port', '-1'], {})),
      'invalid setting --port: expected a value',
    );
  });

  it('names the setting and the file for invalid file values', () => {
    const path = configFile({ port: 'abc' });
    const err = errorOf(() => loadConfig(['--config', path], {}));
    expectOneLine(err, 'invalid setting port in config file', path, 'expected an integer 0-65535, got "abc"');

    const nested = configFile({ engine: { presenceGraceMs: -1 } });
    expectOneLine(
      errorOf(() => loadConfig(['--config', nested], {})),
      'invalid setting engine.presenceGraceMs in config file',
    );
    expectOneLine(
      errorOf(() => loadConfig(['--config', configFile({ logLevel: 3 })], {})),
      'invalid setting logLevel in config file',
    );
    expectOneLine(
      errorOf(() => loadConfig(['--config', configFile({ host: null })], {})),
      'invalid setting host',
    );
  });

  it('rejects unknown keys in the file', () => {
    expectOneLine(
      errorOf(() => loadConfig(['--config', configFile({ prot: 3000 })], {})),
      'invalid setting prot in config file',
      'unknown setting',
    );
    expectOneLine(
      errorOf(() => loadConfig(['--config', configFile({ engine: { nope: 1 } })], {})),
      'invalid setting engine.nope',
    );
    expectOneLine(
      errorOf(() => loadConfig(['--config', configFile({ engine: 5 })], {})),
      'invalid setting engine in config file',
    );
  });

  it('a missing, unparsable or non-object file', () => {
    expectOneLine(
      errorOf(() => loadConfig(['--config', join(dir, 'missing.json')], {})),
      'invalid setting --config',
    );
    expectOneLine(
      errorOf(() => loadConfig([], { PARLEY_CONFIG: join(dir, 'missing.json') })),
      'PARLEY_CONFIG',
    );
    expectOneLine(
      errorOf(() => loadConfig(['--config', configFile('{ "port": ')], {})),
      'not valid JSON',
    );
    expectOneLine(
      errorOf(() => loadConfig(['--config', configFile('[1, 2]')], {})),
      'JSON object',
    );
  });

  it('the first invalid value is reported even when a stronger source would override it', () => {
    // A broken lower-precedence setting is still a broken deployment: fail rather than hide it.
    expectOneLine(
      errorOf(() => loadConfig(['--port', '1'], { PARLEY_PORT: 'abc' })),
      'PARLEY_PORT',
    );
  });
});

describe('documentation of the settings', () => {
  it('the README configuration table lists every flag, environment variable and file key', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const spec of SETTINGS) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`--${spec.flag}\``));
      expect(row, `README row for --${spec.flag}`).toBeDefined();
      for (const name of spec.env) expect(row).toContain(`\`${name}\``);
      expect(row).toContain(
        spec.key.startsWith('engine.') ? `\`engine.${spec.fileKey}\`` : `\`${spec.fileKey}\``,
      );
    }
  });
});
