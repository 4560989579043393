/** A small typed event emitter (no Node dependency, so that the client also runs in browsers). */
export class TypedEmitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<(data: never) => void>>();

  /** Listen to `event`; returns a function that removes the listener. */
  on<E extends keyof Events>(event: E, handler: (data: Events[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(handler as (data: never) => void);
    return () => this.off(event, handler);
  }

  /** Listen to the next `event` only. */
  once<E extends keyof Events>(event: E, handler: (data: Events[E]) => void): () => void {
    const off = this.on(event, (data) => {
      off();
      handler(data);
    });
    return off;
  }

  off<E extends keyof Events>(event: E, handler: (data: Events[E]) => void): void {
    this.listeners.get(event)?.delete(handler as (data: never) => void);
  }

  protected emit<E extends keyof Events>(event: E, data: Events[E]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const handler of [...set]) {
      try {
        (handler as (data: Events[E]) => void)(data);
      } catch (err) {
        // A throwing handler must not break delivery to the others, nor the client's own bookkeeping.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
