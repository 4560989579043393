/**
 * The operating system's limits that bound how many connections one machine can hold for S1L: open files
 * (both the server and the load generator hold one descriptor per connection), the ephemeral port range (one
 * port per connection from each source address to the server's one address and port) and the listen backlog.
 */
import { readFileSync } from 'node:fs';
import { childOpenFilesLimit } from './proc.js';

export interface ConnectionLimits {
  /** Soft and hard open-files limit the harness's children start with (the soft one raised to the hard). */
  openFiles: { soft: number | null; hard: number | null };
  /** net.ipv4.ip_local_port_range. */
  portRange: [number, number] | null;
  /** net.core.somaxconn. */
  somaxconn: number | null;
}

/** Descriptors a process needs beside its connections (files, pipes, the event loop's own). */
export const SPARE_FILES = 1024;

function readProc(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

export function readConnectionLimits(): ConnectionLimits {
  const range = readProc('/proc/sys/net/ipv4/ip_local_port_range')?.split(/\s+/).map(Number);
  const somaxconn = Number(readProc('/proc/sys/net/core/somaxconn'));
  return {
    openFiles: childOpenFilesLimit(),
    portRange:
      range && range.length === 2 && range.every(Number.isFinite) ? [range[0] ?? 0, range[1] ?? 0] : null,
    somaxconn: Number.isFinite(somaxconn) && somaxconn > 0 ? somaxconn : null,
  };
}

/** Ports one source address can use towards one server address and port. */
export function portsPerAddress(range: [number, number]): number {
  return Math.max(0, range[1] - range[0] + 1);
}

/** Source addresses needed for `connections`, leaving a fifth of each address's ports free. */
export function addressesNeeded(connections: number, range: [number, number]): number {
  const usable = Math.floor(portsPerAddress(range) * 0.8);
  return usable > 0 ? Math.max(1, Math.ceil(connections / usable)) : Infinity;
}

/** 127.0.0.1 … 127.0.0.n: every loopback address answers on Linux without any setup. */
export function loopbackSources(count: number): string[] {
  return Array.from({ length: Math.min(254, Math.max(1, count)) }, (_, i) => `127.0.0.${i + 1}`);
}

/** What stands in the way of holding `connections` from `addresses` source addresses (empty: nothing known). */
export function limitProblems(connections: number, addresses: number, limits: ConnectionLimits): string[] {
  const problems: string[] = [];
  const files = limits.openFiles.soft;
  if (files !== null && files < connections + SPARE_FILES) {
    problems.push(
      `open files limit ${files} < ${connections + SPARE_FILES} (raise the hard limit: ulimit -Hn / limits.conf nofile)`,
    );
  }
  if (limits.portRange) {
    const needed = addressesNeeded(connections, limits.portRange);
    if (addresses < needed) {
      problems.push(
        `${addresses} source addresses × ${portsPerAddress(limits.portRange)} ports (ip_local_port_range ` +
          `${limits.portRange.join('-')}) is short of ${connections} connections: use at least ${needed}`,
      );
    }
  }
  return problems;
}
