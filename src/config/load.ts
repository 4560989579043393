import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_ENGINE_CONFIG } from '../engine/config.js';
import { ENGINE_SETTINGS } from './engineSettings.js';
import { SERVER_SETTINGS } from './serverSettings.js';
import type { SettingKey, SettingSpec } from './settingSpec.js';
import type { ServerConfig } from './types.js';
import type { EngineConfig } from '../engine/config.js';

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

/**
 * Settings spelt as in the config file (engine settings nested under `engine`), from a file or from the
 * options of library mode: validated by the same specs. `where` names the source in error messages; a relative
 * path is resolved against `baseDir`.
 */
function applySettings(
  config: ServerConfig,
  settings: Record<string, unknown>,
  where: string,
  baseDir: string,
): void {
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
    assign(config, spec.key, spec.path && typeof valid === 'string' ? resolve(baseDir, valid) : valid);
  };

  for (const [key, raw] of Object.entries(settings)) {
    if (raw === undefined) continue; // an optional property left out, as JSON would have it
    if (key === 'engine') {
      const nested = z.record(z.string(), z.unknown()).safeParse(raw);
      if (!nested.success || Array.isArray(raw)) {
        throw new ConfigError(
          `invalid setting engine ${where}: expected an object, got ${describeValue(raw, false)}`,
        );
      }
      for (const [engineKey, engineRaw] of Object.entries(nested.data)) {
        if (engineRaw === undefined) continue;
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

function applyFile(config: ServerConfig, path: string, settingName: string): void {
  const file = readConfigFile(path, settingName);
  applySettings(config, file, `in config file ${JSON.stringify(path)}`, dirname(path));
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
  return buildConfig(parseFlags(argv), env);
}

/**
 * Settings as the config file spells them: every key optional, engine settings under `engine`. Library mode
 * takes this object; values are checked as the file's are (strings read as flags are: "a,b" origins).
 */
export type ConfigSettings = {
  [K in Exclude<keyof ServerConfig, 'engine' | 'allowedOrigins'>]?: ServerConfig[K];
} & {
  /** Origins as a list or one comma-separated string; `*` or null allows any. */
  allowedOrigins?: string[] | string | null;
  engine?: Partial<EngineConfig>;
};

export interface SettingsSources {
  /** Also read `PARLEY_*` variables (and `PARLEY_CONFIG`) from this environment, below the settings. */
  env?: NodeJS.ProcessEnv;
  /** A JSON config file, below the environment, as `--config` names it for the command. */
  configFile?: string;
}

/**
 * The configuration of library mode: the given settings take the place of the command line's flags, above the
 * environment (only when one is passed) and the config file, with the same names, checks and errors.
 */
export function configFromSettings(settings: ConfigSettings, sources: SettingsSources = {}): ServerConfig {
  const file =
    sources.configFile === undefined ? undefined : { path: sources.configFile, name: 'configFile' };
  const config = buildConfig({}, sources.env ?? {}, file);
  applySettings(config, settings as Record<string, unknown>, 'in the options', process.cwd());
  return config;
}

/** `file`, when given, is the config file in place of `--config` (library mode's `configFile`). */
function buildConfig(
  flags: Record<string, string | undefined>,
  env: NodeJS.ProcessEnv,
  file?: { path: string; name: string },
): ServerConfig {
  const config = defaultConfig();
  const fileFlag = file?.path ?? flags[CONFIG_FILE_FLAG];
  const fileName = file?.name ?? `--${CONFIG_FILE_FLAG}`;
  const fileEnv = envValue(env, CONFIG_FILE_ENV);
  if (fileFlag !== undefined) {
    if (fileFlag === '') throw new ConfigError(`invalid setting ${fileName}: expected a file path, got ""`);
    applyFile(config, resolve(fileFlag), fileName);
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
