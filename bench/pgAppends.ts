/**
 * PostgreSQL appends straight against the store, with group commit (batched) and without (one transaction per
 * append), in alternating rounds of the same run so that both see the same machine. Each round opens a store on a
 * fresh schema and drives appends for a while: closed loop (`--appenders` each waiting for its ack before the
 * next) or open loop (`--rate` appends per second, spread over `--rooms`, whatever the acks do). Reports appends
 * committed per second, ack latency (p50, p99), this process's CPU time per append, and batched/unbatched ratios.
 *
 *   node --import tsx bench/pgAppends.ts [--url postgres://…] [--rooms 100] [--appenders 200] [--rate 0]
 *     [--seconds 5] [--rounds 3]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { z } from 'zod';
import { DEFAULT_APP_SETTINGS } from '../src/core/apps.js';
import type { Room } from '../src/core/types.js';
import type { NewMessage, Store } from '../src/engine/ports/store.js';
import { openPostgresStore } from '../src/store/postgres/index.js';

const Options = z.object({
  url: z.string().min(1),
  rooms: z.coerce.number().int().min(1).max(10_000),
  appenders: z.coerce.number().int().min(1).max(10_000),
  rate: z.coerce.number().int().min(0).max(1_000_000),
  seconds: z.coerce.number().min(1).max(600),
  rounds: z.coerce.number().int().min(1).max(20),
});
type Options = z.infer<typeof Options>;

interface Round {
  batched: boolean;
  appends: number;
  failed: number;
  perSecond: number;
  p50: number;
  p99: number;
  cpuUsPerAppend: number;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

async function setUp(opts: Options, batched: boolean) {
  const schema = `parley_bench_${randomBytes(6).toString('hex')}`;
  const store = await openPostgresStore({ connectionString: opts.url, schema, batchAppends: batched });
  const app = await store.directory.createApp('bench', DEFAULT_APP_SETTINGS, Date.now());
  const user = await store.directory.createUser(
    app.id,
    { username: 'bench', role: 'member', kind: 'account', passwordHash: null },
    Date.now(),
  );
  const rooms: Room[] = [];
  for (let i = 0; i < opts.rooms; i++) {
    rooms.push(
      await store.directory.createRoom(app.id, { name: `r${i}`, visibility: 'public', createdBy: null }, 0),
    );
  }
  let n = 0;
  const next = (): NewMessage => {
    n += 1;
    const room = rooms[n % rooms.length] as Room;
    const text = `message ${n}`;
    const createdAt = Date.now();
    return {
      appId: app.id,
      roomId: room.id,
      kind: 'text',
      authorId: user.id,
      text,
      html: text,
      clientMsgId: `c${n}`,
      createdAt,
    };
  };
  return { schema, store, next };
}

/** Appends until `ms` have passed; the latencies of those acknowledged, and how many failed. */
async function drive(store: Store, next: () => NewMessage, opts: Options, ms: number) {
  const latencies: number[] = [];
  let failed = 0;
  const end = performance.now() + ms;
  const one = async (): Promise<void> => {
    const started = performance.now();
    try {
      await store.messages.append(next());
      latencies.push(performance.now() - started);
    } catch {
      failed += 1;
    }
  };
  if (opts.rate === 0) {
    await Promise.all(
      Array.from({ length: opts.appenders }, async () => {
        while (performance.now() < end) await one();
      }),
    );
  } else {
    const inFlight = new Set<Promise<void>>();
    const startedAt = performance.now();
    let sent = 0;
    while (performance.now() < end) {
      const due = Math.floor(((performance.now() - startedAt) / 1000) * opts.rate);
      for (; sent < due; sent++) {
        const p = one().finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(inFlight);
  }
  return { latencies, failed };
}

async function round(opts: Options, batched: boolean): Promise<Round> {
  const { schema, store, next } = await setUp(opts, batched);
  try {
    await drive(store, next, opts, 1000); // warm-up: prepared statements, pool connections
    const cpu = process.cpuUsage();
    const started = performance.now();
    const { latencies, failed } = await drive(store, next, opts, opts.seconds * 1000);
    const elapsed = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const sorted = latencies.sort((a, b) => a - b);
    return {
      batched,
      appends: sorted.length,
      failed,
      perSecond: sorted.length / elapsed,
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      cpuUsPerAppend: (used.user + used.system) / Math.max(1, sorted.length),
    };
  } finally {
    await store.close();
    const admin = new pg.Client({ connectionString: opts.url });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    await admin.end();
  }
}

const median = (xs: number[]) =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );
const spread = (xs: number[]) => (Math.max(...xs) - Math.min(...xs)) / Math.max(1e-9, median(xs));
const fmt = (x: number, digits = 1) => x.toFixed(digits);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: {
        type: 'string',
        default: process.env.PARLEY_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
      },
      rooms: { type: 'string', default: '100' },
      appenders: { type: 'string', default: '200' },
      rate: { type: 'string', default: '0' },
      seconds: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '3' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(
      'usage: node --import tsx bench/pgAppends.ts [--url] [--rooms] [--appenders] [--rate] [--seconds] [--rounds]',
    );
    return;
  }
  const opts = Options.parse(values);
  const load = opts.rate === 0 ? `${opts.appenders} closed-loop appenders` : `${opts.rate}/s open loop`;
  console.log(
    `PostgreSQL appends: ${load}, ${opts.rooms} rooms, ${opts.rounds} × ${opts.seconds} s per mode`,
  );
  const rounds: Round[] = [];
  for (let i = 0; i < opts.rounds; i++) {
    for (const batched of [false, true]) {
      const r = await round(opts, batched);
      rounds.push(r);
      console.log(
        `${batched ? 'batched  ' : 'unbatched'} ${fmt(r.perSecond, 0).padStart(7)}/s  p50 ${fmt(r.p50)} ms  ` +
          `p99 ${fmt(r.p99)} ms  cpu ${fmt(r.cpuUsPerAppend, 0)} µs/append  failed ${r.failed}`,
      );
    }
  }
  const of = (batched: boolean, key: 'perSecond' | 'p99' | 'cpuUsPerAppend') =>
    rounds.filter((r) => r.batched === batched).map((r) => r[key]);
  for (const key of ['perSecond', 'p99', 'cpuUsPerAppend'] as const) {
    const before = of(false, key);
    const after = of(true, key);
    console.log(
      `${key}: batched/unbatched = ${fmt(median(after) / median(before), 2)} ` +
        `(medians ${fmt(median(after))} vs ${fmt(median(before))}; spread between rounds ` +
        `${fmt(spread(after) * 100, 0)}% batched, ${fmt(spread(before) * 100, 0)}% unbatched)`,
    );
  }
}

await main();
