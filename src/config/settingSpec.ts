import { z } from 'zod';
import type { EngineConfig } from '../engine/config.js';
import type { ServerConfig } from './types.js';

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

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const SYNCHRONOUS = ['NORMAL', 'FULL'] as const;
export const SQLITE_WRITERS = ['worker', 'inline'] as const;

/** Integers from text: only plain digits, so "12abc", "1e3" and "" are rejected rather than half-read. */
export function integerText(text: string): unknown {
  const trimmed = text.trim();
  return /^-?[0-9]{1,15}$/.test(trimmed) ? Number(trimmed) : text;
}

export function intSetting(
  min: number,
  max: number,
): { schema: z.ZodType; expected: string; fromText: (t: string) => unknown } {
  return {
    schema: z.number().int().min(min).max(max),
    expected: max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer ${min}-${max}`,
    fromText: integerText,
  };
}

export const ORIGIN_EXPECTED = 'origins like https://example.com (comma-separated) or *';

/** `scheme://host[:port]` exactly as browsers send it in the Origin header (no path, no trailing slash). */
export function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

/** null (any origin) when the list contains `*`; otherwise the validated origins. */
export const originsSchema = z
  .array(z.string().trim().min(1))
  .min(1)
  .transform((list) => (list.includes('*') ? null : list))
  .refine((list) => list === null || list.every(isOrigin));

export const MAX = Number.MAX_SAFE_INTEGER;
