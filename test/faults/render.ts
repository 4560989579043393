/**
 * The fault suite's section of docs/reliability.md: the outcomes recorded by a run (JSON lines, one
 * FaultOutcome each) as a markdown table, with when, on which commit and on what kind of machine it ran.
 */
import type { FaultOutcome } from './report.js';

export const FAULTS_BEGIN = '<!-- faults:begin -->';
export const FAULTS_END = '<!-- faults:end -->';

export interface RunSummary {
  date: string;
  commit: string;
  cores: number;
  node: string;
  /** What vitest reported for test/faults. */
  tests: { passed: number; failed: number; skipped: number };
  durationSec: number;
}

/** Parses the report file; a line that is not an outcome is an error (the suite wrote something wrong). */
export function parseOutcomes(text: string): FaultOutcome[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      const value = JSON.parse(line) as Partial<FaultOutcome>;
      for (const key of ['id', 'fault', 'expected', 'measured'] as const) {
        if (typeof value[key] !== 'string') throw new Error(`outcome on line ${index + 1} has no ${key}`);
      }
      return value as FaultOutcome;
    });
}

const collator = new Intl.Collator('en', { numeric: true });

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function numbers(outcome: FaultOutcome): string {
  return Object.entries(outcome.numbers ?? {})
    .map(([name, value]) => `${name}: ${value}`)
    .join('; ');
}

/** The markdown that goes between the faults markers. */
export function renderFaults(outcomes: FaultOutcome[], run: RunSummary): string {
  const sorted = [...outcomes].sort((a, b) => collator.compare(a.id, b.id));
  const { passed, failed, skipped } = run.tests;
  const lines = [
    `Last run: ${run.date} on commit \`${run.commit}\`, ${run.cores} cores, Node ${run.node}, ` +
      `${run.durationSec} s (\`npm run chaos\`). Tests: ${passed} passed, ${failed} failed, ${skipped} skipped.`,
    '',
    '| Case | Fault | Expected | Measured | Numbers |',
    '| ---- | ----- | -------- | -------- | ------- |',
    ...sorted.map(
      (o) =>
        `| ${cell(o.id)} | ${cell(o.fault)} | ${cell(o.expected)} | ${cell(o.measured)} | ${cell(numbers(o))} |`,
    ),
  ];
  return lines.join('\n');
}

/** `page` with the text between the faults markers replaced (the soak's section and the rest untouched). */
export function spliceFaults(page: string, section: string): string {
  const begin = page.indexOf(FAULTS_BEGIN);
  const end = page.indexOf(FAULTS_END);
  if (begin < 0 || end < begin) throw new Error(`the page has no ${FAULTS_BEGIN} … ${FAULTS_END} section`);
  return `${page.slice(0, begin + FAULTS_BEGIN.length)}\n\n${section}\n\n${page.slice(end)}`;
}
