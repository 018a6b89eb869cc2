/** What the CLI touches of its process, injectable so tests run `main()` in-process. */
export interface CliIO {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Whether keys can be read: the interactive UI needs a terminal on both sides. */
  stdinIsTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** When the invocation began, on the `performance.now()` clock: `--timeout` counts from here. */
  startedMs: number;
  /**
   * Resolves when the user interrupts (Ctrl-C, SIGTERM, SIGHUP): `--watch`, the UI and `sandbox up` stop then.
   * Only commands that read it take over those signals; a one-shot run keeps Node's default (exit at once).
   */
  readonly interrupted: Promise<void>;
}

export function processIO(): CliIO {
  let interrupted: Promise<void> | undefined;
  // A reader that went away (`| head`) closes the pipe under us: what is left to print has nobody to read
  // it, and the run still owes its --report files and its exit code.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    env: process.env,
    cwd: process.cwd(),
    // performance.now() counts from process start: the deadline covers loading the doctor too.
    startedMs: 0,
    get interrupted() {
      interrupted ??= new Promise((resolve) => {
        // SIGHUP: the ssh connection dropped; stop the same way, so a demo sandbox removes its temp folder.
        for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => resolve());
      });
      return interrupted;
    },
  };
}
