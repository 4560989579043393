/** The demo page (served at /) and the admin console (/admin), with hashed assets under /assets/ (all under a prefix in library mode). */
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { nodeOnlyStubs, OUT_DIR, PRODUCTION_CONDITIONS, ROOT } from './vite.shared.js';

export default defineConfig({
  root: resolve(ROOT, 'web'),
  // Relative asset URLs: the pages work wherever Parley is mounted (`/`, or `/chat/` in library mode).
  base: './',
  publicDir: false,
  logLevel: 'warn',
  plugins: [nodeOnlyStubs()],
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
