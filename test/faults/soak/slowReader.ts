/**
 * A slow reader on a raw WebSocket (the native protocol by hand): it stays in one room and every so often
 * stops reading for a while. When the server gives up on it (4008 slow consumer, or the heartbeat's 1006) it
 * reconnects and resumes with `join { room, sinceSeq }` from the last seq it read. It counts every message it
 * reads off the wire, so a message the server sends twice (live and replayed, or twice live) is a duplicate here.
 */
import { WebSocket } from 'ws';
import type { Ledger } from './ledger.js';
import type { SoakCounters } from './counters.js';

export interface SlowReaderPlan {
  name: string;
  url: string;
  room: string;
  /** Reads normally for about this long between pauses… */
  readMs: number;
  /** …then stops reading for about this long. */
  pauseMs: number;
}

interface Frame {
  id?: unknown;
  ok?: boolean;
  event?: string;
  data?: {
    room?: { name?: string };
    message?: { id: number; seq: number; room: string };
    messages?: { id: number; seq: number }[];
    lastSeq?: number;
    gap?: { afterSeq: number; beforeSeq: number } | null;
  };
  error?: { code?: string };
}

export class SlowReader {
  private socket: WebSocket | null = null;
  private cursor: number | null = null;
  private joined = false;
  private paused = false;
  private stopped = false;
  private stoppedPausing = false;
  private pauseTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly key: string;

  constructor(
    private readonly plan: SlowReaderPlan,
    private readonly ledger: Ledger,
    private readonly counters: SoakCounters,
  ) {
    this.key = `${plan.name}/raw`;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.connect(resolve, reject);
      this.schedulePause();
    });
  }

  /** Reading and joined: every message from now on reaches it at once. */
  get ready(): boolean {
    return this.joined && !this.paused && this.socket?.readyState === WebSocket.OPEN;
  }

  /** Stop pausing; read everything that is waiting. */
  quiesce(): void {
    this.stoppedPausing = true;
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.resumeReading();
  }

  close(at: number): void {
    this.stopped = true;
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.ledger.left(this.key, this.plan.room, at);
    this.socket?.close(1000);
  }

  private connect(onJoined?: () => void, onFailed?: (err: Error) => void): void {
    const url = new URL('/ws', this.plan.url.replace(/^http/, 'ws'));
    url.searchParams.set('app', '1');
    url.searchParams.set('guest', this.plan.name);
    const socket = new WebSocket(url);
    this.socket = socket;
    this.joined = false;
    this.paused = false;
    socket.on('open', () => {
      const data =
        this.cursor === null ? { room: this.plan.room } : { room: this.plan.room, sinceSeq: this.cursor };
      socket.send(JSON.stringify({ id: 'join', op: 'join', data }));
    });
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as Frame;
      if (frame.id === 'join') {
        if (!frame.ok) {
          onFailed?.(new Error(`join refused: ${frame.error?.code ?? 'unknown'}`));
          return;
        }
        this.onJoined(frame);
        onJoined?.();
        onJoined = undefined;
        return;
      }
      if (frame.event === 'message' && frame.data?.message?.room === this.plan.room) {
        this.read(frame.data.message);
      }
    });
    socket.on('error', () => {});
    socket.on('close', (code) => {
      if (this.socket !== socket || this.stopped) return;
      this.ledger.trace(this.key, `closed ${code}`);
      this.counters.close(code);
      this.joined = false;
      if (onJoined) onFailed?.(new Error(`closed ${code} before the join`));
      this.reconnectTimer = setTimeout(() => this.connect(), 300);
    });
  }

  private onJoined(frame: Frame): void {
    const data = frame.data ?? {};
    if (this.cursor === null) {
      // The first join: the recent history in the reply is not owed; from here on everything is.
      this.cursor = data.lastSeq ?? 0;
      this.ledger.joined(this.key, this.plan.room, Date.now());
      this.counters.count('connects');
    } else {
      this.counters.count('resumes');
      this.ledger.trace(this.key, `resumed from ${this.cursor} to ${data.lastSeq ?? '-'}`);
      if (data.gap) this.ledger.gap(this.key, this.plan.room, data.gap.afterSeq, data.gap.beforeSeq);
      for (const message of data.messages ?? []) this.read(message);
      if (data.lastSeq !== undefined && data.lastSeq > (this.cursor ?? 0)) this.cursor = data.lastSeq;
    }
    this.joined = true;
  }

  private read(message: { id: number; seq: number }): void {
    this.ledger.delivered(this.key, { ...message, room: this.plan.room });
    if (this.cursor !== null && message.seq !== this.cursor + 1 && message.seq > this.cursor) {
      this.counters.count('slowReaderSeqJumps');
    }
    if (this.cursor === null || message.seq > this.cursor) this.cursor = message.seq;
  }

  private schedulePause(): void {
    if (this.stopped || this.stoppedPausing) return;
    const jitter = 0.5 + Math.random();
    this.pauseTimer = setTimeout(() => {
      if (this.socket?.readyState === WebSocket.OPEN) {
        this.paused = true;
        this.socket.pause();
        this.counters.count('slowReaderPauses');
        this.ledger.trace(this.key, 'paused');
      }
      this.pauseTimer = setTimeout(() => this.resumeReading(), this.plan.pauseMs * jitter);
    }, this.plan.readMs * jitter);
  }

  private resumeReading(): void {
    if (this.paused) this.socket?.resume();
    this.paused = false;
    this.schedulePause();
  }
}
