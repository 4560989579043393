// @ts-check
/**
 * What the build was made from. `npm run build` ends by writing dist/.build-stamp.json: a hash of every file the
 * build reads (the sources, the web assets, the TypeScript and vite configs, package.json and its lock). `npm
 * start` (scripts/start.mjs) builds again only when the files differ from the stamp, and can say which.
 *
 * Plain JavaScript, not TypeScript: it runs before anything is built. Type-checked with the rest (checkJs).
 *
 * Run as a script it writes the stamp: `node scripts/build-stamp.mjs`.
 */
import { createHash } from 'node:crypto';
import { access, readFile, readdir, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Folders and files, relative to the root, whose content the build depends on. */
export const INPUTS = [
  'src',
  'web',
  'tsconfig.json',
  'tsconfig.build.json',
  'tsconfig.web.json',
  'package.json',
  'package-lock.json',
];

/** Where the stamp lives: inside the output, so that deleting dist/ also forgets the build. */
export const STAMP = join('dist', '.build-stamp.json');

/** Files the build needs in dist/ besides the stamp: without them the stamp says nothing. */
export const OUTPUTS = [join('dist', 'cli', 'main.js'), join('dist', 'web')];

/**
 * The files under `path` (a file or a folder), as paths relative to `root` with forward slashes, sorted.
 * Missing inputs are skipped (a checkout without tsconfig.web.json still builds what it has).
 * @param {string} root
 * @param {string} path
 * @returns {Promise<string[]>}
 */
async function listFiles(root, path) {
  /** @type {import('node:fs').Dirent[]} */
  let entries;
  try {
    entries = await readdir(join(root, path), { withFileTypes: true });
  } catch (err) {
    const code = /** @type {NodeJS.ErrnoException} */ (err).code;
    if (code === 'ENOTDIR') return [path];
    if (code === 'ENOENT') return [];
    throw err;
  }
  const files = [];
  for (const entry of entries) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(root, child)));
    else if (entry.isFile()) files.push(child);
  }
  return files;
}

/**
 * The hash of every input file, by path.
 * @param {string} [root]
 * @returns {Promise<Record<string, string>>}
 */
export async function fingerprint(root = ROOT) {
  const files = (await Promise.all(INPUTS.map((input) => listFiles(root, input)))).flat();
  files.sort();
  /** @type {Record<string, string>} */
  const hashes = {};
  for (const file of files) {
    const content = await readFile(join(root, file));
    hashes[file.split(sep).join('/')] = createHash('sha256').update(content).digest('hex').slice(0, 16);
  }
  return hashes;
}

/**
 * The stamp of the last build, or null when there is none (never built, dist/ deleted, unreadable).
 * @param {string} [root]
 * @returns {Promise<Record<string, string> | null>}
 */
export async function readStamp(root = ROOT) {
  try {
    const parsed = JSON.parse(await readFile(join(root, STAMP), 'utf8'));
    const files = parsed?.files;
    if (typeof files !== 'object' || files === null || Array.isArray(files)) return null;
    /** @type {Record<string, string>} */
    const result = {};
    for (const [file, hash] of Object.entries(files)) {
      if (typeof hash !== 'string') return null;
      result[file] = hash;
    }
    return result;
  } catch {
    return null;
  }
}

/**
 * Writes the stamp for the files as they are now.
 * @param {string} [root]
 */
export async function writeStamp(root = ROOT) {
  const files = await fingerprint(root);
  await writeFile(join(root, STAMP), `${JSON.stringify({ files }, null, 1)}\n`);
}

/**
 * The input files that differ between the stamp and now: changed, added or removed.
 * @param {Record<string, string>} stamp
 * @param {Record<string, string>} now
 * @returns {string[]}
 */
export function changedFiles(stamp, now) {
  const changed = [];
  for (const [file, hash] of Object.entries(now)) if (stamp[file] !== hash) changed.push(file);
  for (const file of Object.keys(stamp)) if (!(file in now)) changed.push(file);
  return changed.sort();
}

/**
 * Whether a build is needed, and why, in words for the one line `npm start` prints.
 * @param {string} [root]
 * @returns {Promise<{ build: boolean, reason: string }>}
 */
export async function buildNeeded(root = ROOT) {
  const stamp = await readStamp(root);
  if (!stamp) return { build: true, reason: 'no build stamp yet (never built here, or dist/ was removed)' };
  /** @type {string[]} */
  const missing = [];
  for (const output of OUTPUTS) {
    await access(join(root, output)).catch(() => missing.push(output.split(sep).join('/')));
  }
  if (missing.length > 0) return { build: true, reason: `${missing.join(' and ')} missing` };
  const changed = changedFiles(stamp, await fingerprint(root));
  if (changed.length === 0) return { build: false, reason: 'sources unchanged since the last build' };
  const shown = changed.slice(0, 3).join(', ');
  const more = changed.length > 3 ? ` and ${changed.length - 3} more` : '';
  const files = changed.length === 1 ? 'file' : 'files';
  return { build: true, reason: `${changed.length} ${files} changed since the last build: ${shown}${more}` };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeStamp();
}
