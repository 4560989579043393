/**
 * Merges reports of several runs into one (report.ts: mergeReports) and writes it like a run's own report:
 *
 *   node --import tsx bench/merge.ts bench/results/A.json bench/results/B.json [--out bench/results]
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from './proc.js';
import { mergeReports, writeReport, type BenchReport } from './report.js';

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const outDir = resolve(outAt >= 0 ? (args[outAt + 1] ?? '.') : join(REPO_ROOT, 'bench/results'));
const files = args.filter((_, i) => outAt < 0 || (i !== outAt && i !== outAt + 1));
if (files.length < 2) {
  process.stderr.write('usage: node --import tsx bench/merge.ts a.json b.json [...] [--out DIR]\n');
  process.exit(2);
}
const reports = await Promise.all(
  files.map(async (f) => JSON.parse(await readFile(f, 'utf8')) as BenchReport),
);
const written = await writeReport(mergeReports(reports), outDir, 'merged');
process.stdout.write(`${written.join('\n')}\n`);
