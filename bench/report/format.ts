/** Formatting of the markdown report's cells and tables. */

export const KB = 1024;

export function fmtBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs >= 10 * 2 ** 20) return `${(bytes / 2 ** 20).toFixed(0)} MB`;
  if (abs >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MB`;
  if (abs >= KB) return `${(bytes / KB).toFixed(1)} KB`;
  return `${bytes} B`;
}

export function fmtValue(value: number | null, unit: string): string {
  if (value === null) return '–';
  if (unit === 'B') return fmtBytes(value);
  if (unit === '/s') return value >= 10_000 ? `${(value / 1000).toFixed(0)}k/s` : `${Math.round(value)}/s`;
  if (unit === 'ms') return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ms`;
  if (unit === 'µs') return `${value.toFixed(1)} µs`;
  return String(value);
}

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
export const lostCount = (codes: Record<string, number> | undefined) =>
  Object.values(codes ?? {}).reduce((a, b) => a + b, 0);
