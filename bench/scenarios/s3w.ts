/**
 * S3W: S3's chat shape with outgoing webhooks on. Each rate runs as a pair on one population and one server: a
 * plain S3 step, then the same step with one webhook endpoint wanting `message.created`, so every message also
 * writes an outbox row in its transaction and is POSTed to a receiver the bench runs itself. The report puts
 * send→ack p99 and throughput side by side (webhooks may cost at most 15 % of S3's throughput) and says how
 * long the outbox took to drain after the last send, or what was left of it.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3W_DRAIN_WAIT_MS } from '../config.js';
import { BENCH_ADMIN_KEY } from '../servers/index.js';
import { profiled, waitQuiet, type ScenarioContext } from './context.js';
import type { S3Step, S3WPair, S3WResult } from './results.js';
import { chatStep, populateS3 } from './s3.js';

const POP = 's3w';

/** The bench's own webhook endpoint: answers 200 at once and remembers when each event id first arrived. */
class Receiver {
  private readonly firstSeen = new Map<string, number>();
  private waiter: { count: number; resolve: () => void } | null = null;
  private constructor(private readonly server: Server) {}

  static async start(): Promise<Receiver> {
    let receiver: Receiver | null = null;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const id = req.headers['parley-event-id'];
        if (typeof id === 'string') receiver?.seen(id);
        res.writeHead(200, { 'content-length': '0' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiver = new Receiver(server);
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/parley`;
  }

  get received(): number {
    return this.firstSeen.size;
  }

  private seen(id: string): void {
    if (!this.firstSeen.has(id)) this.firstSeen.set(id, Date.now());
    if (this.waiter && this.firstSeen.size >= this.waiter.count) this.waiter.resolve();
  }

  /** When `count` distinct events have arrived (the time the last of them did), or null after `maxMs`. */
  async arrived(count: number, maxMs: number): Promise<number | null> {
    if (this.firstSeen.size < count) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.waiter = { count, resolve };
        timer = setTimeout(resolve, maxMs);
      }).finally(() => {
        clearTimeout(timer);
        this.waiter = null;
      });
    }
    if (this.firstSeen.size < count) return null;
    return Math.max(...this.firstSeen.values());
  }

  reset(): void {
    this.firstSeen.clear();
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function adminCall(
  ctx: ScenarioContext,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const res = await fetch(`${ctx.target.urls[0]}/api/v1/apps/1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${BENCH_ADMIN_KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text === '' ? null : JSON.parse(text);
}

function ratio(hooked: S3Step, plain: S3Step): number | null {
  return plain.committedPerSec > 0
    ? Math.round((hooked.committedPerSec / plain.committedPerSec) * 1000) / 1000
    : null;
}

/** The webhook step: an endpoint for the step only, then the wait for every delivery (or the wait's end). */
async function hookedStep(ctx: ScenarioContext, receiver: Receiver, rate: number) {
  const cfg = ctx.config.s3;
  const created = (await adminCall(ctx, 'POST', '/webhooks', {
    url: receiver.url,
    secret: randomBytes(24).toString('hex'),
    events: ['message.created'],
  })) as { id: string };
  receiver.reset();
  try {
    const started = Date.now();
    // `--profile`: the server through the step and the drain, where the dispatcher's cost shows.
    const { result: step } = await profiled(ctx, `S3W-${rate}`, async () => {
      const sent = await chatStep(ctx, POP, rate);
      await receiver.arrived(sent.acked, S3W_DRAIN_WAIT_MS);
      return sent;
    });
    const sendEnd = started + cfg.warmupMs + cfg.measureMs;
    const last = await receiver.arrived(step.acked, 0);
    const spanS = ((last ?? Date.now()) - started) / 1000;
    const deliveries = {
      expected: step.acked,
      received: receiver.received,
      drainMs: last === null ? null : Math.max(0, last - sendEnd),
      backlog: Math.max(0, step.acked - receiver.received),
      perSec: spanS > 0 ? Math.round(receiver.received / spanS) : 0,
      messagesPerSec: Math.round(step.acked / ((cfg.warmupMs + cfg.measureMs) / 1000)),
    };
    return { step, deliveries };
  } finally {
    await adminCall(ctx, 'DELETE', `/webhooks/${created.id}`);
  }
}

export async function runS3W(ctx: ScenarioContext): Promise<S3WResult> {
  const populate = await populateS3(ctx, POP);
  const receiver = await Receiver.start();
  const pairs: S3WPair[] = [];
  try {
    for (const rate of ctx.config.s3.rates) {
      const plain = await chatStep(ctx, POP, rate);
      await waitQuiet(ctx.target.pids);
      const { step: hooked, deliveries } = await hookedStep(ctx, receiver, rate);
      await waitQuiet(ctx.target.pids);
      const pair = { rate, plain, hooked, throughputRatio: ratio(hooked, plain), deliveries };
      pairs.push(pair);
      ctx.log(
        `S3W ${rate} msg/s: S3 ${plain.committedPerSec}/s p99 ${plain.ack.p99} ms, ` +
          `webhooks ${hooked.committedPerSec}/s p99 ${hooked.ack.p99} ms, ratio ${pair.throughputRatio}, ` +
          `deliveries ${deliveries.received}/${deliveries.expected} (${deliveries.perSec}/s for ${deliveries.messagesPerSec} msg/s), ` +
          `drain ${deliveries.drainMs === null ? `unfinished, backlog ${deliveries.backlog}` : `${deliveries.drainMs} ms`}`,
      );
      if (hooked.ack.p99 > 1000 || hooked.committedPerSec < 0.7 * rate) break;
    }
  } finally {
    await receiver.close();
  }
  await ctx.loadgen.run('close', { pop: POP });
  return { users: populate.connected, roomSize: ctx.config.s3.roomSize, populate, pairs };
}
