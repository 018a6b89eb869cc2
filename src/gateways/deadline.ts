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
