/**
 * The chat shape (S3): every user sends, open-loop, at rate / users messages per second (round robin, so the
 * sends are spread evenly); send→ack and send→deliver latencies, both from the scheduled send time.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { BenchClient } from './clients.js';
import { LOOP_RESOLUTION_MS, loopDelayMs, newHistogram, recordMs, summarize } from './hist.js';
import { encodePayload, type Payload } from './payload.js';
import { nodeOf, type RawPopulation } from './population.js';
import type { ChatArgs, ChatResult } from './protocol.js';
import { SeqTracker } from './seq.js';
import type { Mark } from './fanout.js';
import { ExtrasDriver } from './extras.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A stride coprime with n, so that consecutive sends go to users far apart (different rooms). */
function strideFor(n: number, roomSize: number): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let stride = Math.max(1, roomSize + 1);
  while (gcd(stride, n) !== 1) stride++;
  return stride % n || 1;
}

export async function runChat(pop: RawPopulation, args: ChatArgs, mark: Mark): Promise<ChatResult> {
  const clients = pop.clients;
  const n = clients.length;
  const stride = strideFor(n, pop.args.roomSize);
  const interval = 1000 / args.rate;

  // Each receiver tracks every publisher of its room from that publisher's next seq on.
  const trackers = new Map<BenchClient, SeqTracker>();
  for (const [, positions] of pop.members) {
    const floors = new Map<number, number>();
    for (const p of positions) floors.set((clients[p] as BenchClient).index, pop.nextSeq[p] as number);
    for (const p of positions) {
      const tracker = new SeqTracker();
      tracker.reset(floors);
      trackers.set(clients[p] as BenchClient, tracker);
    }
  }
  const firstMeasured = new Map<number, number>();
  const lastMeasured = new Map<number, number>();

  const ack = newHistogram();
  const deliver = newHistogram();
  // Several nodes: the deliveries that crossed the bus (receiver and sender on different nodes).
  const nodes = pop.args.urls.length;
  const otherNode = nodes > 1 ? newHistogram() : null;
  const errors: Record<string, number> = {};
  let inWindow = false;
  let deliveriesInWindow = 0;
  let ackedInWindow = 0;
  let acked = 0;
  let duplicates = 0;
  let measureStart = 0;
  let measureEnd = 0;

  const extras = args.extras
    ? new ExtrasDriver(args.extras, clients, pop.rooms, (at) => at >= measureStart && at < measureEnd)
    : null;
  const onDelivery = (client: BenchClient, payload: Payload, frame?: Buffer, from?: number) => {
    if (inWindow) deliveriesInWindow++;
    if (extras && frame) extras.onMessage(client, frame, from ?? 0);
    const tracker = trackers.get(client);
    if (!tracker) return;
    const stream = tracker.stream(payload.p);
    const stale = stream.counts.stale;
    if (!stream.receive(payload.seq)) {
      if (stream.counts.stale === stale) duplicates++;
      return;
    }
    if (payload.t0 >= measureStart && payload.t0 < measureEnd) {
      const ms = performance.now() - payload.t0;
      recordMs(deliver, ms);
      if (otherNode && nodeOf(pop.args, client.index) !== nodeOf(pop.args, payload.p))
        recordMs(otherNode, ms);
    }
  };
  for (const client of clients) client.onDelivery = onDelivery;

  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  const start = performance.now();
  measureStart = start + args.warmupMs;
  measureEnd = measureStart + args.measureMs;
  let sent = 0;
  let outstanding = 0;

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      if (!inWindow && now >= measureStart && now < measureEnd) {
        inWindow = true;
        loopDelay.enable();
        mark('measure-start');
      }
      const due = Math.min(
        Math.floor((now - start) / interval) + 1,
        Math.ceil((measureEnd - start) / interval),
      );
      while (sent < due) {
        const t0 = start + sent * interval;
        const position = (sent * stride) % n;
        const client = clients[position] as BenchClient;
        const seq = pop.nextSeq[position] as number;
        pop.nextSeq[position] = seq + 1;
        const measured = t0 >= measureStart;
        if (measured) {
          if (!firstMeasured.has(client.index)) firstMeasured.set(client.index, seq);
          lastMeasured.set(client.index, seq);
        }
        outstanding++;
        client.post(
          'send',
          { room: pop.rooms[position], text: encodePayload(client.index, seq, t0) },
          (error) => {
            outstanding--;
            const done = performance.now();
            if (error !== null) {
              errors[error] = (errors[error] ?? 0) + 1;
              return;
            }
            acked++;
            if (done >= measureStart && done < measureEnd) ackedInWindow++;
            if (measured) recordMs(ack, done - t0);
          },
        );
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

  // Drain: every ack back and every member of each room with every measured message, or time is up.
  const drainUntil = performance.now() + args.drainMs;
  const complete = () => {
    if (outstanding > 0 || (extras?.outstanding ?? 0) > 0) return false;
    for (const [room, positions] of pop.members) {
      void room;
      for (const p of positions) {
        const tracker = trackers.get(clients[p] as BenchClient) as SeqTracker;
        for (const q of positions) {
          const last = lastMeasured.get((clients[q] as BenchClient).index);
          if (last !== undefined && tracker.stream((clients[q] as BenchClient).index).highest < last)
            return false;
        }
      }
    }
    return true;
  };
  while (performance.now() < drainUntil && !complete()) await sleep(25);

  let missing = 0;
  for (const [, positions] of pop.members) {
    for (const p of positions) {
      const tracker = trackers.get(clients[p] as BenchClient) as SeqTracker;
      for (const q of positions) {
        const publisher = (clients[q] as BenchClient).index;
        const first = firstMeasured.get(publisher);
        const last = lastMeasured.get(publisher);
        if (first === undefined || last === undefined) continue;
        missing += tracker.stream(publisher).lostBetween(first, last);
      }
    }
  }
  for (const client of clients) client.onDelivery = null;
  const seconds = args.measureMs / 1000;
  return {
    rate: args.rate,
    users: n,
    sent,
    acked,
    committedPerSec: Math.round(ackedInWindow / seconds),
    deliveriesPerSec: Math.round(deliveriesInWindow / seconds),
    ack: summarize(ack),
    deliver: summarize(deliver),
    ...(otherNode ? { deliverOtherNode: summarize(otherNode) } : {}),
    errors,
    missing,
    duplicates,
    loadgenEldP99Ms: loopDelay.count > 0 ? loopDelayMs(loopDelay.percentile(99)) : 0,
    ...(extras ? { extras: extras.result(args.measureMs) } : {}),
  };
}
