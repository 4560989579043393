/**
 * Summarizes a V8 CPU profile (.cpuprofile, from `node --cpu-prof` or the bench hook): the functions with the
 * most self time, and self time grouped by where the code lives (Parley's src/ files, each package in
 * node_modules, Node's internals, native code, GC). Usable on its own:
 *
 *   node --import tsx bench/profile.ts path/to/file.cpuprofile [top]
 */
import { readFile } from 'node:fs/promises';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  where: string;
  selfMs: number;
  selfPct: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Percent of samples that were not idle. */
  busyPct: number;
  top: ProfileEntry[];
  byGroup: { group: string; selfMs: number; selfPct: number }[];
}

function isProfile(value: unknown): value is CpuProfile {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray(Reflect.get(value, 'nodes')) &&
    Array.isArray(Reflect.get(value, 'samples')) &&
    Array.isArray(Reflect.get(value, 'timeDeltas'))
  );
}

/** Where a function lives: `src/engine/roomChannel.ts`, `node_modules/ws`, `node:internal`, `(native)`... */
export function groupOf(frame: CallFrame): string {
  const url = frame.url;
  if (frame.functionName === '(garbage collector)') return '(gc)';
  if (frame.functionName === '(idle)') return '(idle)';
  if (frame.functionName === '(program)') return '(program)';
  if (url === '') return '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return `node_modules/${rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? '')}`;
  }
  if (url.startsWith('node:')) return 'node:internal';
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  const bench = url.indexOf('/bench/');
  if (bench >= 0) return url.slice(bench + 1);
  return url;
}

export function summarizeProfile(raw: unknown, file: string, topN = 25): ProfileSummary {
  if (!isProfile(raw)) throw new Error(`${file} is not a .cpuprofile`);
  const byId = new Map<number, ProfileNode>();
  for (const node of raw.nodes) byId.set(node.id, node);
  const selfUs = new Map<number, number>();
  for (let i = 0; i < raw.samples.length; i++) {
    const id = raw.samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (raw.timeDeltas[i] ?? 0));
  }
  const totalUs = Math.max(1, raw.endTime - raw.startTime);
  const perFunction = new Map<string, { name: string; where: string; us: number }>();
  const perGroup = new Map<string, number>();
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    const group = groupOf(frame);
    if (group === '(idle)') {
      idleUs += us;
      continue;
    }
    const name = frame.functionName || '(anonymous)';
    const where = frame.url ? `${group}:${frame.lineNumber + 1}` : group;
    const key = `${name}@${where}`;
    const entry = perFunction.get(key) ?? { name, where, us: 0 };
    entry.us += us;
    perFunction.set(key, entry);
    perGroup.set(group, (perGroup.get(group) ?? 0) + us);
  }
  const pct = (us: number) => Math.round((us / totalUs) * 1000) / 10;
  const ms = (us: number) => Math.round(us / 100) / 10;
  return {
    file,
    totalMs: ms(totalUs),
    busyPct: pct(totalUs - idleUs),
    top: [...perFunction.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, topN)
      .map((e) => ({ name: e.name, where: e.where, selfMs: ms(e.us), selfPct: pct(e.us) })),
    byGroup: [...perGroup.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([group, us]) => ({ group, selfMs: ms(us), selfPct: pct(us) })),
  };
}

export async function summarizeProfileFile(file: string, topN = 25): Promise<ProfileSummary> {
  return summarizeProfile(JSON.parse(await readFile(file, 'utf8')) as unknown, file, topN);
}

export function formatProfile(summary: ProfileSummary, groups = 15): string {
  const lines = [
    `${summary.file}: ${summary.totalMs} ms, ${summary.busyPct} % busy`,
    '',
    'self %  self ms  function (where)',
    ...summary.top.map(
      (e) => `${e.selfPct.toFixed(1).padStart(6)} ${e.selfMs.toFixed(0).padStart(8)}  ${e.name} (${e.where})`,
    ),
    '',
    'self %  self ms  group',
    ...summary.byGroup
      .slice(0, groups)
      .map((g) => `${g.selfPct.toFixed(1).padStart(6)} ${g.selfMs.toFixed(0).padStart(8)}  ${g.group}`),
  ];
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  process.stdout.on('error', () => process.exit(0));
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node --import tsx bench/profile.ts <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  const summary = await summarizeProfileFile(file, Number(process.argv[3] ?? 25));
  process.stdout.write(`${formatProfile(summary)}\n`);
}
