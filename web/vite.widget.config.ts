/** widget.js: the embeddable chat box, one self-contained IIFE (built after the pages, into the same dir). */
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { nodeOnlyStubs, OUT_DIR, PRODUCTION_CONDITIONS, ROOT } from './vite.shared.js';

export default defineConfig({
  root: ROOT,
  publicDir: false,
  logLevel: 'warn',
  plugins: [nodeOnlyStubs()],
  // Production builds of dependencies (Lit) whatever NODE_ENV the build runs under (vitest sets `test`).
  resolve: { conditions: PRODUCTION_CONDITIONS },
  build: {
    outDir: OUT_DIR,
    emptyOutDir: false,
    sourcemap: true,
    target: 'es2022',
    reportCompressedSize: false,
    lib: {
      entry: resolve(ROOT, 'web/widget/index.ts'),
      formats: ['iife'],
      name: 'ParleyWidget',
      fileName: () => 'widget.js',
    },
  },
});
