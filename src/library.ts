/**
 * Library mode: Parley inside an existing Node app, on the app's own HTTP server under a path prefix (see
 * docs/library-mode.md). The same settings as the command (src/config), the same server assembly
 * (src/server.ts) without listening; src/library/mount.ts hands it the host's requests and upgrades.
 *
 *   const parley = await attachParley(server, { prefix: '/chat', dataDir: './data/chat' });
 *   …
 *   await parley.close(); // drains Parley; the site's server keeps running
 */
import { ConfigError, configFromSettings, type ConfigSettings } from './config/load.js';
import { createMount, type HostServer, type ParleyHandler } from './library/mount.js';
import { PREFIX_EXPECTED, prefixSchema } from './library/prefix.js';
import type { Logger } from './log.js';
import { startServer } from './server.js';

export { ConfigError } from './config/load.js';
export type { ConfigSettings } from './config/load.js';
export type { HostServer, ParleyHandler } from './library/mount.js';

/** Settings of the command that library mode ignores: the site's server listens, with its own timeouts. */
export type HostDecides =
  'port' | 'host' | 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs' | 'shutdownTimeoutMs';

/** The settings of the command, as its JSON config file spells them, but those the site's server decides. */
export type ParleySettings = Omit<ConfigSettings, HostDecides>;

export interface ParleyOptions extends ParleySettings {
  /** Where Parley lives on the site: `/chat` serves `/chat/widget.js`, `/chat/api/v1/…`, `/chat/ws`… */
  prefix: string;
  /** A JSON config file, as `parley serve --config` reads it; the options above override it. */
  configFile?: string;
  /** Read `PARLEY_*` variables from this environment (e.g. `process.env`), between the options and the file. */
  env?: NodeJS.ProcessEnv;
  /** A pino logger; default one at `logLevel` writing JSON lines to standard output. */
  logger?: Logger;
}

export interface AttachOptions {
  /**
   * Answer the server's HTTP requests under the prefix before the site's own request listeners do (default
   * true). False when `parley.handler` is mounted in the site's app (express, connect) instead.
   */
  requests?: boolean;
}

export interface Parley {
  /** The prefix, normalised (`/chat`). */
  readonly prefix: string;
  /** The admin API's key: the `adminKey` setting, else the one generated and kept in the data directory. */
  readonly adminKey: string;
  /** Express/connect middleware for the HTTP requests under the prefix; others go to `next`. */
  readonly handler: ParleyHandler;
  /** Serve the prefix on this server: its WebSocket and socket.io upgrades, and its requests (see options). */
  attach(server: HostServer, options?: AttachOptions): void;
  /**
   * Drain: every connection closed with `shutdown` (1001), pending writes flushed, storage closed, the host
   * servers given back their listeners. The host servers stay open. Safe to call more than once.
   */
  close(): Promise<void>;
}

/** Parley, ready and serving no server yet: `attach` it to the site's server, or mount `handler` and attach. */
export async function createParley(options: ParleyOptions): Promise<Parley> {
  const { prefix: rawPrefix, configFile, env, logger, ...settings } = options;
  const parsed = prefixSchema.safeParse(rawPrefix);
  if (!parsed.success) {
    throw new ConfigError(
      `invalid setting prefix in the options: expected ${PREFIX_EXPECTED}, got ${JSON.stringify(rawPrefix)}`,
    );
  }
  const prefix = parsed.data;
  const sources = { ...(configFile === undefined ? {} : { configFile }), ...(env ? { env } : {}) };
  const config = configFromSettings(settings, sources);
  const running = await startServer(config, {
    listen: false,
    pathPrefix: prefix,
    ...(logger ? { logger } : {}),
  });
  const mount = createMount(running.httpServer, prefix);

  let closed = false;
  let closing: Promise<void> | null = null;
  return {
    prefix,
    adminKey: running.adminKey,
    handler: mount.handler,
    attach(server, attachOptions = {}) {
      if (closed) throw new Error('Parley is closed');
      mount.attach(server, { requests: attachOptions.requests ?? true });
    },
    close() {
      closed = true;
      closing ??= (async () => {
        mount.stopAccepting();
        try {
          await running.close();
        } finally {
          mount.detachAll();
        }
      })();
      return closing;
    },
  };
}

/** `createParley` and `attach` in one: the site's server answers its own paths, Parley those under the prefix. */
export async function attachParley(server: HostServer, options: ParleyOptions): Promise<Parley> {
  const parley = await createParley(options);
  parley.attach(server);
  return parley;
}
