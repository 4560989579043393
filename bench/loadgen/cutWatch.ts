/**
 * S6: when the server cut each stopped reader. A reader that does not read never sees the server's close (its
 * frame and FIN wait behind the data the reader left unread), so the client's own close event comes only once
 * it reads again. The server's end of the connection is on this machine, though: the kernel's table of TCP
 * sockets (/proc/net/tcp, tcp6) shows it leave ESTABLISHED the moment the server closes or destroys it. The
 * watch polls that table for each reader's connection (found by the reader's port), and falls back on the
 * client's close event where the table is not readable or the connection is not in it.
 */
import { readFileSync } from 'node:fs';
import type { BenchClient } from './clients.js';

const POLL_MS = 100;
const ESTABLISHED = '01';

export interface CutTimes {
  /** Per stopped reader, ms from when it stopped reading to when it was cut; null: not cut within the wait. */
  cutMs: (number | null)[];
  /** Where the times come from: the server's end of each connection, or the client's close event. */
  source: 'server socket' | 'client close' | 'both';
}

/** "serverPort:clientPort" of every ESTABLISHED connection whose local end is one of `serverPorts`; null: no table. */
function establishedOn(serverPorts: Set<number>): Set<string> | null {
  const out = new Set<string>();
  let read = false;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      continue;
    }
    read = true;
    for (const line of text.split('\n')) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] !== ESTABLISHED) continue;
      const port = (address: string | undefined) =>
        parseInt(address?.slice(address.lastIndexOf(':') + 1) ?? '', 16);
      const local = port(fields[1]);
      if (serverPorts.has(local)) out.add(`${local}:${port(fields[2])}`);
    }
  }
  return read ? out : null;
}

export class CutWatch {
  private readonly cutAt = new Map<BenchClient, number>();
  /** "serverPort:clientPort" of each reader found in the table. */
  private readonly keys = new Map<BenchClient, string>();
  private readonly serverPorts: Set<number>;
  private readonly startedAt = performance.now();
  private timer: NodeJS.Timeout | null = null;
  private usedTable = false;
  private usedClose = false;

  constructor(private readonly readers: BenchClient[]) {
    const serverPort = (c: BenchClient) => Number(new URL(c.baseUrl).port);
    this.serverPorts = new Set(readers.map(serverPort));
    const open = establishedOn(this.serverPorts);
    for (const c of readers) {
      const key = `${serverPort(c)}:${c.localPort() ?? ''}`;
      if (open?.has(key)) this.keys.set(c, key);
    }
    this.timer = setInterval(() => this.poll(), POLL_MS);
    this.poll();
  }

  private poll(): void {
    const now = performance.now();
    const open = this.keys.size > 0 ? establishedOn(this.serverPorts) : null;
    for (const c of this.readers) {
      if (this.cutAt.has(c)) continue;
      const key = this.keys.get(c);
      if (open && key !== undefined && !open.has(key)) {
        this.cutAt.set(c, now);
        this.usedTable = true;
      } else if (!c.connected) {
        this.cutAt.set(c, now);
        this.usedClose = true;
      }
    }
  }

  get allCut(): boolean {
    return this.cutAt.size === this.readers.length;
  }

  stop(): CutTimes {
    this.poll();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const at = (c: BenchClient) => this.cutAt.get(c);
    return {
      cutMs: this.readers.map((c) => {
        const t = at(c);
        return t === undefined ? null : Math.round(t - this.startedAt);
      }),
      source: this.usedTable
        ? this.usedClose
          ? 'both'
          : 'server socket'
        : this.usedClose || this.keys.size === 0
          ? 'client close'
          : 'server socket',
    };
  }
}
