import { setMaxListeners } from 'node:events';

/**
 * Waits for `work` but rejects with the signal's reason as soon as it aborts: for work that cannot be
 * cancelled itself (an exec credential plugin, a check that ignores its signal), so nobody waits past a deadline.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The work is abandoned, not cancelled: its own later rejection must not go unhandled.
    work.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** A signal that aborts with a TimeoutError after `ms`, and `clear()` to drop its timer once done. */
export interface Timer {
  signal: AbortSignal;
  clear(): void;
}

/**
 * `AbortSignal.timeout`, held by a referenced timer. Inside `AbortSignal.any` the signal of
 * AbortSignal.timeout can be garbage-collected and then never fires (nodejs/node#57736): a step deadline
 * silently lost. Here the pending timer keeps the controller alive until it fires or is cleared.
 */
export function timer(ms: number): Timer {
  const controller = new AbortController();
  const handle = setTimeout(
    () => controller.abort(new DOMException(`timed out after ${formatSeconds(ms)}`, 'TimeoutError')),
    ms,
  );
  return { signal: controller.signal, clear: () => clearTimeout(handle) };
}

/**
 * Marks a signal that many waits listen to at once (a step's deadline heard by every request of the step):
 * Node warns past ten listeners, which is right for a leak and wrong here.
 */
export function sharedSignal<S extends AbortSignal>(signal: S): S {
  setMaxListeners(0, signal);
  return signal;
}

/** `5s`, `0.3s`: a timeout as messages print it. */
export function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}
