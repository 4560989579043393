/**
 * `npm run bench -- --goals`: full-size scenarios, but only what the goals table (report/goals.ts) reads, on
 * only the targets it compares: about a third of a full run, so that three runs fit in well under an hour.
 */
import { configFor, type BenchConfig } from './config.js';
import type { ScenarioPlan } from './runSet.js';
import { TARGETS, type ScenarioName, type TargetName } from './types.js';

/**
 * S2 at 1,000 members is compared for every target: the baselines, both Parley framings and every other
 * target there is (the seed dialects, each against its framing's baseline). Narrow it here if a target has
 * no S2 goal.
 */
export const GOALS_S2_TARGETS: readonly TargetName[] = TARGETS;

export const GOALS_PLAN: ScenarioPlan = {
  S1: ['parley-ws', 'baseline-ws'],
  S5: ['parley-ws', 'parley-sio'],
  S2: GOALS_S2_TARGETS,
  S6: ['parley-ws'],
  S3: ['parley-ws', 'parley-sio', 'baseline-sio'],
  S4S: ['parley-ws'],
  S3P: ['parley-ws'],
  S1L: ['parley-ws'],
};

export const GOALS_SCENARIOS = Object.keys(GOALS_PLAN) as ScenarioName[];

/** Every target some scenario of the plan runs on, in TARGETS' order. */
export function goalsTargets(): TargetName[] {
  const named = new Set(Object.values(GOALS_PLAN).flat());
  return TARGETS.filter((t) => named.has(t));
}

/**
 * The full sizes, with S2 cut to the goals' room size (1,000 members), published over REST as the knee goals
 * ask, at steps that bracket the knees measured so far (about 90k to 150k deliveries/s at that size).
 */
export function goalsConfig(): BenchConfig {
  const config = structuredClone(configFor('full'));
  config.s2.sizes = [1000];
  config.s2.restPublisher = 1;
  config.s2.steps = [25_000, 50_000, 75_000, 100_000, 115_000, 130_000, 150_000];
  // The goals read S3 at 2,000 msg/s and its highest persisted rate: the 1,000 step tells neither.
  config.s3.rates = [2000, 3000, 4000];
  return config;
}
