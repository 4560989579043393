/**
 * The two published packages as a user gets them: packed with `npm pack` (which runs each package's `prepack`
 * build) and installed from the tarballs into an empty folder with `npm install`.
 *
 * The packing runs in a copy of the repository, so that its build (which empties dist/) never races the
 * end-to-end tests serving dist/web from the checkout.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, realpath, symlink, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { childEnv, REPO_ROOT } from '../helpers/server.js';

const run = promisify(execFile);

/** What `npm pack --json` says of one tarball. */
export interface PackedPackage {
  name: string;
  version: string;
  filename: string;
  files: { path: string }[];
}

/** The tarball's path and its file list. */
export interface Tarball {
  path: string;
  name: string;
  files: string[];
}

/** Never copied: installed or built things, and what git keeps out of the repository. */
const SKIPPED = new Set(['node_modules', '.git', 'dist', 'data', 'coverage', 'test-results']);

function copied(source: string): boolean {
  const parts = relative(REPO_ROOT, source).split(sep);
  return !parts.some((part) => SKIPPED.has(part));
}

/** The repository's sources in `dir`, with its installed node_modules linked in (nothing is installed). */
async function copyRepository(dir: string): Promise<void> {
  await cp(REPO_ROOT, dir, { recursive: true, filter: copied });
  await symlink(await realpath(join(REPO_ROOT, 'node_modules')), join(dir, 'node_modules'), 'dir');
}

/** `npm pack --json` prints the JSON after whatever the `prepack` build printed on standard output. */
function packResult(stdout: string): PackedPackage {
  const start = stdout.search(/^\[/m);
  const parsed = JSON.parse(start >= 0 ? stdout.slice(start) : stdout) as PackedPackage[];
  const first = parsed[0];
  if (!first) throw new Error(`npm pack printed no package: ${stdout}`);
  return first;
}

async function npmPack(cwd: string, args: string[], destination: string): Promise<Tarball> {
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', destination, ...args], {
    cwd,
    env: childEnv({ NODE_ENV: 'production' }),
    maxBuffer: 64 * 1024 * 1024,
  });
  const packed = packResult(stdout);
  return {
    path: join(destination, packed.filename),
    name: packed.name,
    files: packed.files.map((file) => file.path).sort(),
  };
}

/** Packs the server (the repository's root) and the client (its workspace) into `destination`. */
export async function packBoth(
  workDir: string,
  destination: string,
): Promise<{ server: Tarball; client: Tarball }> {
  const repo = join(workDir, 'repo');
  await copyRepository(repo);
  await mkdir(destination, { recursive: true });
  // One after the other: each runs its build, and the machine running the suite is busy enough.
  const server = await npmPack(repo, [], destination);
  const client = await npmPack(repo, ['--workspace', 'packages/client'], destination);
  return { server, client };
}

/**
 * better-sqlite3 installs with prebuild-install, which downloads a binary from GitHub (or, failing that,
 * compiles SQLite for minutes). The repository's own installed copy was built for this very Node, so it is
 * offered as a local prebuild: the install script still runs, from the registry's package, without leaving the
 * npm registry. When the versions differ or the libc is not glibc, the install falls back to its usual way.
 */
async function localPrebuilds(dir: string): Promise<Record<string, string>> {
  const pkgDir = join(REPO_ROOT, 'node_modules', 'better-sqlite3');
  const report = process.report.getReport() as { header?: { glibcVersionRuntime?: string } };
  if (!report.header?.glibcVersionRuntime) return {};
  const { version } = JSON.parse(await readFile(join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  await mkdir(dir, { recursive: true });
  await run('tar', ['-czf', join(dir, name), '-C', pkgDir, 'build/Release/better_sqlite3.node']);
  // prebuild-install's per-package setting; npm warns that it does not know it, and passes it on.
  return { npm_config_better_sqlite3_local_prebuilds: dir };
}

/**
 * An empty folder with both tarballs installed, their dependencies resolved as a user's would be (no lockfile),
 * from the npm cache where it has them.
 */
export async function installTarballs(workDir: string, tarballs: Tarball[]): Promise<string> {
  const dir = join(workDir, 'app');
  await mkdir(dir);
  await writeFile(join(dir, 'package.json'), `${JSON.stringify({ name: 'app', private: true }, null, 2)}\n`);
  const env = childEnv({ NODE_ENV: 'production', ...(await localPrebuilds(join(workDir, 'prebuilds'))) });
  await run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs.map((tarball) => tarball.path)],
    { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 },
  );
  return dir;
}
