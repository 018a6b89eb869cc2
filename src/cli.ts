import { EXIT } from './cli/exit-code.js';
import { processIO, type CliIO } from './cli/io.js';
import { TOOL_VERSION } from './cli/version.js';

/**
 * Runs the CLI and resolves to the exit code (see ./cli/program.ts). A bare `--version` is answered here,
 * before commander, the step registry and the renderers are loaded: they would triple its time.
 */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  if (argv.length === 1 && argv[0] === '--version') {
    io.stdout.write(`${TOOL_VERSION}\n`);
    return EXIT.ok;
  }
  const { runProgram } = await import('./cli/program.js');
  return runProgram(argv, io);
}
