/**
 * One fan-out step (S2, S4, S6): one member publishes open-loop at a fixed rate into the room every member is
 * in; every member records the latency of each delivery from the message's scheduled send time (so a stalled
 * server or generator shows up as latency instead of slowing the offered load), and loss and duplicates by
 * the payload seq.
 */
import { monitorEventLoopDelay, performance, type RecordableHistogram } from 'node:perf_hooks';
import type { BenchClient } from './clients.js';
import { CutWatch } from './cutWatch.js';
import { LOOP_RESOLUTION_MS, loopDelayMs, newHistogram, recordMs, summarize } from './hist.js';
import { encodePayload, makePad, type Payload } from './payload.js';
import type { RawPopulation } from './population.js';
import type { FanoutArgs, FanoutResult, WindowStat } from './protocol.js';
import { RestPublisher } from './restPublisher.js';
import { SeqStream } from './seq.js';

export type Mark = (name: string) => void;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runFanout(pop: RawPopulation, args: FanoutArgs, mark: Mark): Promise<FanoutResult> {
  const clients = pop.clients;
  const publisher = clients[args.publisher];
  if (!publisher) throw new Error(`no publisher at ${args.publisher}`);
  const room = pop.rooms[args.publisher] as string;
  const memberPositions = pop.members.get(room) ?? [];
  const groups = Math.max(1, args.groups ?? 1);
  const pad = args.padChars > 0 ? makePad(args.padChars) : '';
  const P = publisher.index;
  const interval = 1000 / args.rate;

  const slow = new Set<number>();
  if (args.slow) {
    for (const position of memberPositions) {
      if (position !== args.publisher && position % args.slow.every === args.slow.every - 1)
        slow.add(position);
    }
  }

  const floor = pop.nextSeq[args.publisher] as number;
  // Per receiver state, indexed by the client's position in the population (no Map lookups per delivery).
  const streamAt: (SeqStream | undefined)[] = [];
  const groupAt: number[] = [];
  const positionOf = new Map<BenchClient, number>();
  const healthy: number[] = [];
  for (const position of memberPositions) {
    positionOf.set(clients[position] as BenchClient, position);
    streamAt[position] = new SeqStream(floor);
    groupAt[position] = position % groups;
    if (!slow.has(position)) healthy.push(position);
  }

  const all = newHistogram();
  const byGroup: RecordableHistogram[] = Array.from({ length: groups }, () => newHistogram());
  const timeSeries = args.windowMs !== undefined && args.windowMs > 0;
  let windowHist = newHistogram();
  const windows: WindowStat[] = [];
  let firstMeasured = Number.POSITIVE_INFINITY;
  let lastMeasured = Number.POSITIVE_INFINITY;
  let inWindow = false;
  let deliveriesInWindow = 0;
  let duplicates = 0;
  const slowClients = new Set<BenchClient>([...slow].map((p) => clients[p] as BenchClient));

  const deliver = (position: number, payload: Payload) => {
    if (inWindow) deliveriesInWindow++;
    if (payload.p !== P || slow.has(position)) return;
    const stream = streamAt[position];
    if (!stream) return;
    if (!stream.receive(payload.seq)) {
      if (payload.seq >= floor) duplicates++;
      return;
    }
    const latency = performance.now() - payload.t0;
    if (timeSeries) recordMs(windowHist, latency);
    if (payload.seq >= firstMeasured && payload.seq <= lastMeasured) {
      recordMs(all, latency);
      if (groups > 1) recordMs(byGroup[groupAt[position] as number] as RecordableHistogram, latency);
    }
  };
  for (const [client, position] of positionOf)
    client.onDelivery = (_c, payload) => deliver(position, payload);

  const sendErrors: Record<string, number> = {};
  const onReply = (error: string | null) => {
    if (error !== null) sendErrors[error] = (sendErrors[error] ?? 0) + 1;
  };

  const rest = args.rest ? new RestPublisher(args.rest, room) : null;
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  const start = performance.now();
  const measureStart = start + args.warmupMs;
  const measureEnd = measureStart + args.measureMs;
  let sent = 0;
  let seq = floor;
  let windowStart = start;

  let cutWatch: CutWatch | null = null;
  await new Promise<void>((resolve) => {
    let paused = false;
    const tick = () => {
      const now = performance.now();
      if (args.slow && !paused && now - start >= args.slow.pauseAtMs) {
        paused = true;
        for (const c of slowClients) c.pause();
        cutWatch = new CutWatch([...slowClients]);
      }
      if (!inWindow && now >= measureStart && now < measureEnd) {
        inWindow = true;
        loopDelay.enable();
        mark('measure-start');
      }
      if (timeSeries && now - windowStart >= (args.windowMs ?? 0)) {
        const s = summarize(windowHist);
        windows.push({ t: Math.round(windowStart - start), count: s.count, p50: s.p50, p99: s.p99 });
        windowHist = newHistogram();
        windowStart = now;
      }
      const due = Math.min(
        Math.floor((now - start) / interval) + 1,
        Math.ceil((measureEnd - start) / interval),
      );
      while (sent < due) {
        const t0 = start + sent * interval;
        if (t0 >= measureStart && firstMeasured === Number.POSITIVE_INFINITY) firstMeasured = seq;
        const text = encodePayload(P, seq, t0, pad);
        if (rest) rest.post(text, onReply);
        else publisher.post('send', { room, text }, onReply);
        seq++;
        sent++;
      }
      if (now >= measureEnd) {
        inWindow = false;
        loopDelay.disable();
        mark('measure-end');
        resolve();
        return;
      }
      setTimeout(tick, 1);
    };
    tick();
  });
  lastMeasured = seq - 1;
  pop.nextSeq[args.publisher] = seq;
  const highestOf = (position: number) => streamAt[position]?.highest ?? 0;
  const measuredSec = args.measureMs / 1000;

  // Drain: until every healthy member has the last measured message, or the drain time is up.
  const drainUntil = performance.now() + args.drainMs;
  while (performance.now() < drainUntil) {
    if (healthy.every((position) => highestOf(position) >= lastMeasured)) break;
    await sleep(20);
  }
  if (timeSeries) {
    const s = summarize(windowHist);
    windows.push({ t: Math.round(windowStart - start), count: s.count, p50: s.p50, p99: s.p99 });
  }
  let missing = 0;
  for (const position of healthy) {
    missing += streamAt[position]?.lostBetween(firstMeasured, lastMeasured) ?? 0;
  }

  let slowResult: FanoutResult['slow'] = null;
  if (args.slow) {
    const closeCodes: Record<string, number> = {};
    let closed = 0;
    const waiting = new Set<BenchClient>();
    for (const c of slowClients) {
      if (!c.connected) {
        closed++;
        closeCodes[String(c.lastCloseCode)] = (closeCodes[String(c.lastCloseCode)] ?? 0) + 1;
        continue;
      }
      waiting.add(c);
      c.onClose = (client, code) => {
        waiting.delete(client);
        closed++;
        closeCodes[String(code)] = (closeCodes[String(code)] ?? 0) + 1;
      };
      c.resume();
    }
    const until = performance.now() + args.slow.closeWaitMs;
    while (waiting.size > 0 && performance.now() < until) await sleep(50);
    // The server's cuts are what the watch times: give the ones not yet seen the rest of the wait too.
    const watch = cutWatch as CutWatch | null;
    while (watch && !watch.allCut && performance.now() < until) await sleep(50);
    for (const c of waiting) c.onClose = null;
    const cut = watch?.stop() ?? null;
    slowResult = {
      paused: slowClients.size,
      closed,
      closeCodes,
      cutMs: cut?.cutMs ?? [],
      cutFrom: cut?.source ?? null,
    };
  }
  for (const client of positionOf.keys()) client.onDelivery = null;
  rest?.close();

  const disconnected: Record<string, number> = {};
  for (const position of healthy) {
    const client = clients[position] as BenchClient;
    if (!client.connected)
      disconnected[String(client.lastCloseCode)] = (disconnected[String(client.lastCloseCode)] ?? 0) + 1;
  }
  const members = memberPositions.length;
  return {
    disconnected,
    rate: args.rate,
    members,
    offeredDeliveriesPerSec: Math.round(args.rate * members),
    achievedDeliveriesPerSec: Math.round(deliveriesInWindow / measuredSec),
    published: sent,
    sendErrors,
    latency: summarize(all),
    byGroup: groups > 1 ? byGroup.map(summarize) : [],
    missing,
    duplicates,
    windows,
    slow: slowResult,
    loadgenEldP99Ms: loopDelay.count > 0 ? loopDelayMs(loopDelay.percentile(99)) : 0,
  };
}
