/** widget.js stays small: every page that embeds it pays for it. The e2e setup has just built it. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/server.js';

const BUDGET = 45_000;

describe('widget.js size', () => {
  it(`is under ${BUDGET / 1000} kB gzipped`, async () => {
    const source = await readFile(join(REPO_ROOT, 'dist', 'web', 'widget.js'));
    const gzipped = gzipSync(source, { level: 9 }).length;
    expect(gzipped).toBeLessThan(BUDGET);
  });
});
