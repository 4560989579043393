/** The decision `npm start` makes before starting: build or not, and the reason it prints. */
import { mkdir, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildNeeded, changedFiles, writeStamp } from '../../scripts/build-stamp.mjs';
import { makeTempDir } from '../helpers/server.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A checkout in miniature: a few inputs, and the outputs of a build. */
async function checkout(): Promise<string> {
  const root = await makeTempDir('parley-stamp-');
  dirs.push(root);
  const files: Record<string, string> = {
    'package.json': '{"name":"x"}',
    'tsconfig.json': '{}',
    'src/server.ts': 'export {};',
    'src/cli/main.ts': 'export {};',
    'web/widget/widget.ts': 'export {};',
    'dist/cli/main.js': '',
    'dist/web/widget.js': '',
  };
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

describe('build stamp', () => {
  it('builds when there is no stamp, and not once the stamp matches the sources', async () => {
    const root = await checkout();
    expect(await buildNeeded(root)).toEqual({
      build: true,
      reason: expect.stringMatching(/^no build stamp yet/),
    });
    await writeStamp(root);
    expect(await buildNeeded(root)).toEqual({
      build: false,
      reason: 'sources unchanged since the last build',
    });
  });

  it('names what changed: an edited, an added and a removed file; a touch without change is no change', async () => {
    const root = await checkout();
    await writeStamp(root);
    await writeFile(join(root, 'src/server.ts'), 'export {};');
    expect((await buildNeeded(root)).build).toBe(false);
    await writeFile(join(root, 'src/server.ts'), 'export const changed = 1;');
    expect(await buildNeeded(root)).toEqual({
      build: true,
      reason: '1 file changed since the last build: src/server.ts',
    });
    await writeFile(join(root, 'web/widget/new.ts'), 'export {};');
    await unlink(join(root, 'src/cli/main.ts'));
    expect((await buildNeeded(root)).reason).toBe(
      '3 files changed since the last build: src/cli/main.ts, src/server.ts, web/widget/new.ts',
    );
  });

  it('builds when an output is missing, whatever the stamp says', async () => {
    const root = await checkout();
    await writeStamp(root);
    await rm(join(root, 'dist/web'), { recursive: true });
    expect(await buildNeeded(root)).toEqual({ build: true, reason: 'dist/web missing' });
  });

  it('names at most three files and counts the rest', async () => {
    const root = await checkout();
    await writeStamp(root);
    for (const name of ['a', 'b', 'c', 'd', 'e']) await writeFile(join(root, `src/${name}.ts`), '');
    expect((await buildNeeded(root)).reason).toBe(
      '5 files changed since the last build: src/a.ts, src/b.ts, src/c.ts and 2 more',
    );
    expect(changedFiles({ x: '1', y: '1' }, { y: '2', z: '1' })).toEqual(['x', 'y', 'z']);
  });
});
