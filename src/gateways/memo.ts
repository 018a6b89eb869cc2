interface Entry {
  promise: Promise<unknown>;
  controller: AbortController;
  waiters: number;
  settled: boolean;
}

/**
 * Memoized reads shared by concurrent callers: the first call for a key starts the load, later calls
 * (even while it is in flight) wait for the same result. Each caller's signal only abandons its own
 * wait; the load is aborted when every waiter has gone. Rejected loads are forgotten, so the next
 * caller retries with its own deadline.
 */
export class SharedReads {
  readonly #entries = new Map<string, Entry>();

  read<T>(key: string, signal: AbortSignal, load: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    let entry = this.#entries.get(key);
    if (!entry) {
      const controller = new AbortController();
      const created: Entry = { promise: load(controller.signal), controller, waiters: 0, settled: false };
      created.promise.then(
        () => (created.settled = true),
        () => {
          created.settled = true;
          if (this.#entries.get(key) === created) this.#entries.delete(key);
        },
      );
      this.#entries.set(key, created);
      entry = created;
    }
    const shared = entry;
    shared.waiters += 1;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        shared.waiters -= 1;
        if (shared.waiters === 0 && !shared.settled) {
          // Nobody waits any more: stop the load, and let the next caller start afresh.
          if (this.#entries.get(key) === shared) this.#entries.delete(key);
          shared.controller.abort(signal.reason);
        }
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      shared.promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value as T);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  /** Drops every memoized result; loads in flight still answer the callers already waiting. */
  clear(): void {
    this.#entries.clear();
  }
}
