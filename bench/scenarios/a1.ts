/**
 * A1, an attack beside a chat load: while S3's chat shape runs small (A1's users at A1's rate), one address
 * fires wrong passwords at one account and a burst of connection attempts. Parley's limits should answer the
 * guesses with 429 before hashing most of them, refuse most attempts with 503 before any handshake, let a
 * second address connect at once, and leave the chat's send→ack p99 near the same run's quiet phase. The
 * attacker's address reaches the server as X-Forwarded-For through the trusted loopback proxy (the bench's
 * Parley trusts loopback), since loopback peers themselves are exempt from per-address limits.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { isParley, type TargetName } from '../types.js';
import type { ScenarioContext } from './context.js';
import { waitQuiet } from './context.js';
import type { A1Result, TargetResults } from './results.js';
import { chatStep, S3_ROOM_PREFIX } from './s3.js';

const ATTACKER = '203.0.113.66';
const BYSTANDER = '198.51.100.7';
const VICTIM = 'a1victim';

function metricValue(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
}

async function passwordHashes(url: string): Promise<number> {
  return metricValue(await (await fetch(`${url}/metrics`)).text(), 'parley_password_hashes_total');
}

/** One WebSocket attempt from `address`: the status it was refused with, 101 when it opened (then closed). */
function attempt(url: string, address: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?app=1`, {
      headers: { 'x-forwarded-for': address },
    });
    const done = (status: number) => {
      resolve({ status, ms: performance.now() - started });
      ws.terminate();
    };
    ws.once('open', () => done(101));
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      done(res.statusCode ?? 0);
    });
    ws.once('error', () => done(0));
  });
}

async function guesses(url: string, count: number): Promise<Record<string, number>> {
  const statuses: Record<string, number> = {};
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const res = await fetch(`${url}/api/v1/apps/1/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ATTACKER },
        body: JSON.stringify({ username: VICTIM, password: `wrong-password-${i}` }),
      });
      await res.arrayBuffer();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
  return statuses;
}

async function flood(url: string, count: number, inFlight: number) {
  const statuses: Record<string, number> = {};
  let next = 0;
  const bystander: { ms: number | null } = { ms: null };
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      next += 1;
      // Halfway through, another address connects: it must not wait behind the flood.
      if (next === Math.floor(count / 2)) bystander.ms = (await attempt(url, BYSTANDER)).ms;
      const { status } = await attempt(url, ATTACKER);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { statuses, elapsedMs: Math.round(performance.now() - started), bystanderMs: bystander.ms };
}

export async function runA1(ctx: ScenarioContext): Promise<A1Result | null> {
  if (!isParley(ctx.target.name)) return null;
  const cfg = ctx.config.a1;
  const { target, loadgen } = ctx;
  const url = target.urls[0] as string;
  await fetch(`${url}/api/v1/apps/1/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: VICTIM, password: 'the-right-password' }),
  }).then((res) => res.arrayBuffer());
  await loadgen.run('populate', {
    pop: 'a1',
    protocol: ctx.protocol,
    urls: target.urls,
    count: cfg.users,
    roomPrefix: S3_ROOM_PREFIX,
    roomSize: cfg.roomSize,
    namePrefix: 'a1u',
    concurrency: 50,
  });
  await waitQuiet(target.pids);
  const step = { warmupMs: cfg.warmupMs, measureMs: cfg.measureMs, drainMs: cfg.drainMs };
  const quiet = await chatStep(ctx, 'a1', cfg.rate, undefined, step);
  await waitQuiet(target.pids);

  const hashesBefore = await passwordHashes(url);
  const attacked = chatStep(ctx, 'a1', cfg.rate, undefined, step);
  await sleep(cfg.warmupMs);
  const [logins, connections] = await Promise.all([
    guesses(url, cfg.passwords),
    flood(url, cfg.attempts, cfg.inFlight),
  ]);
  const underAttack = await attacked;
  const hashes = (await passwordHashes(url)) - hashesBefore;
  await loadgen.run('close', { pop: 'a1' });

  const refused503 = connections.statuses['503'] ?? 0;
  const ratio = quiet.ack.p99 > 0 ? Math.round((underAttack.ack.p99 / quiet.ack.p99) * 100) / 100 : null;
  ctx.log(
    `A1: logins ${JSON.stringify(logins)}, ${hashes} hashes; connections ${JSON.stringify(connections.statuses)} ` +
      `in ${connections.elapsedMs} ms; bystander ${connections.bystanderMs?.toFixed(1)} ms; ` +
      `ack p99 ${quiet.ack.p99} → ${underAttack.ack.p99} ms`,
  );
  return {
    users: cfg.users,
    rate: cfg.rate,
    passwords: cfg.passwords,
    logins,
    rateLimited: logins['429'] ?? 0,
    passwordHashes: hashes,
    attempts: cfg.attempts,
    connections: connections.statuses,
    connectionsMs: connections.elapsedMs,
    refusedShare: Math.round((refused503 / cfg.attempts) * 1000) / 10,
    bystanderConnectMs:
      connections.bystanderMs === null ? null : Math.round(connections.bystanderMs * 10) / 10,
    quiet,
    underAttack,
    ackP99Ratio: ratio,
  };
}

/** The report's A1 table: one row per Parley target that ran it. */
export function a1Table(
  results: Partial<Record<TargetName, TargetResults>>,
  targets: readonly TargetName[],
): { header: string[]; rows: string[][] } | null {
  const rows = targets.flatMap((t) => {
    const r = results[t]?.A1;
    if (!r) return [];
    return [
      [
        t,
        `${r.users} / ${r.rate}`,
        `${r.rateLimited} of ${r.passwords}`,
        String(r.passwordHashes),
        `${r.refusedShare}% of ${r.attempts} in ${r.connectionsMs} ms`,
        r.bystanderConnectMs === null ? '–' : `${r.bystanderConnectMs} ms`,
        `${r.quiet.ack.p99} → ${r.underAttack.ack.p99} ms`,
        r.ackP99Ratio === null ? '–' : `${r.ackP99Ratio}×`,
      ],
    ];
  });
  if (rows.length === 0) return null;
  return {
    header: [
      'Target',
      'Chat users / msg/s',
      'Logins 429',
      'Password hashes',
      'Attempts refused 503',
      'Other address connects',
      'Chat ack p99 quiet → attack',
      'Ratio',
    ],
    rows,
  };
}
