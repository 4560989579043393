/** The demo page (served at /) and the admin console (/admin), with hashed assets under /assets/ (all under a prefix in library mode). */
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { nodeOnlyStubs, OUT_DIR, PRODUCTION_CONDITIONS, ROOT } from './vite.shared.js';

/**
 * Each page is served one level below Parley's root (`/`, `/admin`; `/chat/`, `/chat/admin` under library mode's
 * prefix), whatever its folder in dist/web: its asset URLs are made relative to that root (`assets/…`), so that
 * the pages work at the root and under any prefix alike.
 */
function pagesAtRoot(): Plugin {
  return {
    name: 'parley-pages-at-root',
    enforce: 'post',
    generateBundle(_options, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type !== 'asset' || !file.fileName.endsWith('.html')) continue;
        const html = typeof file.source === 'string' ? file.source : new TextDecoder().decode(file.source);
        file.source = html.replaceAll('"../assets/', '"assets/');
      }
    },
  };
}

export default defineConfig({
  root: resolve(ROOT, 'web'),
  // Relative asset URLs: the pages work wherever Parley is mounted (`/`, or `/chat/` in library mode).
  base: './',
  publicDir: false,
  logLevel: 'warn',
  plugins: [nodeOnlyStubs(), pagesAtRoot()],
  // Production builds of dependencies (Lit) whatever NODE_ENV the build runs under (vitest sets `test`).
  resolve: { conditions: PRODUCTION_CONDITIONS },
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    reportCompressedSize: false,
    rolldownOptions: {
      input: {
        demo: resolve(ROOT, 'web/demo/index.html'),
        admin: resolve(ROOT, 'web/admin/index.html'),
      },
    },
  },
});
