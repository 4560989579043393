import { pino, type DestinationStream, type Logger } from 'pino';
import type { ServerConfig } from './config/types.js';
import { stdoutLogDestination } from './logDestination.js';

export type { Logger };
export type LogLevel = ServerConfig['logLevel'];

/**
 * Keys whose values never reach a log line: credentials of every kind and message bodies. They are redacted
 * at the top level and up to three levels deep (`*.token`, `*.*.token`, `*.*.*.token`).
 */
export const SENSITIVE_KEYS = [
  'token',
  'tokens',
  'accessToken',
  'access_token',
  'refreshToken',
  'resumeToken',
  'hashed_token',
  'hashedToken',
  'tokenHash',
  'password',
  'passwordHash',
  'newPassword',
  'jwt',
  'secret',
  'publicKey',
  'privateKey',
  'adminKey',
  'admin_key',
  'apiKey',
  'authorization',
  'cookie',
  'credentials',
  'text',
  'raw_content',
  'content',
  'html',
] as const;

const HEADER_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-admin-key"]',
  'req.headers["x-parley-admin-key"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-admin-key"]',
  'headers["x-parley-admin-key"]',
  'res.headers["set-cookie"]',
];

export const REDACT_PATHS: string[] = [
  ...SENSITIVE_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]),
  ...HEADER_PATHS,
];

export const REDACTED = '[redacted]';

const SENSITIVE_QUERY = /token|jwt|password|secret|key|auth|hash|signature|sig$/i;

/** A URL with the values of credential-like query parameters (`?token=…`) replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) return pair;
      let name = pair.slice(0, eq);
      try {
        name = decodeURIComponent(name);
      } catch {
        // keep the raw name
      }
      return SENSITIVE_QUERY.test(name) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

interface RequestLike {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  headers?: Record<string, unknown>;
  socket?: { remoteAddress?: string; remotePort?: number } | null;
}

/** Fastify's request serializer, with the query string scrubbed of credentials and no headers. */
function serializeRequest(req: RequestLike) {
  return {
    method: req.method,
    url: typeof req.url === 'string' ? redactUrl(req.url) : req.url,
    host: req.host ?? (typeof req.headers?.host === 'string' ? req.headers.host : undefined),
    remoteAddress: req.ip ?? req.socket?.remoteAddress,
    remotePort: req.socket?.remotePort,
  };
}

/**
 * The server's logger: JSON lines on stdout (or `destination`), with credentials and message bodies redacted.
 * Fastify takes it as its logger instance, so request logs go through the same redaction. Standard output is
 * written without ever blocking (see logDestination.ts): a stalled log reader loses lines, never the process.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: { req: serializeRequest, err: pino.stdSerializers.err, error: pino.stdSerializers.err },
  };
  return pino(options, destination ?? stdoutLogDestination());
}
