import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_ENGINE_CONFIG } from '../engine/config.js';
import { ENGINE_SETTINGS } from './engineSettings.js';
import { SERVER_SETTINGS } from './serverSettings.js';
import type { SettingKey, SettingSpec } from './settingSpec.js';
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

export type { SettingKey, SettingSpec } from './settingSpec.js';

/** Every setting Parley reads: the CLI help and the README's table are written from this list. */
export const SETTINGS: readonly SettingSpec[] = [...SERVER_SETTINGS, ...ENGINE_SETTINGS];

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
    trustedProxies: [],
    connectionsPerAddress: 200,
    newConnectionsPerAddressPerSecond: 10,
    newConnectionsPerSecond: 2000,
    authRequestsPerAddressPerMinute: 60,
    maxFrameBytes: 65536,
    heartbeatMs: 25_000,
    authTimeoutMs: 10_000,
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 30_000,
    keepAliveTimeoutMs: 5_000,
    shutdownTimeoutMs: 30_000,
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
