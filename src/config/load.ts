import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from '../engine/config.js';
import type { ServerConfig } from './types.js';

/**
 * Where settings come from, strongest first: command-line flags, environment variables, a JSON config file
 * (`--config` or `PARLEY_CONFIG`), the defaults. Every value is validated; the first invalid one throws a
 * ConfigError whose message is one line naming the setting as it was given (`--port`, `PARLEY_PORT`,
 * `port in config file …`).
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type EngineKey = keyof EngineConfig;
type ServerKey = Exclude<keyof ServerConfig, 'engine'>;
/** A setting's place in ServerConfig: a top-level key, or `engine.<key>`. */
export type SettingKey = ServerKey | `engine.${EngineKey}`;

export interface SettingSpec {
  key: SettingKey;
  /** The flag without its dashes. */
  flag: string;
  /** Environment variables, strongest first. */
  env: readonly string[];
  /** The key in the JSON config file (engine settings nest under `engine`). */
  fileKey: string;
  /** For help texts: what the value is and what it does. */
  description: string;
  /** For help texts: the default as a user would write it. */
  defaultText: string;
  /** What a valid value looks like, for the error message ("expected …"). */
  expected: string;
  /** A secret is never echoed back in an error message. */
  secret?: boolean;
  /** Validates a value already converted from text (see `fromText`) or read from the config file. */
  schema: z.ZodType;
  /** Turns flag and environment text into the value the schema checks. */
  fromText: (text: string) => unknown;
  /** For file values: a relative path is resolved against the config file's directory. */
  path?: boolean;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const SYNCHRONOUS = ['NORMAL', 'FULL'] as const;

/** Integers from text: only plain digits, so "12abc", "1e3" and "" are rejected rather than half-read. */
function integerText(text: string): unknown {
  const trimmed = text.trim();
  return /^-?[0-9]{1,15}$/.test(trimmed) ? Number(trimmed) : text;
}

function intSetting(
  min: number,
  max: number,
): { schema: z.ZodType; expected: string; fromText: (t: string) => unknown } {
  return {
    schema: z.number().int().min(min).max(max),
    expected: max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer ${min}-${max}`,
    fromText: integerText,
  };
}

const ORIGIN_EXPECTED = 'origins like https://example.com (comma-separated) or *';

/** `scheme://host[:port]` exactly as browsers send it in the Origin header (no path, no trailing slash). */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

/** null (any origin) when the list contains `*`; otherwise the validated origins. */
const originsSchema = z
  .array(z.string().trim().min(1))
  .min(1)
  .transform((list) => (list.includes('*') ? null : list))
  .refine((list) => list === null || list.every(isOrigin));

const MAX = Number.MAX_SAFE_INTEGER;

/** Every setting Parley reads: the CLI help and the README's table are written from this list. */
export const SETTINGS: readonly SettingSpec[] = [
  {
    key: 'port',
    flag: 'port',
    env: ['PARLEY_PORT', 'PORT'],
    fileKey: 'port',
    description: 'TCP port to listen on (0 picks a free one)',
    defaultText: '3000',
    ...intSetting(0, 65535),
  },
  {
    key: 'host',
    flag: 'host',
    env: ['PARLEY_HOST'],
    fileKey: 'host',
    description: 'Interface to listen on',
    defaultText: '0.0.0.0',
    schema: z.string().regex(/^[^\s/]+$/),
    expected: 'a host name or IP address',
    fromText: (t) => t.trim(),
  },
  {
    key: 'dataDir',
    flag: 'data',
    env: ['PARLEY_DATA_DIR'],
    fileKey: 'dataDir',
    description: 'Directory for the database (parley.db) and the generated admin key (admin.key)',
    defaultText: './data',
    schema: z.string().min(1),
    expected: 'a directory path',
    fromText: (t) => t,
    path: true,
  },
  {
    key: 'adminKey',
    flag: 'admin-key',
    env: ['PARLEY_ADMIN_KEY'],
    fileKey: 'adminKey',
    description:
      'Admin API key; when unset one is generated on first start, saved in the data directory and printed once',
    defaultText: 'generated',
    schema: z.string().regex(/^[\x21-\x7e]{16,512}$/),
    expected: 'at least 16 printable characters without spaces',
    secret: true,
    fromText: (t) => t.trim(),
  },
  {
    key: 'allowedOrigins',
    flag: 'allowed-origins',
    env: ['PARLEY_ALLOWED_ORIGINS'],
    fileKey: 'allowedOrigins',
    description: 'Browser origins allowed to connect, comma-separated; * allows any',
    defaultText: '*',
    schema: originsSchema,
    expected: ORIGIN_EXPECTED,
    fromText: (t) => t.split(',').map((s) => s.trim()),
  },
  {
    key: 'maxFrameBytes',
    flag: 'max-frame-bytes',
    env: ['PARLEY_MAX_FRAME_BYTES'],
    fileKey: 'maxFrameBytes',
    description: 'Largest inbound WebSocket or socket.io frame, in bytes',
    defaultText: '65536',
    ...intSetting(256, 64 * 1024 * 1024),
  },
  {
    key: 'heartbeatMs',
    flag: 'heartbeat-ms',
    env: ['PARLEY_HEARTBEAT_MS'],
    fileKey: 'heartbeatMs',
    description: 'Ping interval; a dead connection is dropped within 2 x this',
    defaultText: '25000',
    ...intSetting(10, 3_600_000),
  },
  {
    key: 'authTimeoutMs',
    flag: 'auth-timeout-ms',
    env: ['PARLEY_AUTH_TIMEOUT_MS'],
    fileKey: 'authTimeoutMs',
    description: 'A connection that has not authenticated in this time is closed (auth_timeout)',
    defaultText: '10000',
    ...intSetting(10, 3_600_000),
  },
  {
    key: 'logLevel',
    flag: 'log-level',
    env: ['PARLEY_LOG_LEVEL'],
    fileKey: 'logLevel',
    description: `Log level: ${LOG_LEVELS.join(', ')}`,
    defaultText: 'info',
    schema: z.enum(LOG_LEVELS),
    expected: `one of ${LOG_LEVELS.join(', ')}`,
    fromText: (t) => t.trim().toLowerCase(),
  },
  {
    key: 'sqliteSynchronous',
    flag: 'sqlite-synchronous',
    env: ['PARLEY_SQLITE_SYNCHRONOUS'],
    fileKey: 'sqliteSynchronous',
    description: 'SQLite durability: NORMAL survives a process crash, FULL also a power loss',
    defaultText: 'NORMAL',
    schema: z.enum(SYNCHRONOUS),
    expected: `one of ${SYNCHRONOUS.join(', ')}`,
    fromText: (t) => t.trim().toUpperCase(),
  },
  {
    key: 'databaseUrl',
    flag: 'database-url',
    env: ['PARLEY_DATABASE_URL'],
    fileKey: 'databaseUrl',
    description:
      'PostgreSQL connection URL (postgres://...); selects PostgreSQL instead of SQLite (cluster mode)',
    defaultText: 'SQLite in the data directory',
    schema: z.string().regex(/^postgres(ql)?:\/\/\S+$/),
    expected: 'a postgres:// or postgresql:// URL',
    secret: true,
    fromText: (t) => t.trim(),
  },
  {
    key: 'databaseSchema',
    flag: 'database-schema',
    env: ['PARLEY_DATABASE_SCHEMA'],
    fileKey: 'databaseSchema',
    description: "PostgreSQL schema for Parley's tables (created if missing)",
    defaultText: 'public',
    schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/),
    expected: 'a lower-case schema name (letters, digits, _)',
    fromText: (t) => t.trim(),
  },
  {
    key: 'redisUrl',
    flag: 'redis-url',
    env: ['PARLEY_REDIS_URL'],
    fileKey: 'redisUrl',
    description: 'Redis URL (redis://...); selects the Redis bus between nodes instead of the in-process one',
    defaultText: 'in-process (one node)',
    schema: z.string().regex(/^rediss?:\/\/\S+$/),
    expected: 'a redis:// or rediss:// URL',
    secret: true,
    fromText: (t) => t.trim(),
  },
  {
    key: 'engine.presenceGraceMs',
    flag: 'presence-grace-ms',
    env: ['PARLEY_PRESENCE_GRACE_MS'],
    fileKey: 'presenceGraceMs',
    description: 'How long a user stays present after their last connection leaves',
    defaultText: String(DEFAULT_ENGINE_CONFIG.presenceGraceMs),
    ...intSetting(0, 3_600_000),
  },
  {
    key: 'engine.typingThrottleMs',
    flag: 'typing-throttle-ms',
    env: ['PARLEY_TYPING_THROTTLE_MS'],
    fileKey: 'typingThrottleMs',
    description: 'At most one typing=true per user and room in this interval',
    defaultText: String(DEFAULT_ENGINE_CONFIG.typingThrottleMs),
    ...intSetting(0, 3_600_000),
  },
  {
    key: 'engine.outboundBufferBytes',
    flag: 'outbound-buffer-bytes',
    env: ['PARLEY_OUTBOUND_BUFFER_BYTES'],
    fileKey: 'outboundBufferBytes',
    description: 'A connection with more unsent data than this is dropped as a slow consumer',
    defaultText: String(DEFAULT_ENGINE_CONFIG.outboundBufferBytes),
    ...intSetting(1024, 1024 * 1024 * 1024),
  },
  {
    key: 'engine.tokenTtlSeconds',
    flag: 'token-ttl-seconds',
    env: ['PARLEY_TOKEN_TTL_SECONDS'],
    fileKey: 'tokenTtlSeconds',
    description: 'Lifetime of tokens from register, login and the admin API; 0 for no expiry',
    defaultText: String(DEFAULT_ENGINE_CONFIG.tokenTtlSeconds),
    ...intSetting(0, MAX),
  },
  {
    key: 'engine.guestTokenTtlSeconds',
    flag: 'guest-token-ttl-seconds',
    env: ['PARLEY_GUEST_TOKEN_TTL_SECONDS'],
    fileKey: 'guestTokenTtlSeconds',
    description: "Lifetime of a guest's resume token",
    defaultText: String(DEFAULT_ENGINE_CONFIG.guestTokenTtlSeconds),
    ...intSetting(1, MAX),
  },
  {
    key: 'engine.backfillDelayMs',
    flag: 'backfill-delay-ms',
    env: ['PARLEY_BACKFILL_DELAY_MS'],
    fileKey: 'backfillDelayMs',
    description: 'How long a room waits for a missing seq before reading it from storage',
    defaultText: String(DEFAULT_ENGINE_CONFIG.backfillDelayMs),
    ...intSetting(0, 60_000),
  },
  {
    key: 'engine.clusterHeartbeatMs',
    flag: 'cluster-heartbeat-ms',
    env: ['PARLEY_CLUSTER_HEARTBEAT_MS'],
    fileKey: 'clusterHeartbeatMs',
    description: 'Nodes announce themselves this often; a node silent for 3 x this is taken as gone',
    defaultText: String(DEFAULT_ENGINE_CONFIG.clusterHeartbeatMs),
    ...intSetting(10, 600_000),
  },
];

/** The flag and environment variable that name the config file. */
export const CONFIG_FILE_FLAG = 'config';
export const CONFIG_FILE_ENV = 'PARLEY_CONFIG';

export function defaultConfig(): ServerConfig {
  return {
    port: 3000,
    host: '0.0.0.0',
    dataDir: resolve('data'),
    adminKey: null,
    allowedOrigins: null,
    maxFrameBytes: 65536,
    heartbeatMs: 25_000,
    authTimeoutMs: 10_000,
    logLevel: 'info',
    sqliteSynchronous: 'NORMAL',
    databaseUrl: null,
    databaseSchema: null,
    redisUrl: null,
    engine: { ...DEFAULT_ENGINE_CONFIG },
  };
}

function describeValue(value: unknown, secret: boolean | undefined): string {
  if (secret)
    return typeof value === 'string' ? `a value of ${value.length} characters` : `a ${typeof value}`;
  let text: string;
  if (Array.isArray(value)) text = JSON.stringify(value.join(','));
  else if (value === undefined) text = 'nothing';
  else text = JSON.stringify(value) ?? String(value);
  text = text.replace(/[\r\n]+/g, ' ');
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

function assign(config: ServerConfig, key: SettingKey, value: unknown): void {
  if (key.startsWith('engine.')) {
    (config.engine as unknown as Record<string, unknown>)[key.slice('engine.'.length)] = value;
  } else {
    (config as unknown as Record<string, unknown>)[key] = value;
  }
}

function validate(spec: SettingSpec, value: unknown, settingName: string): unknown {
  const result = spec.schema.safeParse(value);
  if (!result.success) {
    throw new ConfigError(
      `invalid setting ${settingName}: expected ${spec.expected}, got ${describeValue(value, spec.secret)}`,
    );
  }
  return result.data;
}

const fileSchema = z.record(z.string(), z.unknown());

function readConfigFile(path: string, settingName: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(
      `invalid setting ${settingName}: cannot read config file ${JSON.stringify(path)} (${code})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(
      `invalid setting ${settingName}: config file ${JSON.stringify(path)} is not valid JSON (${oneLine((err as Error).message)})`,
    );
  }
  const result = fileSchema.safeParse(parsed);
  if (!result.success || Array.isArray(parsed)) {
    throw new ConfigError(
      `invalid setting ${settingName}: config file ${JSON.stringify(path)} must hold a JSON object`,
    );
  }
  return result.data;
}

function applyFile(config: ServerConfig, path: string, settingName: string): void {
  const file = readConfigFile(path, settingName);
  const where = `in config file ${JSON.stringify(path)}`;
  const top = new Map(SETTINGS.filter((s) => !s.key.startsWith('engine.')).map((s) => [s.fileKey, s]));
  const engine = new Map(SETTINGS.filter((s) => s.key.startsWith('engine.')).map((s) => [s.fileKey, s]));

  const apply = (spec: SettingSpec, raw: unknown, name: string) => {
    if (raw === null && spec.key !== 'adminKey' && spec.key !== 'allowedOrigins') {
      throw new ConfigError(`invalid setting ${name} ${where}: expected ${spec.expected}, got null`);
    }
    if (raw === null) {
      assign(config, spec.key, null);
      return;
    }
    // Strings get the same reading as flags and environment variables ("a,b" origins, "info" levels).
    const value = typeof raw === 'string' ? spec.fromText(raw) : raw;
    const valid = validate(spec, value, `${name} ${where}`);
    assign(config, spec.key, spec.path && typeof valid === 'string' ? resolve(dirname(path), valid) : valid);
  };

  for (const [key, raw] of Object.entries(file)) {
    if (key === 'engine') {
      const nested = z.record(z.string(), z.unknown()).safeParse(raw);
      if (!nested.success || Array.isArray(raw)) {
        throw new ConfigError(
          `invalid setting engine ${where}: expected an object, got ${describeValue(raw, false)}`,
        );
      }
      for (const [engineKey, engineRaw] of Object.entries(nested.data)) {
        const spec = engine.get(engineKey);
        if (!spec) throw new ConfigError(`invalid setting engine.${engineKey} ${where}: unknown setting`);
        apply(spec, engineRaw, `engine.${engineKey}`);
      }
      continue;
    }
    const spec = top.get(key);
    if (!spec) throw new ConfigError(`invalid setting ${key} ${where}: unknown setting`);
    apply(spec, raw, key);
  }
}

function flagOptions(): Record<string, { type: 'string' }> {
  const options: Record<string, { type: 'string' }> = { [CONFIG_FILE_FLAG]: { type: 'string' } };
  for (const spec of SETTINGS) options[spec.flag] = { type: 'string' };
  return options;
}

function parseFlags(argv: string[]): Record<string, string | undefined> {
  try {
    const { values } = parseArgs({
      args: argv,
      options: flagOptions(),
      strict: true,
      allowPositionals: false,
    });
    return values as Record<string, string | undefined>;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = oneLine((err as Error).message);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const flag = /'([^']+)'/.exec(message)?.[1] ?? message;
      throw new ConfigError(`unknown flag ${flag} (see parley --help)`);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      const arg = /'([^']+)'/.exec(message)?.[1] ?? message;
      throw new ConfigError(`unexpected argument ${JSON.stringify(arg)} (see parley --help)`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const flag = /--[a-z-]+/.exec(message)?.[0] ?? 'flag';
      throw new ConfigError(
        `invalid setting ${flag}: expected a value (write ${flag}=VALUE for one that starts with -)`,
      );
    }
    throw new ConfigError(message);
  }
}

/** An empty environment variable counts as unset, as most tools treat it. */
function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The server's configuration from command-line flags (the arguments after `serve`), the environment, an
 * optional JSON config file and the defaults, in that order of precedence. Throws ConfigError.
 */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): ServerConfig {
  const flags = parseFlags(argv);
  const config = defaultConfig();

  const fileFlag = flags[CONFIG_FILE_FLAG];
  const fileEnv = envValue(env, CONFIG_FILE_ENV);
  if (fileFlag !== undefined) {
    if (fileFlag === '')
      throw new ConfigError(`invalid setting --${CONFIG_FILE_FLAG}: expected a file path, got ""`);
    applyFile(config, resolve(fileFlag), `--${CONFIG_FILE_FLAG}`);
  } else if (fileEnv !== undefined) {
    applyFile(config, resolve(fileEnv), CONFIG_FILE_ENV);
  }

  for (const spec of SETTINGS) {
    const envName = spec.env.find((name) => envValue(env, name) !== undefined);
    if (envName !== undefined) {
      const text = envValue(env, envName) ?? '';
      const value = validate(spec, spec.fromText(text), envName);
      assign(config, spec.key, spec.path && typeof value === 'string' ? resolve(value) : value);
    }
    const flagText = flags[spec.flag];
    if (flagText !== undefined) {
      const value = validate(spec, spec.fromText(flagText), `--${spec.flag}`);
      assign(config, spec.key, spec.path && typeof value === 'string' ? resolve(value) : value);
    }
  }
  return config;
}
