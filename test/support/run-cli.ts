import { main } from '../../src/cli.js';
import type { CliIO } from '../../src/cli/io.js';

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `main()` in-process with captured output, no TTY unless asked, and a fixed environment. */
export async function runCli(
  argv: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    interrupted?: Promise<void>;
    tty?: boolean;
    /** stderr is a terminal (progress is shown there) while stdout may be a pipe. */
    stderrTTY?: boolean;
  } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (text: string) => (stdout += text), isTTY: options.tty ?? false },
    stderr: { write: (text: string) => (stderr += text), isTTY: options.stderrTTY ?? false },
    stdinIsTTY: options.tty ?? false,
    env: { LANG: 'C.UTF-8', PATH: process.env.PATH, HOME: '/nonexistent-home', ...options.env },
    cwd: options.cwd ?? process.cwd(),
    startedMs: performance.now(),
    interrupted: options.interrupted ?? new Promise(() => {}),
  };
  const exitCode = await main(argv, io);
  return { exitCode, stdout, stderr };
}
