import { ParleyClientError } from './errors.js';

/** `value[key]` for any value, undefined when it is not an object (for reading frames off the network). */
export function readProp(value: unknown, key: string): unknown {
  return (typeof value === 'object' || typeof value === 'function') && value !== null
    ? Reflect.get(value, key)
    : undefined;
}

interface Entry {
  resolve(data: unknown): void;
  reject(err: ParleyClientError): void;
  timer: ReturnType<typeof setTimeout>;
}

/** Requests waiting for their reply, each with its own timeout. */
export class PendingRequests {
  private readonly entries = new Map<string | number, Entry>();

  get size(): number {
    return this.entries.size;
  }

  add(id: string | number, op: string, timeoutMs: number): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.entries.delete(id);
        reject(
          new ParleyClientError('timeout', `${op} got no reply within ${timeoutMs} ms`, { details: { op } }),
        );
      }, timeoutMs);
      this.entries.set(id, { resolve, reject, timer });
    });
  }

  resolve(id: string | number, data: unknown): void {
    const entry = this.take(id);
    entry?.resolve(data);
  }

  reject(id: string | number, err: ParleyClientError): void {
    const entry = this.take(id);
    entry?.reject(err);
  }

  rejectAll(err: ParleyClientError): void {
    const all = [...this.entries.values()];
    this.entries.clear();
    for (const entry of all) {
      clearTimeout(entry.timer);
      entry.reject(err);
    }
  }

  private take(id: string | number): Entry | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    clearTimeout(entry.timer);
    return entry;
  }
}
