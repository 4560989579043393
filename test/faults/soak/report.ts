/**
 * The soak's part of docs/reliability.md: between `<!-- soak:begin -->` and `<!-- soak:end -->`, how to run it,
 * the margins, and one block per cluster size (`<!-- soak:run nodes=N -->` … `<!-- soak:run-end -->`), so the
 * one-node and the three-node runs can be written by separate runs without overwriting each other.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { format, resolveConfig } from 'prettier';
import { MARGINS, type NodeVerdict, type Trend } from './flatness.js';
import type { SoakResult } from './run.js';

const BEGIN = '<!-- soak:begin -->';
const END = '<!-- soak:end -->';
const RUN_END = '<!-- soak:run-end -->';
const MB = 1024 * 1024;
/** The warm-up main.ts uses unless told otherwise; named in the section when it is rewritten without a run. */
const DEFAULT_WARMUP_MS = 2 * 60_000;

const howTo = (
  warmup: string,
) => `Run it with \`npm run soak -- --minutes 30 --nodes 1\` (or \`--nodes 3\`). It starts \`parley serve\` as
child processes — one node on SQLite in a temporary directory, or three nodes sharing a PostgreSQL schema of
the soak's own (\`PARLEY_BENCH_DATABASE_URL\`, default \`postgres://postgres@127.0.0.1:5432/test\`, dropped
afterwards) and a \`redis-server\` of its own — and drives them with a mixed population: users on the typed
client (two thirds plain WebSocket, one third socket.io) who join and leave rooms, send with a \`clientMsgId\`,
type, page through history, lose their connection under a send in flight (the client reconnects, resumes and
resends) or close and come back; and a few slow readers on raw WebSockets who stop reading for a while and
resume with \`join { sinceSeq }\` when the server cuts them off. Every 10 s each server process is sampled: RSS
and open descriptors from \`/proc\`, heap used and event-loop delay from its \`/metrics\`; the samples go to a
JSON-lines file in a temporary directory (\`--samples FILE\` to keep them). \`--report\` writes the result here.
A short run of the same harness (\`test/faults/soak.test.ts\`) is part of the test suite.

**Exactly once.** Every acknowledged message is owed to every client that was a member of its room from
before the send until after the ack — joined and not yet leaving; a reconnect does not end membership,
because resuming must fill the gap. A client that leaves or closes on purpose during the run is owed the
messages up to the highest seq it had been handed in that room (one acknowledged on another node may still be
on its way when it goes; a hole below that seq still counts). After the load stops and deliveries settle, a
message owed and not delivered is *missing*, a message delivered twice to one client (by id) is a
*duplicate*; both must be zero. Typed clients count what the application is handed; slow readers count every
message frame on the wire.

**A paused node.** With \`--pause-node 1\` the second node is stopped (SIGSTOP) for 3 s in every 15 s and
continued: its clients' connections stay open while its bus and storage connections fall behind and catch up.
That run has a block of its own below.

**Flat.** Samples of the first ${warmup} are left out (warm-up); of the rest, the median of the last third is
compared with the median of the first third. RSS may grow by ${MARGINS.rssFraction * 100}% or
${MARGINS.rssBytes / MB} MB (the larger), heap used by ${MARGINS.heapFraction * 100}% or ${MARGINS.heapBytes / MB} MB,
open descriptors by ${MARGINS.fds}. Event-loop delay is reported, not judged: the worst 10 s interval's p99
and the largest single delay.`;

const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

function trendCell(trend: Trend | null, unit: (n: number) => string): string {
  if (!trend) return 'n/a';
  const sign = trend.last >= trend.first ? '+' : '−';
  return `${unit(trend.first)} → ${unit(trend.last)} (${sign}${unit(Math.abs(trend.last - trend.first))}; max ${unit(trend.max)})`;
}

const ms = (value: number | null) => (value === null ? 'n/a' : `${value.toFixed(1)} ms`);

function nodeRow(verdict: NodeVerdict | null, index: number, result: SoakResult): string {
  const totals = result.totals[index];
  const traffic = `${totals?.messagesIn ?? 'n/a'} / ${totals?.messagesOut ?? 'n/a'}`;
  if (!verdict) return `| ${index + 1} | too few samples | | | | | ${traffic} |`;
  const fds = (n: number) => String(Math.round(n));
  return `| ${index + 1} | ${trendCell(verdict.rss, mb)} | ${trendCell(verdict.heap, mb)} | ${trendCell(verdict.fds, fds)} | ${ms(verdict.loopDelayP99Ms)} / ${ms(verdict.loopDelayMaxMs)} | ${verdict.flat ? 'yes' : '**no**'} | ${traffic} |`;
}

function list(record: Record<string, number>): string {
  const entries = Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? 'none' : entries.map(([k, v]) => `${k} ${v}`).join(', ');
}

function finalCloses(counts: Record<string, number>): Record<string, number> {
  const found: Record<string, number> = {};
  for (const [key, value] of Object.entries(counts)) {
    if (key.startsWith('finalClose:')) found[key.slice('finalClose:'.length)] = value;
  }
  return found;
}

/** Which block of the report a run writes: one per cluster size, and one more for runs with a paused node. */
function blockKey(result: SoakResult): string {
  return `${result.options.nodes}${result.options.pause ? ' paused' : ''}`;
}

export function runBlock(result: SoakResult): string {
  const o = result.options;
  const d = result.delivery;
  const c = result.counters.counts;
  const title = o.nodes === 1 ? 'One node (SQLite)' : `${o.nodes} nodes (${result.storage})`;
  const ok = d.missing === 0 && d.duplicates === 0 && d.gaps === 0;
  const loads = result.samples.map((s) => s.loadAvg1);
  const load =
    loads.length > 0
      ? `machine load average ${(loads.reduce((a, b) => a + b, 0) / loads.length).toFixed(1)} (max ${Math.max(...loads).toFixed(1)}) on ${result.cores} cores`
      : `${result.cores} cores`;
  const lines = [
    `<!-- soak:run nodes=${blockKey(result)} -->`,
    `### ${title}${o.pause ? `, one node paused ${o.pause.pauseMs / 1000} s in every ${o.pause.everyMs / 1000} s` : ''}`,
    '',
    `${result.startedAt.slice(0, 16)}Z · ${Math.round(result.loadMs / 60_000)} min of load · commit \`${result.commit}\` · Node ${result.nodeVersion} · ${load} · ${o.clients} typed clients and ${o.slowReaders} slow readers in ${o.rooms} rooms · target ${o.ratePerSec} messages/s, measured ${(d.acked / (result.loadMs / 1000)).toFixed(1)}/s · ${result.samples.length} samples.`,
    '',
    '| Node | RSS, first → last third | Heap used | Open descriptors | Loop delay p99 / max | Flat | Messages in / out |',
    '| ---- | ----------------------- | --------- | ---------------- | -------------------- | ---- | ----------------- |',
    ...result.nodes.map((v, i) => nodeRow(v, i, result)),
    '',
    `**Delivery:** ${c.sends ?? 0} sends, ${d.acked} acknowledged messages, ${d.owed} deliveries owed to live members, ${d.delivered} delivered; missing **${d.missing}** (${d.missingInGaps} of them in gaps the server reported), duplicates **${d.duplicates}**, gaps **${d.gaps}** — ${ok ? 'every acknowledged message reached every live member exactly once' : '**exactly-once violated**'}.`,
    '',
    `**Activity:** ${c.joins ?? 0} joins, ${c.leaves ?? 0} leaves, ${c.typing ?? 0} typing, ${c.historyPages ?? 0} history reads, ${c.drops ?? 0} dropped connections (${c.resumes ?? 0} resumes), ${c.restarts ?? 0} clients closed and reopened, ${c.acksDuplicate ?? 0} sends acknowledged as duplicates after a resend, ${c.slowReaderPauses ?? 0} slow-reader pauses, ${result.options.pause ? `node ${result.options.pause.node + 1} paused ${result.pauses} times, ` : ''}slow consumers cut: ${result.totals.reduce((n, t) => n + (t.slowConsumers ?? 0), 0)}. Close codes seen by clients: ${list(result.counters.closeCodes)}; clients closed for good by the server: ${list(finalCloses(c))}. Failed requests: ${list(result.counters.failures)}.`,
  ];
  if (d.examples.length > 0) lines.push('', ...d.examples.map((e) => `- ${e}`));
  if (!result.drainedReady)
    lines.push('', 'Not every client was connected again within 60 s of the load stopping.');
  if (result.crashes.length > 0) lines.push('', `**Server crashes:** ${result.crashes.length}.`);
  lines.push(RUN_END);
  return lines.join('\n');
}

/** Replaces this run's block (by node count, and whether a node was paused; none without a run) in the soak section, keeping the other runs' blocks. */
export async function writeReport(file: string, result?: SoakResult): Promise<void> {
  const page = await readFile(file, 'utf8');
  const begin = page.indexOf(BEGIN);
  const end = page.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`${file} has no soak section`);
  const inside = page.slice(begin + BEGIN.length, end);
  const blocks = new Map<string, string>();
  for (const match of inside.matchAll(
    /<!-- soak:run nodes=(\d+(?: paused)?) -->[\s\S]*?<!-- soak:run-end -->/g,
  )) {
    blocks.set(match[1] as string, match[0]);
  }
  if (result) blocks.set(blockKey(result), runBlock(result));
  const warmup = `${Math.round((result?.options.warmupMs ?? DEFAULT_WARMUP_MS) / 60_000)} minutes`;
  const runs = [...blocks.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, block]) => block);
  const section = [howTo(warmup), ...runs].join('\n\n');
  const text = `${page.slice(0, begin + BEGIN.length)}\n${section}\n${page.slice(end)}`;
  // Formatted as the repository formats Markdown, so that the page passes the format check as written.
  await writeFile(file, await format(text, { ...(await resolveConfig(file)), filepath: file }));
}
