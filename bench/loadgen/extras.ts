/**
 * S3R's extra load on top of the chat shape: each client answers what it receives as a chat client would,
 * with `read { room, seq }` (the seq of the latest message) for every `readEvery` messages and a reaction
 * (`react { room, id, emoji }`, the emoji rotating among a few) to the latest one for every `reactEvery`.
 * The message's id and room seq are read from the raw push frame, as the payload is.
 */
import { performance } from 'node:perf_hooks';
import type { BenchClient } from './clients.js';
import { newHistogram, recordMs, summarize, type LatencySummary } from './hist.js';

export interface ExtrasArgs {
  readEvery: number;
  reactEvery: number;
}

export interface ExtrasResult {
  readEvery: number;
  reactEvery: number;
  reads: number;
  reactions: number;
  /** Answered (without error) per second in the measured window. */
  readsPerSec: number;
  reactionsPerSec: number;
  readAck: LatencySummary;
  reactAck: LatencySummary;
  errors: Record<string, number>;
}

/** Single RGI emoji, none needing a variation selector. */
const EMOJI = ['👍', '🎉', '😂', '👀', '🔥'];

const ID_KEY = Buffer.from('"message":{"id":');
const SEQ_KEY = Buffer.from('"seq":');

function intAt(buf: Buffer, at: number): number | null {
  let i = at;
  let value = 0;
  while (i < buf.length) {
    const c = buf[i] as number;
    if (c < 0x30 || c > 0x39) break;
    value = value * 10 + (c - 0x30);
    i++;
  }
  return i === at ? null : value;
}

/**
 * The message's id and room seq in a push frame (`{ room, message }`, the message view starting with its id):
 * the first unescaped `"seq":` after the id is the message's (the payload's keys are escaped inside the text
 * string).
 */
export function extractMessageRef(frame: Buffer, from: number): { id: number; seq: number } | null {
  const idAt = frame.indexOf(ID_KEY, from);
  if (idAt < 0) return null;
  const id = intAt(frame, idAt + ID_KEY.length);
  const seqAt = frame.indexOf(SEQ_KEY, idAt);
  if (id === null || seqAt < 0) return null;
  const seq = intAt(frame, seqAt + SEQ_KEY.length);
  return seq === null ? null : { id, seq };
}

interface ClientState {
  room: string;
  received: number;
  reacted: number;
}

// Counts carry over from step to step (a step may be shorter than 20 messages per user at low rates), and each
// client starts at its own phase, so that the reads and reactions are spread from the first message on.
const states = new WeakMap<BenchClient, ClientState>();

export class ExtrasDriver {
  private readonly state = new Map<BenchClient, ClientState>();
  private readonly readAck = newHistogram();
  private readonly reactAck = newHistogram();
  private readonly errors: Record<string, number> = {};
  private reads = 0;
  private reactions = 0;
  private readsInWindow = 0;
  private reactionsInWindow = 0;
  outstanding = 0;

  constructor(
    private readonly args: ExtrasArgs,
    clients: readonly BenchClient[],
    rooms: readonly string[],
    /** Whether a moment (performance.now()) is inside the measured window. */
    private readonly inWindow: (at: number) => boolean,
  ) {
    clients.forEach((client, i) => {
      let state = states.get(client);
      if (!state) {
        state = { room: rooms[i] as string, received: client.index % args.reactEvery, reacted: 0 };
        states.set(client, state);
      }
      this.state.set(client, state);
    });
  }

  /** A message push reached `client`; `frame` holds it from `from` on. */
  onMessage(client: BenchClient, frame: Buffer, from: number): void {
    const state = this.state.get(client);
    if (!state) return;
    state.received++;
    const read = state.received % this.args.readEvery === 0;
    const react = state.received % this.args.reactEvery === 0;
    if (!read && !react) return;
    const ref = extractMessageRef(frame, from);
    if (!ref) {
      this.errors['no_ref'] = (this.errors['no_ref'] ?? 0) + 1;
      return;
    }
    if (read) {
      this.reads++;
      this.post(client, 'read', { room: state.room, seq: ref.seq }, this.readAck, true);
    }
    if (react) {
      this.reactions++;
      const emoji = EMOJI[state.reacted++ % EMOJI.length] as string;
      this.post(client, 'react', { room: state.room, id: ref.id, emoji }, this.reactAck, false);
    }
  }

  private post(client: BenchClient, op: string, data: unknown, hist: typeof this.readAck, isRead: boolean) {
    const t0 = performance.now();
    this.outstanding++;
    client.post(op, data, (error) => {
      this.outstanding--;
      const done = performance.now();
      if (error !== null) {
        const key = `${op}:${error}`;
        this.errors[key] = (this.errors[key] ?? 0) + 1;
        return;
      }
      if (!this.inWindow(done)) return;
      recordMs(hist, done - t0);
      if (isRead) this.readsInWindow++;
      else this.reactionsInWindow++;
    });
  }

  result(measureMs: number): ExtrasResult {
    const seconds = measureMs / 1000;
    return {
      readEvery: this.args.readEvery,
      reactEvery: this.args.reactEvery,
      reads: this.reads,
      reactions: this.reactions,
      readsPerSec: Math.round(this.readsInWindow / seconds),
      reactionsPerSec: Math.round(this.reactionsInWindow / seconds),
      readAck: summarize(this.readAck),
      reactAck: summarize(this.reactAck),
      errors: this.errors,
    };
  }
}
