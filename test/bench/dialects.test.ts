/**
 * The dialect targets of the benchmark: their load generator clients join a room in each seed dialect and see a
 * message published over REST with the payload the fan-out reads (a real server, real sockets); the command
 * line keeps them to S2 with the REST publisher; and the goals table has a row per dialect.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchClient } from '../../bench/loadgen/clients.js';
import { encodePayload, type Payload } from '../../bench/loadgen/payload.js';
import { closePopulation, populate, type RawPopulation } from '../../bench/loadgen/population.js';
import { RestPublisher } from '../../bench/loadgen/restPublisher.js';
import { REPO_ROOT } from '../../bench/proc.js';
import { performanceGoals } from '../../bench/report/goals.js';
import type { BenchReport } from '../../bench/report/types.js';
import type { BenchConfig } from '../../bench/config.js';
import { checkDialectTargets, parseCli } from '../../bench/run.js';
import { DIALECTS, type DialectName } from '../../bench/types.js';
import { api, patchApp } from '../native/helpers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

describe('dialect clients of the load generator', () => {
  let srv: TestServer;

  beforeAll(async () => {
    srv = await startTestServer();
    await patchApp(srv, { allowGuests: true, guestsCanWrite: true });
    await api(srv, 'POST', '/api/v1/apps/1/rooms', { name: 'bench-room-0' });
  });

  afterAll(async () => {
    await srv.close();
  });

  it.each(DIALECTS)('%s: three members join and each receives a REST-published payload', async (dialect) => {
    const { population, result } = await populate({
      pop: dialect,
      protocol: dialect as DialectName,
      urls: [srv.url],
      count: 3,
      roomPrefix: 'bench-room-',
      roomSize: 3,
      namePrefix: `${dialect.slice(0, 4)}u`,
      concurrency: 3,
      adminKey: srv.adminKey,
    });
    expect(result.errors).toEqual({});
    expect(result.connected).toBe(3);
    const pop = population as RawPopulation;
    const room = pop.rooms[0] as string;
    const got = new Map<BenchClient, Payload>();
    for (const c of pop.clients) c.onDelivery = (client, payload) => got.set(client, payload);
    const rest = new RestPublisher({ baseUrl: srv.url, adminKey: srv.adminKey, username: 'rest-pub' }, room);
    const posted = await new Promise<string | null>((resolve) =>
      rest.post(encodePayload(7, 1, 123.5), resolve),
    );
    rest.close();
    expect(posted).toBeNull();
    await waitFor(() => (got.size === 3 ? true : null), { label: `${dialect} deliveries` });
    expect([...got.values()]).toEqual(Array.from({ length: 3 }, () => ({ p: 7, seq: 1, t0: 123.5 })));
    await closePopulation(population);
  });
});

describe('dialect targets on the command line', () => {
  const base = ['--quick', '--target', 'parley-numeric'];

  it('are not in the default targets', () => {
    expect(parseCli(['--quick']).targets).not.toContain('parley-numeric');
    expect(parseCli([...base, '--scenario', 'S2']).targets).toEqual(['parley-numeric']);
  });

  it('run S2 with the REST publisher only, and say so', () => {
    const s2 = parseCli([...base, '--scenario', 'S2']);
    expect(() => checkDialectTargets(s2, s2.config as BenchConfig)).toThrow('s2.restPublisher=1');
    const rest = parseCli([...base, '--scenario', 'S2,S3', '--set', 's2.restPublisher=1']);
    expect(() => checkDialectTargets(rest, rest.config as BenchConfig)).toThrow('not S3');
    const ok = parseCli([...base, '--scenario', 'S2', '--set', 's2.restPublisher=1']);
    expect(() => checkDialectTargets(ok, ok.config as BenchConfig)).not.toThrow();
  });

  it('run under --goals, whose plan gives them S2 alone', () => {
    const goals = parseCli(['--goals']);
    expect(goals.targets).toContain('parley-numeric');
    expect(() => checkDialectTargets(goals, goals.config as BenchConfig)).not.toThrow();
  });
});

describe('dialect goals', () => {
  const full = JSON.parse(
    readFileSync(join(REPO_ROOT, 'bench/results/2026-11-22T034416Z.json'), 'utf8'),
  ) as BenchReport;

  it('holds each dialect to its framing baseline, and the numeric knee to both', () => {
    // parley-numeric as fast as parley-ws was: the same ratio to the ws ceiling (1.43×, test/bench/goals.test.ts).
    const report = { ...full, results: { ...full.results, 'parley-numeric': full.results['parley-ws'] } };
    const goals = performanceGoals(report as BenchReport);
    const numeric = goals.find((g) => g.goal.includes('parley-numeric CPU per delivery'));
    expect(numeric?.goal).toContain("the ws ceiling's");
    expect(numeric?.figure).toContain('1.43×');
    expect(goals.find((g) => g.goal.includes('parley-eventchat CPU per delivery'))).toMatchObject({
      met: null,
      why: expect.stringContaining('baseline-sio') as unknown,
    });
    const knees = goals.filter((g) => g.goal.includes('knee') && g.goal.includes('parley-numeric'));
    expect(knees.map((g) => g.met !== null)).toEqual([true, true]);
    expect(
      goals.filter((g) => g.goal.includes('CPU per delivery') && g.goal.includes('parley-')),
    ).toHaveLength(7);
  });
});
