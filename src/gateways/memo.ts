import { sharedSignal } from './deadline.js';

interface Entry {
  promise: Promise<unknown>;
  controller: AbortController;
  waiters: number;
  settled: boolean;
}

/** One thing a caller is waiting for: `the API server at https://… (list pods)`, and since when. */
export interface Wait {
  readonly what: string;
  sinceMs: number;
}

/** What a wait is for; a function when the answer changes while waiting (a credential plugin, then the server). */
export type WaitDescription = string | (() => string);

/** Waits by the caller's signal: each step passes its own signal, so a step's waits are its own. */
const waitsBySignal = new WeakMap<AbortSignal, Set<Wait>>();

/** What the holder of `signal` is still waiting for, oldest first: for "did not answer within" messages. */
export function waitsOf(signal: AbortSignal): Wait[] {
  return [...(waitsBySignal.get(signal) ?? [])].sort((a, b) => a.sinceMs - b.sinceMs);
}

/**
 * Memoized reads shared by concurrent callers: the first call for a key starts the load, later calls
 * (even while it is in flight) wait for the same result. Each caller's signal only abandons its own
 * wait; the load is aborted when every waiter has gone. Rejected loads are forgotten, so the next
 * caller retries with its own deadline. Every wait is recorded under the caller's signal (see
 * `waitsOf`), and every key under the signals that read it, so one caller's reads can be dropped.
 */
export class SharedReads {
  readonly #entries = new Map<string, Entry>();
  readonly #keysBySignal = new WeakMap<AbortSignal, Set<string>>();
  /**
   * Per caller signal, what to do when it aborts, behind one listener: an EventTarget checks every listener
   * it holds when another is added, and a step asks for thousands of reads at once under one signal.
   */
  readonly #abortHandlers = new WeakMap<AbortSignal, Set<() => void>>();

  /** `what` names the server and the question, for people: `OpenBao at openbao/openbao:8200 (sys/health)`. */
  read<T>(
    key: string,
    signal: AbortSignal,
    what: WaitDescription,
    load: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const keys = this.#keysBySignal.get(signal) ?? new Set<string>();
    this.#keysBySignal.set(signal, keys.add(key));
    let entry = this.#entries.get(key);
    if (!entry) {
      const controller = new AbortController();
      sharedSignal(controller.signal);
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
    const wait: Wait = {
      get what() {
        return typeof what === 'string' ? what : what();
      },
      sinceMs: performance.now(),
    };
    const waits = waitsBySignal.get(signal) ?? new Set<Wait>();
    waitsBySignal.set(signal, waits.add(wait));
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        // After an abort the wait stays recorded: the engine reads it to say what never answered.
        if (!signal.aborted) waits.delete(wait);
        handlers.delete(onAbort);
      };
      const onAbort = () => {
        shared.waiters -= 1;
        if (shared.waiters === 0 && !shared.settled) {
          // Nobody waits any more: stop the load, and let the next caller start afresh.
          if (this.#entries.get(key) === shared) this.#entries.delete(key);
          shared.controller.abort(signal.reason);
        }
        reject(signal.reason);
      };
      const handlers = this.#abortHandlersOf(signal);
      handlers.add(onAbort);
      shared.promise.then(
        (value) => {
          done();
          resolve(value as T);
        },
        (error: unknown) => {
          done();
          reject(error);
        },
      );
    });
  }

  #abortHandlersOf(signal: AbortSignal): Set<() => void> {
    let handlers = this.#abortHandlers.get(signal);
    if (!handlers) {
      const created = new Set<() => void>();
      signal.addEventListener('abort', () => [...created].forEach((handle) => handle()), { once: true });
      this.#abortHandlers.set(signal, created);
      handlers = created;
    }
    return handlers;
  }

  /**
   * Drops memoized results: every one, or only those read under `signal` (a step being rerun); loads in
   * flight still answer the callers already waiting.
   */
  clear(signal?: AbortSignal): void {
    if (signal === undefined) return this.#entries.clear();
    for (const key of this.#keysBySignal.get(signal) ?? []) this.#entries.delete(key);
  }
}
