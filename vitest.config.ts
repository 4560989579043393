import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Tests wait on events, not on time; these bounds only stop a stuck test. CI runs every file on 2 cores at
    // once (browsers and three-node clusters included), so they are generous.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'test/e2e/**'],
        },
      },
      {
        // Real browsers against a real server: the web assets are built once before these run.
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
