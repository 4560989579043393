/**
 * Heap snapshots, summarized: self size and count per (type, constructor or function name), and the difference
 * between two snapshots divided by a number of connections: what one idle connection keeps on the heap.
 *
 *   node --import tsx bench/heap.ts before.heapsnapshot after.heapsnapshot [connections]
 */
import { readFile } from 'node:fs/promises';

export interface HeapGroup {
  key: string;
  count: number;
  bytes: number;
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: unknown[] } };
  nodes: number[];
  strings: string[];
}

function isSnapshot(value: unknown): value is Snapshot {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray(Reflect.get(value, 'nodes')) &&
    Array.isArray(Reflect.get(value, 'strings'))
  );
}

export function summarizeHeap(raw: unknown): Map<string, HeapGroup> {
  if (!isSnapshot(raw)) throw new Error('not a heap snapshot');
  const fields = raw.snapshot.meta.node_fields;
  const types = raw.snapshot.meta.node_types[0] as string[];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const groups = new Map<string, HeapGroup>();
  for (let i = 0; i < raw.nodes.length; i += width) {
    const type = types[raw.nodes[i + typeAt] as number] ?? '?';
    let name = raw.strings[raw.nodes[i + nameAt] as number] ?? '?';
    // Strings and numbers are grouped by type only; their "names" are their contents.
    if (
      type === 'string' ||
      type === 'concatenated string' ||
      type === 'sliced string' ||
      type === 'number'
    ) {
      name = '';
    } else if (name.length > 60) name = `${name.slice(0, 57)}...`;
    const key = name ? `${type} ${name}` : type;
    const group = groups.get(key) ?? { key, count: 0, bytes: 0 };
    group.count++;
    group.bytes += raw.nodes[i + sizeAt] as number;
    groups.set(key, group);
  }
  return groups;
}

export async function summarizeHeapFile(file: string): Promise<Map<string, HeapGroup>> {
  return summarizeHeap(JSON.parse(await readFile(file, 'utf8')) as unknown);
}

export interface HeapDiffEntry {
  key: string;
  /** Per connection. */
  count: number;
  bytes: number;
}

/** After minus before, per connection, biggest first. */
export function diffHeap(
  before: Map<string, HeapGroup>,
  after: Map<string, HeapGroup>,
  connections: number,
  top = 25,
): { totalBytes: number; entries: HeapDiffEntry[] } {
  const entries: HeapDiffEntry[] = [];
  let total = 0;
  for (const [key, group] of after) {
    const was = before.get(key);
    const bytes = group.bytes - (was?.bytes ?? 0);
    const count = group.count - (was?.count ?? 0);
    total += bytes;
    entries.push({
      key,
      count: Math.round((count / connections) * 100) / 100,
      bytes: Math.round((bytes / connections) * 10) / 10,
    });
  }
  for (const [key, group] of before) if (!after.has(key)) total -= group.bytes;
  entries.sort((a, b) => b.bytes - a.bytes);
  return { totalBytes: Math.round((total / connections) * 10) / 10, entries: entries.slice(0, top) };
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  process.stdout.on('error', () => process.exit(0));
  const [beforeFile, afterFile, n] = process.argv.slice(2);
  if (!beforeFile || !afterFile) {
    process.stderr.write(
      'usage: node --import tsx bench/heap.ts before.heapsnapshot after.heapsnapshot [connections]\n',
    );
    process.exit(2);
  }
  const diff = diffHeap(
    await summarizeHeapFile(beforeFile),
    await summarizeHeapFile(afterFile),
    Number(n ?? 1),
    40,
  );
  process.stdout.write(`${diff.totalBytes} bytes per connection\n`);
  for (const e of diff.entries)
    process.stdout.write(`${String(e.bytes).padStart(9)} B ${String(e.count).padStart(6)}×  ${e.key}\n`);
}
