/**
 * The summarising of repeated runs (`--runs N`): min / median / max of a figure, the noise flag at a spread of
 * more than a fifth of the median, and how a summary cell reads; plus the limits arithmetic of S1L.
 */
import { describe, expect, it } from 'vitest';
import { addressesNeeded, limitProblems, loopbackSources, portsPerAddress } from '../../bench/limits.js';
import { NOISE_SPREAD, percentile, summarizeFigure } from '../../bench/report/runs.js';
import { fmtFigure } from '../../bench/report/summary.js';
import { applySettings, defaultRuns, parseCli } from '../../bench/run.js';
import { configFor } from '../../bench/config.js';

describe('summarizeFigure', () => {
  it('gives min, median and max of three runs', () => {
    expect(summarizeFigure([12, 10, 11])).toEqual({
      runs: 3,
      min: 10,
      median: 11,
      max: 12,
      spread: 2 / 11,
      noise: false,
    });
  });

  it('takes the middle of an even number of runs as the median', () => {
    expect(summarizeFigure([1, 2, 3, 4])?.median).toBe(2.5);
  });

  it('flags a figure whose spread is more than a fifth of its median as noise', () => {
    expect(summarizeFigure([100, 100, 121])?.noise).toBe(true);
    expect(summarizeFigure([100, 100, 120])?.noise).toBe(false);
    expect(NOISE_SPREAD).toBe(0.2);
  });

  it('never flags a single run (its spread is unknown, not small)', () => {
    expect(summarizeFigure([5])).toMatchObject({ runs: 1, min: 5, median: 5, max: 5, noise: false });
  });

  it('leaves out runs that did not get the figure', () => {
    expect(summarizeFigure([null, 4, null, 6])).toMatchObject({ runs: 2, median: 5 });
    expect(summarizeFigure([null, null])).toBeNull();
    expect(summarizeFigure([])).toBeNull();
  });

  it('takes a spread around a zero median as noise, and zeros throughout as steady', () => {
    expect(summarizeFigure([0, 0, 3])).toMatchObject({ spread: null, noise: true });
    expect(summarizeFigure([0, 0, 0])).toMatchObject({ spread: 0, noise: false });
  });

  it('measures the spread against the magnitude of a negative median', () => {
    expect(summarizeFigure([-10, -10, -11])).toMatchObject({ median: -10, noise: false });
  });
});

describe('percentile', () => {
  it('interpolates between ranks', () => {
    expect(percentile([10, 20, 30, 40, 50], 50)).toBe(30);
    expect(percentile([10, 20], 50)).toBe(15);
    expect(percentile([3, 1, 2], 100)).toBe(3);
    expect(percentile([], 50)).toBeNull();
  });
});

describe('fmtFigure', () => {
  it('shows one run as its value alone', () => {
    expect(fmtFigure(summarizeFigure([2048]), 'B')).toBe('2.0 KB');
  });

  it('shows the median with the range, and marks noise', () => {
    expect(fmtFigure(summarizeFigure([10, 11, 12]), 'ms')).toBe('11.0 ms (10.0 ms–12.0 ms)');
    expect(fmtFigure(summarizeFigure([10, 20, 30]), 'ms')).toBe('20.0 ms (10.0 ms–30.0 ms) **noise**');
    expect(fmtFigure(null, 'ms')).toBe('–');
    expect(fmtFigure(summarizeFigure([300, 310]), '/s')).toBe('305/s (300/s–310/s)');
    expect(fmtFigure(summarizeFigure([300, 301]), '/s')).toBe('301/s (300/s–301/s)');
  });
});

describe('--runs and S1L settings', () => {
  it('runs once in quick mode and three times in full mode by default', () => {
    expect(defaultRuns('quick')).toBe(1);
    expect(defaultRuns('full')).toBe(3);
    expect(parseCli(['--quick']).runs).toBe(1);
    expect(parseCli([]).runs).toBe(3);
    expect(parseCli(['--quick', '--runs', '4']).runs).toBe(4);
    expect(() => parseCli(['--runs', '0'])).toThrow(/--runs/);
  });

  it('leaves S1L out unless it is asked for', () => {
    expect(parseCli(['--quick']).scenarios).not.toContain('S1L');
    expect(parseCli(['--quick', '--scenario', 'S1L']).scenarios).toEqual(['S1L']);
  });

  it('sizes S1L with --set', () => {
    expect(applySettings(configFor('quick'), ['s1l.connections=2000']).s1l.connections).toBe(2000);
    expect(configFor('full').s1l.connections).toBe(100_000);
  });
});

describe('S1L limits', () => {
  const range: [number, number] = [32768, 60999];

  it('counts the ports of a range and the source addresses a count needs', () => {
    expect(portsPerAddress(range)).toBe(28232);
    expect(addressesNeeded(100_000, range)).toBe(5);
    expect(addressesNeeded(5000, range)).toBe(1);
  });

  it('names loopback source addresses from 127.0.0.1', () => {
    expect(loopbackSources(3)).toEqual(['127.0.0.1', '127.0.0.2', '127.0.0.3']);
  });

  it('names what stands in the way of 100,000 connections', () => {
    const problems = limitProblems(100_000, 2, {
      openFiles: { soft: 20_000, hard: 20_000 },
      portRange: range,
      somaxconn: 4096,
    });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/open files limit 20000/);
    expect(problems[1]).toMatch(/use at least 5/);
    expect(
      limitProblems(100_000, 8, {
        openFiles: { soft: 200_000, hard: 200_000 },
        portRange: range,
        somaxconn: 4096,
      }),
    ).toEqual([]);
  });
});
