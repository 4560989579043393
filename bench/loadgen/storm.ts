/**
 * The reconnect storm (S5): every connection of a population is cut at once, as a network failure would,
 * while the first member of each room keeps sending. Measured: how long until the clients have resumed,
 * and whether any member missed a message or got one twice.
 *
 * Parley runs with its typed client, whose resume (re-auth with the guest's resume token, re-join with
 * `sinceSeq`, retried sends with their clientMsgId) is the thing under test; each member checks that the room
 * seqs it is handed go up by exactly one. The baselines have no resume: raw clients reconnect with the same
 * backoff (250-500 ms, doubling), re-authenticate and re-join, and whatever was said meanwhile is missed.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { newClientMsgId } from '../../src/client/index.js';
import type { BenchClient } from './clients.js';
import { encodePayload, parsePayloadText, type Payload } from './payload.js';
import type { Population, RawPopulation, TypedPopulation } from './population.js';
import type { StormArgs, StormResult } from './protocol.js';
import { SeqTracker } from './seq.js';
import { LOOP_RESOLUTION_MS, loopDelayMs } from './hist.js';
import type { Mark } from './fanout.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function percentileTime(times: number[], total: number, fraction: number): number | null {
  const needed = Math.ceil(total * fraction);
  if (needed === 0) return 0;
  if (times.length < needed) return null;
  const sorted = [...times].sort((a, b) => a - b);
  return Math.round(sorted[needed - 1] as number);
}

/** Sends `rate` messages per second spread over `senders` until stopped. */
function startSending(rate: number, senders: number, send: (sender: number, t0: number) => void): () => void {
  const interval = 1000 / rate;
  const start = performance.now();
  let sent = 0;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    const due = Math.floor((performance.now() - start) / interval) + 1;
    while (sent < due) {
      send(sent % senders, start + sent * interval);
      sent++;
    }
    setTimeout(tick, 2);
  };
  tick();
  return () => {
    stopped = true;
  };
}

export async function runStorm(pop: Population, args: StormArgs, mark: Mark): Promise<StormResult> {
  return pop.kind === 'typed' ? stormTyped(pop, args, mark) : stormRaw(pop, args, mark);
}

async function stormTyped(pop: TypedPopulation, args: StormArgs, mark: Mark): Promise<StormResult> {
  const members = pop.members;
  const rooms = new Map<string, typeof members>();
  for (const m of members) {
    let list = rooms.get(m.room);
    if (!list) rooms.set(m.room, (list = []));
    list.push(m);
  }
  const senders = [...rooms.values()].map((list) => list[0] as (typeof members)[number]);
  const lastSeqOf = new Map<string, number>();
  for (const m of members) lastSeqOf.set(m.room, Math.max(lastSeqOf.get(m.room) ?? 0, m.cursor));

  let holes = 0;
  let duplicates = 0;
  let gapEvents = 0;
  let failedClients = 0;
  let reconnectAttempts = 0;
  const resumedAt = new Map<number, number>();
  let dropAt = 0;
  const unsubscribe: (() => void)[] = [];
  const payloads = new Map<number, SeqTracker>();

  for (const m of members) {
    const tracker = new SeqTracker();
    payloads.set(m.index, tracker);
    unsubscribe.push(
      m.client.on('message', ({ message }) => {
        if (message.seq === m.cursor + 1) m.cursor = message.seq;
        else if (message.seq > m.cursor + 1) {
          holes += message.seq - m.cursor - 1;
          m.cursor = message.seq;
        } else duplicates++;
        const payload: Payload | null = parsePayloadText(message.text);
        if (payload && !tracker.receive(payload.p, payload.seq)) duplicates++;
      }),
      m.client.on('gap', () => {
        gapEvents++;
      }),
      m.client.on('reconnected', ({ attempts }) => {
        reconnectAttempts += attempts;
        if (dropAt > 0 && !resumedAt.has(m.index)) resumedAt.set(m.index, performance.now() - dropAt);
      }),
      m.client.on('disconnected', ({ willReconnect }) => {
        if (!willReconnect) failedClients++;
      }),
    );
  }

  const sendErrors: Record<string, number> = {};
  let sent = 0;
  let acked = 0;
  const seqBySender = senders.map(() => 0);
  const inflight = new Set<Promise<void>>();
  const stop = startSending(args.rate, senders.length, (i, t0) => {
    const sender = senders[i] as (typeof members)[number];
    const seq = (seqBySender[i] as number) + 1;
    seqBySender[i] = seq;
    sent++;
    const promise = sender.client
      .send(sender.room, encodePayload(sender.index, seq, t0), { clientMsgId: newClientMsgId() })
      .then(
        (result) => {
          acked++;
          if (result.kind === 'message')
            lastSeqOf.set(sender.room, Math.max(lastSeqOf.get(sender.room) ?? 0, result.message.seq));
        },
        (err: unknown) => {
          const code = typeof err === 'object' && err !== null ? Reflect.get(err, 'code') : undefined;
          const key = typeof code === 'string' ? code : 'error';
          sendErrors[key] = (sendErrors[key] ?? 0) + 1;
        },
      )
      .finally(() => inflight.delete(promise));
    inflight.add(promise);
  });

  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  await sleep(args.preMs);
  mark('measure-start');
  loopDelay.enable();
  dropAt = performance.now();
  for (const m of members) m.client.dropConnection();
  const waitUntil = dropAt + args.maxWaitMs;
  while (resumedAt.size + failedClients < members.length && performance.now() < waitUntil) await sleep(20);
  mark('measure-end');
  loopDelay.disable();
  await sleep(args.postMs);
  stop();
  const settleUntil = performance.now() + args.settleMs;
  while (inflight.size > 0 && performance.now() < settleUntil) await sleep(20);
  while (performance.now() < settleUntil) {
    if (members.every((m) => m.cursor >= (lastSeqOf.get(m.room) ?? 0))) break;
    await sleep(20);
  }
  let gaps = holes;
  let missingAtUnresumed = 0;
  for (const m of members) {
    const behind = Math.max(0, (lastSeqOf.get(m.room) ?? 0) - m.cursor);
    if (resumedAt.has(m.index)) gaps += behind;
    else missingAtUnresumed += behind;
  }
  for (const off of unsubscribe) off();

  const times = [...resumedAt.values()];
  return {
    clients: members.length,
    resumed: resumedAt.size,
    resumedWithin10s: times.filter((t) => t <= 10_000).length,
    missingAtUnresumed,
    t50Ms: percentileTime(times, members.length, 0.5),
    t95Ms: percentileTime(times, members.length, 0.95),
    t100Ms: percentileTime(times, members.length, 1),
    sent,
    acked,
    sendErrors,
    gaps,
    duplicates,
    gapEvents,
    failedClients,
    reconnectAttempts,
    loadgenEldP99Ms: loopDelay.count > 0 ? loopDelayMs(loopDelay.percentile(99)) : 0,
  };
}

/** The baselines: plain reconnect (same backoff as the typed client), no resume, so messages are missed. */
async function stormRaw(pop: RawPopulation, args: StormArgs, mark: Mark): Promise<StormResult> {
  const clients = pop.clients;
  const senders = [...pop.members.values()].map((positions) => positions[0] as number);
  const trackers = clients.map(() => new SeqTracker());
  const acked = new Map<number, number[]>();
  let duplicates = 0;
  let reconnectAttempts = 0;
  let failedClients = 0;
  const resumedAt = new Map<number, number>();
  let dropAt = 0;
  let stopping = false;

  clients.forEach((client, position) => {
    client.onDelivery = (_c, payload) => {
      if (!(trackers[position] as SeqTracker).receive(payload.p, payload.seq)) duplicates++;
    };
  });

  const reconnect = async (client: BenchClient, position: number) => {
    let delay = 500;
    for (let attempt = 1; attempt <= 20 && !stopping; attempt++) {
      await sleep(delay * (0.5 + Math.random() * 0.5));
      delay = Math.min(delay * 2, 30_000);
      reconnectAttempts++;
      try {
        await client.open();
        await client.request('auth', { guest: `${pop.args.namePrefix}r${client.index}` });
        await client.request('join', { room: pop.rooms[position] });
        if (!resumedAt.has(position)) resumedAt.set(position, performance.now() - dropAt);
        return;
      } catch {
        client.destroy();
      }
    }
    failedClients++;
  };
  clients.forEach((client, position) => {
    client.onClose = () => {
      if (!stopping) void reconnect(client, position);
    };
  });

  const sendErrors: Record<string, number> = {};
  let sent = 0;
  let ackCount = 0;
  let outstanding = 0;
  const stop = startSending(args.rate, senders.length, (i, t0) => {
    const position = senders[i] as number;
    const client = clients[position] as BenchClient;
    const seq = pop.nextSeq[position] as number;
    pop.nextSeq[position] = seq + 1;
    sent++;
    outstanding++;
    client.post(
      'send',
      { room: pop.rooms[position], text: encodePayload(client.index, seq, t0) },
      (error) => {
        outstanding--;
        if (error !== null) {
          sendErrors[error] = (sendErrors[error] ?? 0) + 1;
          return;
        }
        ackCount++;
        let list = acked.get(client.index);
        if (!list) acked.set(client.index, (list = []));
        list.push(seq);
      },
    );
  });

  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  await sleep(args.preMs);
  mark('measure-start');
  loopDelay.enable();
  dropAt = performance.now();
  for (const client of clients) client.destroy();
  const waitUntil = dropAt + args.maxWaitMs;
  while (resumedAt.size + failedClients < clients.length && performance.now() < waitUntil) await sleep(20);
  mark('measure-end');
  loopDelay.disable();
  await sleep(args.postMs);
  stop();
  const settleUntil = performance.now() + Math.min(args.settleMs, 3000);
  while (outstanding > 0 && performance.now() < settleUntil) await sleep(20);
  await sleep(200);
  stopping = true;

  // Every acknowledged message should have reached every member of its room.
  let gaps = 0;
  let missingAtUnresumed = 0;
  for (const [, positions] of pop.members) {
    for (const p of positions) {
      const tracker = trackers[p] as SeqTracker;
      let missed = 0;
      for (const q of positions) {
        const publisher = (clients[q] as BenchClient).index;
        const stream = tracker.stream(publisher);
        for (const seq of acked.get(publisher) ?? []) if (stream.lostBetween(seq, seq) > 0) missed++;
      }
      if (resumedAt.has(p)) gaps += missed;
      else missingAtUnresumed += missed;
    }
  }
  for (const client of clients) {
    client.onDelivery = null;
    client.onClose = null;
  }
  const times = [...resumedAt.values()];
  return {
    clients: clients.length,
    resumed: resumedAt.size,
    resumedWithin10s: times.filter((t) => t <= 10_000).length,
    missingAtUnresumed,
    t50Ms: percentileTime(times, clients.length, 0.5),
    t95Ms: percentileTime(times, clients.length, 0.95),
    t100Ms: percentileTime(times, clients.length, 1),
    sent,
    acked: ackCount,
    sendErrors,
    gaps,
    duplicates,
    gapEvents: 0,
    failedClients,
    reconnectAttempts,
    loadgenEldP99Ms: loopDelay.count > 0 ? loopDelayMs(loopDelay.percentile(99)) : 0,
  };
}
