/**
 * Populations: sets of connected, authenticated clients, each in one room, set up with a bounded number of
 * connections in flight. Raw clients (clients.ts) for capacity and fan-out; Parley's typed client for the
 * reconnect storm, where its resume logic is what is being measured.
 */
import { performance } from 'node:perf_hooks';
import { ParleyClient } from '../../src/client/index.js';
import { createClient, RequestError, type BenchClient } from './clients.js';
import { createDialectClient, dialectRoom, isDialect } from './dialects.js';
import { FilteringWebSocket } from './miniws.js';
import { newHistogram, recordMs, summarize } from './hist.js';
import type { PopulateArgs, PopulateResult } from './protocol.js';

export interface RawPopulation {
  kind: 'raw';
  args: PopulateArgs;
  clients: BenchClient[];
  /** Room of client i. */
  rooms: string[];
  /** Members of each room, by client index. */
  members: Map<string, number[]>;
  /** Next seq each client publishes with (payload seq), kept across steps. */
  nextSeq: number[];
}

export interface TypedMember {
  client: ParleyClient;
  index: number;
  room: string;
  /** Room seq up to which every message reached the application. */
  cursor: number;
}

export interface TypedPopulation {
  kind: 'typed';
  args: PopulateArgs;
  members: TypedMember[];
}

export type Population = RawPopulation | TypedPopulation;

export function roomOf(args: PopulateArgs, i: number): string {
  return `${args.roomPrefix}${Math.floor(i / args.roomSize)}`;
}

/** The index of client i's node in `args.urls` (see PopulateArgs.byRoom). */
export function nodeOf(args: PopulateArgs, i: number): number {
  const nodes = args.urls.length;
  if (!args.byRoom) return i % nodes;
  const room = Math.floor(i / args.roomSize);
  const { pairEvery } = args.byRoom;
  const split = pairEvery > 0 && room % pairEvery === 0 && i % 2 === 1;
  return (room + (split ? 1 : 0)) % nodes;
}

function errorCode(err: unknown): string {
  if (err instanceof RequestError) return err.code.split(' ')[0] ?? 'error';
  const code: unknown = typeof err === 'object' && err !== null ? Reflect.get(err, 'code') : undefined;
  if (typeof code === 'string') return code;
  return err instanceof Error ? err.message.slice(0, 40) : 'error';
}

/** Runs `setup(i)` for i in 0..count-1 with at most `concurrency` in flight. */
async function runBounded(
  count: number,
  concurrency: number,
  deadline: number,
  setup: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count && performance.now() < deadline) {
      const i = next++;
      await setup(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

export async function populate(
  args: PopulateArgs,
): Promise<{ population: Population; result: PopulateResult }> {
  const handshake = newHistogram();
  const ready = newHistogram();
  const errors: Record<string, number> = {};
  const fail = (err: unknown) => {
    const code = errorCode(err);
    errors[code] = (errors[code] ?? 0) + 1;
  };
  const started = performance.now();
  const deadline = started + (args.timeoutMs ?? 600_000);
  let connected = 0;
  let typedEvents = 0;
  let population: Population;

  if (args.typed) {
    const members: TypedMember[] = [];
    population = { kind: 'typed', args, members };
    await runBounded(args.count, args.concurrency, deadline, async (i) => {
      const t0 = performance.now();
      const room = roomOf(args, i);
      const url = args.urls[nodeOf(args, i)] as string;
      const client = new ParleyClient({
        url,
        transport: args.protocol === 'ws' ? 'ws' : 'socket.io',
        credentials: { guest: `${args.namePrefix}${i}` },
        requestTimeoutMs: 30_000,
        WebSocket: FilteringWebSocket,
      });
      const count = () => {
        typedEvents++;
      };
      client.on('user_online', count);
      client.on('user_offline', count);
      client.on('presence_join', count);
      client.on('presence_leave', count);
      try {
        await client.connect();
        recordMs(handshake, performance.now() - t0);
        const joined = await client.join(room);
        recordMs(ready, performance.now() - t0);
        members.push({ client, index: i, room, cursor: joined.lastSeq });
        connected++;
      } catch (err) {
        fail(err);
        client.close();
      }
    });
  } else {
    const clients: BenchClient[] = [];
    const rooms: string[] = [];
    const members = new Map<string, number[]>();
    population = { kind: 'raw', args, clients, rooms, members, nextSeq: [] };
    await runBounded(args.count, args.concurrency, deadline, async (i) => {
      const t0 = performance.now();
      const url = args.urls[nodeOf(args, i)] as string;
      const sources = args.sourceAddresses ?? [];
      const source = sources.length > 0 ? sources[i % sources.length] : undefined;
      const dialect = isDialect(args.protocol) ? args.protocol : null;
      const room = dialect ? dialectRoom(dialect, roomOf(args, i)) : roomOf(args, i);
      const client = dialect
        ? createDialectClient(dialect, i, url, {
            name: `${args.namePrefix}${i}`,
            adminKey: args.adminKey ?? '',
          })
        : createClient(args.protocol, i, url, source);
      try {
        await client.open();
        recordMs(handshake, performance.now() - t0);
        await client.request('auth', { guest: `${args.namePrefix}${i}` });
        if (args.join !== false) await client.request('join', { room });
        recordMs(ready, performance.now() - t0);
        clients[i] = client;
        rooms[i] = room;
        connected++;
      } catch (err) {
        fail(err);
        client.destroy();
      }
    });
    // Keep only the clients that made it, re-indexed densely; their payload publisher id stays their index.
    const alive = clients.filter((c): c is BenchClient => c !== undefined);
    const aliveRooms = alive.map((c) => rooms[c.index] as string);
    clients.length = 0;
    rooms.length = 0;
    clients.push(...alive);
    rooms.push(...aliveRooms);
    clients.forEach((c, position) => {
      const room = rooms[position] as string;
      let list = members.get(room);
      if (!list) members.set(room, (list = []));
      list.push(position);
    });
    population.nextSeq = clients.map(() => 1);
  }

  const elapsedMs = performance.now() - started;
  let otherEvents = 0;
  if (population.kind === 'raw') for (const c of population.clients) otherEvents += c.otherEvents;
  else {
    otherEvents = FilteringWebSocket.dropped + typedEvents;
    FilteringWebSocket.dropped = 0;
  }
  return {
    population,
    result: {
      connected,
      failed: args.count - connected,
      errors,
      elapsedMs: Math.round(elapsedMs),
      ratePerSec: Math.round((connected / elapsedMs) * 1000),
      handshake: summarize(handshake),
      ready: summarize(ready),
      otherEvents,
    },
  };
}

/** Closes every client of a population; resolves once the sockets are closed (or after a few seconds). */
export async function closePopulation(population: Population): Promise<number> {
  if (population.kind === 'typed') {
    for (const m of population.members) m.client.close();
    await new Promise((r) => setTimeout(r, 500));
    return population.members.length;
  }
  const clients = population.clients;
  const open = clients.filter((c) => c.connected);
  await new Promise<void>((resolve) => {
    let left = open.length;
    if (left === 0) return resolve();
    const timer = setTimeout(() => {
      for (const c of open) c.destroy();
      resolve();
    }, 5000);
    for (const c of open) {
      c.onDelivery = null;
      c.onClose = () => {
        if (--left === 0) {
          clearTimeout(timer);
          resolve();
        }
      };
      c.close();
    }
  });
  return clients.length;
}
