/**
 * One run of the selected set: every scenario against every target (each target on a fresh server), then S1L
 * (each native WebSocket target on a fresh server of its own) and S4 on two nodes. `npm run bench -- --runs N`
 * does this N times (run.ts).
 */
import type { BenchConfig } from './config.js';
import type { Protocol } from './loadgen/clients.js';
import type { Loadgen } from './loadgen/control.js';
import { roomNames, type ScenarioContext, type SharedPopulation } from './scenarios/context.js';
import type { S4Run, TargetResults } from './scenarios/results.js';
import { runA1 } from './scenarios/a1.js';
import { runS1, s1Rooms, S1_ROOM_PREFIX } from './scenarios/s1.js';
import { runS1L } from './scenarios/s1l.js';
import { runS2, s2Room } from './scenarios/s2.js';
import { runS3, s3Rooms, S3_ROOM_PREFIX } from './scenarios/s3.js';
import { runS3P } from './scenarios/s3p.js';
import { runS3R } from './scenarios/s3r.js';
import { runS3W } from './scenarios/s3w.js';
import { runS4Cluster, runS4OneNode, S4_ROOM } from './scenarios/s4.js';
import { runS4S } from './scenarios/s4s.js';
import { runS5, s5Rooms, S5_ROOM_PREFIX } from './scenarios/s5.js';
import { runS6, S6_ROOM } from './scenarios/s6.js';
import { startTarget, type Target } from './servers/index.js';
import { dialectOf, isParley, protocolOf, type ScenarioName, type TargetName } from './types.js';

export interface SetOptions {
  mode: 'quick' | 'full';
  scenarios: ScenarioName[];
  targets: TargetName[];
  sioClient: 'raw' | 'official';
  config: BenchConfig;
  loadgen: Loadgen;
  serverCpu: string | null;
  profileDir: string | null;
  log(line: string): void;
  /** Said once for the report, however many runs say it. */
  note(line: string): void;
  /** Which targets each scenario runs on (`--goals`); a scenario not in it runs on every target. */
  plan?: ScenarioPlan;
}

export type ScenarioPlan = Partial<Record<ScenarioName, readonly TargetName[]>>;

/** Whether `scenario` is selected and runs on `target` under the plan. */
function runsOn(opts: Pick<SetOptions, 'scenarios' | 'plan'>, scenario: ScenarioName, target: TargetName) {
  const only = opts.plan?.[scenario];
  return opts.scenarios.includes(scenario) && (!only || only.includes(target));
}

/**
 * S1L's Parley server takes new connections as fast as they come: its node-wide limit (2,000 a second by
 * default) would otherwise be the connect rate measured. Loopback peers are exempt from the per-address ones.
 */
export const S1L_PARLEY_ENV = { PARLEY_NEW_CONNECTIONS_PER_SECOND: '10000000' };

/** Every room the selected scenarios use, created before any client connects (room_created goes to everyone). */
function roomsFor(scenarios: ScenarioName[], ctx: Pick<ScenarioContext, 'config'>): string[] {
  const rooms: string[] = [];
  const has = (s: ScenarioName) => scenarios.includes(s);
  if (has('S1')) rooms.push(...roomNames(S1_ROOM_PREFIX, s1Rooms(ctx)));
  if (has('S2')) rooms.push(...ctx.config.s2.sizes.map(s2Room));
  if (has('S3') || has('S3R') || has('S3W') || has('A1'))
    rooms.push(...roomNames(S3_ROOM_PREFIX, s3Rooms(ctx)));
  if (has('S4')) rooms.push(S4_ROOM);
  if (has('S5') && !has('S1')) rooms.push(...roomNames(S5_ROOM_PREFIX, s5Rooms(ctx)));
  if (has('S6')) rooms.push(S6_ROOM);
  return rooms;
}

async function attempt<T>(
  results: TargetResults,
  label: string,
  log: (l: string) => void,
  fn: () => Promise<T>,
) {
  const started = Date.now();
  try {
    return await fn();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    results.errors.push(`${label}: ${message}`);
    log(`${label} failed: ${message.split('\n').slice(0, 5).join(' | ')}`);
    return undefined;
  } finally {
    results.seconds[label] = Math.round((Date.now() - started) / 100) / 10;
  }
}

async function runS1LOn(
  opts: SetOptions,
  results: Partial<Record<TargetName, TargetResults>>,
): Promise<void> {
  const planned = opts.targets.filter((t) => runsOn(opts, 'S1L', t));
  const wsTargets = planned.filter((t) => protocolOf(t) === 'ws');
  if (wsTargets.length < planned.length) opts.note('S1L ran on the native WebSocket targets only.');
  if (wsTargets.some(isParley)) {
    opts.note(
      'S1L: Parley ran with PARLEY_NEW_CONNECTIONS_PER_SECOND=10000000 (no node-wide connect rate limit).',
    );
  }
  for (const name of wsTargets) {
    const targetResults = (results[name] ??= { errors: [], seconds: {} });
    const log = (line: string) => opts.log(`${name} ${line}`);
    log('S1L on a fresh server');
    await attempt(targetResults, 'S1L', log, async () => {
      const target = await startTarget(name, {
        cpu: opts.serverCpu,
        env: isParley(name) ? S1L_PARLEY_ENV : {},
      });
      try {
        const ctx: ScenarioContext = { ...contextBase(opts, name), target, log };
        targetResults.S1L = await runS1L(ctx);
      } finally {
        await target.stop();
      }
    });
  }
}

/** S4-scale on three nodes of its own, for the Parley targets (the routing is Parley's). */
async function runS4SOn(opts: SetOptions, results: Partial<Record<TargetName, TargetResults>>) {
  const parley = opts.targets.filter((t) => isParley(t) && runsOn(opts, 'S4S', t));
  const targets = opts.mode === 'quick' ? parley.filter((t) => t.endsWith('-ws')) : parley;
  for (const name of targets) {
    const targetResults = (results[name] ??= { errors: [], seconds: {} });
    const log = (line: string) => opts.log(`${name} ${line}`);
    log('S4S on three nodes');
    const ctx = { ...contextBase(opts, name), log };
    targetResults.S4S = await attempt(targetResults, 'S4S', log, () => runS4S(ctx, name, opts.serverCpu));
    if (targetResults.S4S?.skipped) opts.note(`S4S ${name}: ${targetResults.S4S.skipped}`);
  }
}

/** S3 on PostgreSQL, on a node of its own, for parley-ws unless the plan names other Parley targets. */
async function runS3POn(opts: SetOptions, results: Partial<Record<TargetName, TargetResults>>) {
  const planned = opts.plan?.S3P
    ? opts.targets.filter((t) => runsOn(opts, 'S3P', t))
    : ['parley-ws' as const];
  for (const name of planned.filter((t) => isParley(t) && opts.targets.includes(t))) {
    const targetResults = (results[name] ??= { errors: [], seconds: {} });
    const log = (line: string) => opts.log(`${name} ${line}`);
    log('S3P on PostgreSQL');
    const ctx = { ...contextBase(opts, name), log };
    targetResults.S3P = await attempt(targetResults, 'S3P', log, () => runS3P(ctx, name, opts.serverCpu));
    if (targetResults.S3P?.skipped) opts.note(`S3P ${name}: ${targetResults.S3P.skipped}`);
  }
}

function contextBase(opts: SetOptions, name: TargetName): Omit<ScenarioContext, 'target' | 'log'> {
  const protocol: Protocol =
    dialectOf(name) ??
    (protocolOf(name) === 'sio' && opts.sioClient === 'official' ? 'sio-official' : protocolOf(name));
  return { config: opts.config, loadgen: opts.loadgen, protocol, profileDir: opts.profileDir };
}

export async function runSet(opts: SetOptions): Promise<Partial<Record<TargetName, TargetResults>>> {
  const { config, loadgen, serverCpu, profileDir } = opts;
  const log = opts.log;
  const results: Partial<Record<TargetName, TargetResults>> = {};
  const oneNode = new Map<TargetName, S4Run>();
  const protocolFor = (t: TargetName): Protocol => contextBase(opts, t).protocol;
  const has = (s: ScenarioName) => opts.scenarios.includes(s);
  const ownNodes: ScenarioName[] = ['S1L', 'S4S', 'S3P'];
  const perTarget = (t: TargetName) =>
    opts.scenarios.filter((s) => !ownNodes.includes(s) && runsOn(opts, s, t));

  for (const name of opts.targets.filter((t) => perTarget(t).length > 0)) {
    const on = (s: ScenarioName) => runsOn(opts, s, name);
    const targetResults: TargetResults = { errors: [], seconds: {} };
    results[name] = targetResults;
    log(`${name}: starting`);
    let target: Target;
    try {
      target = await startTarget(name, { cpu: serverCpu });
    } catch (err) {
      targetResults.errors.push(`start: ${err instanceof Error ? err.message : String(err)}`);
      log(`${name}: failed to start`);
      continue;
    }
    const ctx: ScenarioContext = {
      config,
      loadgen,
      target,
      protocol: protocolFor(name),
      profileDir,
      log: (line) => log(`${name} ${line}`),
    };
    try {
      await target.ensureRooms(roomsFor(perTarget(name), ctx));
      // S5 drops "all clients of S1": when both run, they share one population (Parley: typed clients).
      const sharedS1 = on('S1') && on('S5');
      const typed = sharedS1 && isParley(name);
      const s1 = on('S1')
        ? await attempt(targetResults, 'S1', ctx.log, () => runS1(ctx, { typed, keep: sharedS1 }))
        : undefined;
      targetResults.S1 = s1?.result;
      if (on('S5')) {
        const pop = sharedS1 && s1 ? { pop: 's1', populate: s1.populate, typed } : null;
        if (sharedS1 && !s1) await loadgen.run('close', { pop: 's1' });
        targetResults.S5 = await attempt(targetResults, 'S5', ctx.log, () => runS5(ctx, pop));
      }
      // S2's rooms serve S4's one-node run and S6 when the sizes match (S6 last: it spoils its room).
      const keep = new Set<number>();
      if (on('S4') && config.s2.sizes.includes(config.s4.members)) keep.add(config.s4.members);
      if (on('S6') && config.s2.sizes.includes(config.s6.members)) keep.add(config.s6.members);
      if (on('S2')) {
        targetResults.S2 = await attempt(targetResults, 'S2', ctx.log, () => runS2(ctx, keep));
      }
      // Only a room whose members all survived S2's last step is reused.
      const kept = (members: number): SharedPopulation | null =>
        keep.has(members) && targetResults.S2?.sizes.some((s) => s.members === members && s.intact)
          ? { pop: `s2-${members}`, members }
          : null;
      // Quick runs put only the ws targets on two nodes: the one-node reference is for them alone.
      if (on('S4') && (opts.mode === 'full' || name.endsWith('-ws'))) {
        const shared = kept(config.s4.members);
        const run = await attempt(targetResults, 'S4 one node', ctx.log, () => runS4OneNode(ctx, shared));
        if (run) oneNode.set(name, run);
      }
      if (on('S6')) {
        const shared = kept(config.s6.members);
        targetResults.S6 = await attempt(targetResults, 'S6', ctx.log, () => runS6(ctx, shared));
      }
      for (const members of keep) await loadgen.run('close', { pop: `s2-${members}` });
      if (on('S3')) targetResults.S3 = await attempt(targetResults, 'S3', ctx.log, () => runS3(ctx));
      if (on('S3R')) targetResults.S3R = await attempt(targetResults, 'S3R', ctx.log, () => runS3R(ctx));
      // Webhooks are Parley's own: the baselines have nothing to compare.
      if (on('S3W') && isParley(name)) {
        targetResults.S3W = await attempt(targetResults, 'S3W', ctx.log, () => runS3W(ctx));
      }
      if (on('A1')) {
        targetResults.A1 = (await attempt(targetResults, 'A1', ctx.log, () => runA1(ctx))) ?? undefined;
      }
    } finally {
      await target.stop();
    }
  }
  if (has('S4')) {
    // Quick runs check the two-node path on one framing of each kind only.
    const planned = opts.targets.filter((t) => runsOn(opts, 'S4', t));
    const clustered = opts.mode === 'quick' ? planned.filter((t) => t.endsWith('-ws')) : planned;
    if (clustered.length < planned.length) {
      opts.note(`S4 ran on two nodes for ${clustered.join(' and ')} only (quick run).`);
    }
    for (const name of clustered) {
      const targetResults = results[name];
      if (!targetResults) continue;
      log(`${name}: S4 on two nodes`);
      const ctx = {
        config,
        loadgen,
        protocol: protocolFor(name),
        profileDir,
        log: (l: string) => log(`${name} ${l}`),
      };
      targetResults.S4 = await attempt(targetResults, 'S4', ctx.log, () =>
        runS4Cluster(ctx, name, serverCpu, oneNode.get(name) ?? null),
      );
      if (targetResults.S4?.skipped) opts.note(`S4 ${name}: ${targetResults.S4.skipped}`);
    }
  }
  if (has('S4S')) await runS4SOn(opts, results);
  if (has('S3P')) await runS3POn(opts, results);
  if (has('S1L')) await runS1LOn(opts, results);
  return results;
}
