/**
 * One soak user on the typed client (src/client): it joins and leaves rooms, sends with a clientMsgId, types,
 * pages history, and now and then loses its connection (the client reconnects and resumes) or closes and comes
 * back as a new client. Deliveries are counted as the application sees them (`message` events).
 */
import { ParleyClient, newClientMsgId, type TransportKind } from '../../../src/client/index.js';
import type { Ledger } from './ledger.js';
import type { SoakCounters } from './counters.js';

export interface ActorPlan {
  name: string;
  url: string;
  transport: TransportKind;
  rooms: string[];
  home: string[];
  /** Mean time between the actor's actions. */
  meanTickMs: number;
}

/** What an action is, by its share of the actor's actions. */
const ACTIONS: [string, number][] = [
  ['send', 0.4],
  ['typing', 0.15],
  ['history', 0.1],
  ['join', 0.02],
  ['leave', 0.02],
  ['drop', 0.008],
  ['restart', 0.002],
];

function pick<T>(list: readonly T[]): T {
  return list[Math.floor(Math.random() * list.length)] as T;
}

function pickAction(): string {
  let roll = Math.random();
  for (const [action, share] of ACTIONS) {
    if (roll < share) return action;
    roll -= share;
  }
  return 'idle';
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export class TypedActor {
  private client: ParleyClient | null = null;
  private generation = 0;
  private key = '';
  private readonly stopping = new AbortController();
  private loop: Promise<void> = Promise.resolve();
  private closedForGood = false;
  private connecting = false;

  constructor(
    private readonly plan: ActorPlan,
    private readonly ledger: Ledger,
    private readonly counters: SoakCounters,
  ) {}

  /** Connects and joins the home rooms. */
  async start(): Promise<void> {
    await this.open(this.plan.home);
    this.loop = this.run();
  }

  /** Connected (or closed for good by the server, which the counters report): nothing more will arrive. */
  get ready(): boolean {
    return this.client?.state === 'open' || this.closedForGood;
  }

  /** Stops acting and waits for the action in progress; the client stays connected for the drain. */
  async quiesce(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  close(at: number): void {
    this.endMemberships(at);
    this.client?.close();
    this.client = null;
  }

  private async open(rooms: string[]): Promise<void> {
    this.generation += 1;
    this.key = `${this.plan.name}/${this.generation}`;
    const key = this.key;
    const client = new ParleyClient({
      url: this.plan.url,
      transport: this.plan.transport,
      credentials: { guest: this.plan.name },
      reconnectDelayMs: 200,
      maxReconnectDelayMs: 2000,
      requestTimeoutMs: 20_000,
    });
    client.on('message', ({ message }) => this.ledger.delivered(key, message));
    client.on('gap', ({ room, afterSeq, beforeSeq }) => this.ledger.gap(key, room.name, afterSeq, beforeSeq));
    client.on('disconnected', ({ code, reason, willReconnect }) => {
      // A first connect that fails is retried by connect() below, and counted there.
      if (reason === 'client_closed' || this.connecting) return;
      this.ledger.trace(key, `disconnected ${code} ${reason}`);
      this.counters.close(code);
      if (!willReconnect) {
        this.counters.count(`finalClose:${code}:${reason}`);
        this.closedForGood = true;
        this.endMemberships(Date.now());
      }
    });
    client.on('reconnected', ({ rooms }) => {
      this.ledger.trace(key, `resumed ${rooms.map((r) => `${r}@${client.lastSeq(r) ?? '-'}`).join(' ')}`);
      this.counters.count('resumes');
    });
    this.client = client;
    await this.connect(client);
    this.counters.count('connects');
    for (const room of rooms) await this.join(room);
  }

  /**
   * A client opened right after the same guest's previous one closed may find the nickname still taken
   * (`conflict`) until the server has seen the old connection go: an application retries, so does the soak.
   */
  private async connect(client: ParleyClient): Promise<void> {
    this.connecting = true;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await client.connect();
          return;
        } catch (err) {
          this.counters.failed('connect', err);
          if (attempt >= 10) throw err;
          await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
        }
      }
    } finally {
      this.connecting = false;
    }
  }

  private endMemberships(at: number): void {
    for (const room of this.client?.rooms ?? []) this.ledger.left(this.key, room, at);
  }

  private async join(room: string): Promise<void> {
    const client = this.client;
    if (!client) return;
    const result = await client.join(room);
    this.ledger.joined(this.key, room, Date.now());
    this.ledger.trace(this.key, `joined ${room} at seq ${result.lastSeq}`);
    this.counters.count('joins');
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      await sleep(-Math.log(1 - Math.random()) * this.plan.meanTickMs, signal);
      if (signal.aborted) break;
      const action = pickAction();
      try {
        await this.act(action);
      } catch (err) {
        this.counters.failed(action, err);
      }
    }
  }

  private async send(client: ParleyClient, room: string): Promise<void> {
    const sentAt = Date.now();
    this.counters.count('sends');
    const result = await client.send(room, `soak ${this.key} ${sentAt}`, { clientMsgId: newClientMsgId() });
    if (result.kind !== 'message') return;
    this.ledger.ack({
      room,
      sender: this.key,
      id: result.message.id,
      seq: result.message.seq,
      sentAt,
      ackedAt: Date.now(),
    });
    this.counters.count(result.duplicate ? 'acksDuplicate' : 'acks');
  }

  private async act(action: string): Promise<void> {
    const client = this.client;
    if (!client || client.state === 'closed') return;
    const joined = client.rooms;
    switch (action) {
      case 'send':
        if (joined.length === 0) return this.join(pick(this.plan.home));
        return this.send(client, pick(joined));
      case 'typing':
        if (joined.length > 0) await client.typing(pick(joined), true);
        return this.counters.count('typing');
      case 'history': {
        if (joined.length === 0) return;
        const room = pick(joined);
        const page = await client.history(room, { limit: 50 });
        if (page.nextCursor !== null && Math.random() < 0.5) {
          await client.history(room, { before: page.nextCursor, limit: 50 });
        }
        return this.counters.count('historyPages');
      }
      case 'join': {
        const candidates = this.plan.rooms.filter((r) => !joined.includes(r));
        if (candidates.length > 0 && joined.length < 3) await this.join(pick(candidates));
        return;
      }
      case 'leave': {
        if (joined.length < 2) return;
        const room = pick(joined);
        this.ledger.left(this.key, room, Date.now());
        this.ledger.trace(this.key, `left ${room}`);
        await client.leave(room);
        return this.counters.count('leaves');
      }
      case 'drop': {
        // Cut the connection under a send in flight: the client resends it after the reconnect with the same
        // clientMsgId, and the room must still get it once.
        const sending = joined.length > 0 ? this.send(client, pick(joined)) : Promise.resolve();
        client.dropConnection();
        this.ledger.trace(this.key, 'dropped');
        this.counters.count('drops');
        return sending;
      }
      case 'restart': {
        const rooms = client.rooms;
        this.close(Date.now());
        this.counters.count('restarts');
        return this.open(rooms);
      }
      default:
        return;
    }
  }
}
