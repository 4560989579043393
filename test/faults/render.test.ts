/** The chaos run's report: outcomes become one table row each, and only the faults section of the page changes. */
import { describe, expect, it } from 'vitest';
import {
  FAULTS_BEGIN,
  FAULTS_END,
  parseOutcomes,
  renderFaults,
  spliceFaults,
  type RunSummary,
} from './render.js';

const RUN: RunSummary = {
  date: '2026-01-02',
  commit: 'abc1234',
  cores: 2,
  node: 'v20.0.0',
  tests: { passed: 3, failed: 0, skipped: 1 },
  durationSec: 42,
};

describe('the fault report', () => {
  it('renders outcomes sorted by case id, pipes escaped, numbers listed', () => {
    const outcomes = parseOutcomes(
      [
        JSON.stringify({ id: 'case-10', fault: 'b', expected: 'x', measured: 'y' }),
        '',
        JSON.stringify({
          id: 'case-2',
          fault: 'a|b',
          expected: 'x',
          measured: 'y',
          numbers: { rssMB: 12.5 },
        }),
      ].join('\n'),
    );
    const table = renderFaults(outcomes, RUN);
    const rows = table.split('\n').filter((line) => line.startsWith('| case-'));
    expect(rows).toEqual(['| case-2 | a\\|b | x | y | rssMB: 12.5 |', '| case-10 | b | x | y |  |']);
    expect(table).toContain('commit `abc1234`, 2 cores, Node v20.0.0');
    expect(table).toContain('3 passed, 0 failed, 1 skipped');
  });

  it('refuses a line that is not an outcome', () => {
    expect(() => parseOutcomes('{"id":"x"}')).toThrow(/line 1 has no fault/);
  });

  it('replaces only what is between the faults markers', () => {
    const page = `# T\n${FAULTS_BEGIN}\nold\n${FAULTS_END}\n<!-- soak:begin -->\nsoak\n<!-- soak:end -->\n`;
    const once = spliceFaults(page, 'new');
    expect(once).toBe(
      `# T\n${FAULTS_BEGIN}\n\nnew\n\n${FAULTS_END}\n<!-- soak:begin -->\nsoak\n<!-- soak:end -->\n`,
    );
    expect(spliceFaults(once, 'newer')).toContain(`${FAULTS_BEGIN}\n\nnewer\n\n${FAULTS_END}`);
    expect(() => spliceFaults('# none', 'x')).toThrow(/faults:begin/);
  });
});
