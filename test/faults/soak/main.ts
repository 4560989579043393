/**
 * `npm run soak -- --minutes 30 --nodes 1|3 [--clients 150] [--slow-readers 6] [--rooms 8] [--rate 30]
 * [--warmup-minutes 2] [--pause-node I] [--samples FILE] [--report] [--source]`
 *
 * Runs the soak (compiled Parley, as `npm start` runs it, unless --source), prints the verdict and, with
 * --report, writes it into docs/reliability.md. Exits 1 when a message was missed or duplicated, a resource was
 * not flat, or a server crashed. With --pause-node I, node I (0-based) is stopped with SIGSTOP for 3 s every 15 s
 * and continued; its report block is kept apart from the unpaused run's.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../../../bench/proc.js';
import { useCompiledParley } from '../../../bench/servers/index.js';
import { runBlock, writeReport } from './report.js';
import { runSoak } from './run.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    nodes: { type: 'string', default: '1' },
    clients: { type: 'string', default: '150' },
    'slow-readers': { type: 'string', default: '6' },
    rooms: { type: 'string', default: '8' },
    rate: { type: 'string', default: '30' },
    'warmup-minutes': { type: 'string', default: '2' },
    'pause-node': { type: 'string' },
    samples: { type: 'string' },
    report: { type: 'boolean', default: false },
    source: { type: 'boolean', default: false },
  },
});

function positive(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`--${name} must be a positive number, got ${text}`);
  return value;
}

const minutes = positive('minutes', values.minutes);
const nodes = positive('nodes', values.nodes);
if (!values.source) useCompiledParley();
const samplesFile =
  values.samples ?? join(await mkdtemp(join(tmpdir(), 'parley-soak-samples-')), `soak-${nodes}-nodes.jsonl`);
process.stderr.write(`soak: samples in ${samplesFile}\n`);

const result = await runSoak({
  durationMs: minutes * 60_000,
  nodes,
  clients: positive('clients', values.clients),
  slowReaders: Number(values['slow-readers']),
  rooms: positive('rooms', values.rooms),
  ratePerSec: positive('rate', values.rate),
  sampleMs: 10_000,
  warmupMs: Number(values['warmup-minutes']) * 60_000,
  samplesFile,
  ...(values['pause-node'] === undefined
    ? {}
    : { pause: { node: Number(values['pause-node']), pauseMs: 3000, everyMs: 15_000 } }),
  log: (line) => process.stderr.write(`soak ${new Date().toISOString().slice(11, 19)}: ${line}\n`),
});

process.stdout.write(`${runBlock(result)}\n`);
const { samples: _samples, ...verdict } = result;
await writeFile(`${samplesFile}.verdict.json`, JSON.stringify(verdict, null, 2));
if (values.report) await writeReport(join(REPO_ROOT, 'docs/reliability.md'), result);
const d = result.delivery;
const flat = result.nodes.every((n) => n?.flat === true);
const ok = d.missing === 0 && d.duplicates === 0 && d.gaps === 0 && flat && result.crashes.length === 0;
process.exit(ok ? 0 : 1);
