import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where the server looks for the web assets (src/http/routes/web.ts). */
export const OUT_DIR = fileURLToPath(new URL('../dist/web', import.meta.url));

/** Browser export conditions, always the production ones (Vite picks `development` unless NODE_ENV=production). */
export const PRODUCTION_CONDITIONS = ['module', 'browser', 'production'];

/**
 * The typed client loads `ws` (Node without a global WebSocket) and `socket.io-client` (the socket.io transport)
 * through dynamic imports. Browsers use their own WebSocket and the widget only speaks the `ws` transport, so
 * both resolve to a stub that fails loudly if ever called: the bundle carries neither package.
 */
export function nodeOnlyStubs(): Plugin {
  const stubbed = new Set(['ws', 'socket.io-client']);
  const prefix = '\0parley-stub:';
  return {
    name: 'parley-node-only-stubs',
    enforce: 'pre',
    resolveId(id) {
      return stubbed.has(id) ? prefix + id : null;
    },
    load(id) {
      if (!id.startsWith(prefix)) return null;
      const name = id.slice(prefix.length);
      return [
        `const fail = () => { throw new Error(${JSON.stringify(`${name} is not part of the Parley web bundle`)}); };`,
        'export const io = fail;',
        'export const WebSocket = undefined;',
        'export default undefined;',
      ].join('\n');
    },
  };
}
