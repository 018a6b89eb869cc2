import { EXIT } from './exit-code.js';
import { processIO, type CliIO } from './io.js';
import { TOOL_VERSION } from './version.js';

/**
 * What bin/platform.js runs: `main` of ../cli.ts, loaded on use. A bare `--version` is answered here, before
 * commander, the step registry and the renderers are loaded: they would triple its time.
 */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  if (argv.length === 1 && argv[0] === '--version') {
    io.stdout.write(`${TOOL_VERSION}\n`);
    return EXIT.ok;
  }
  const cli = await import('../cli.js');
  return cli.main(argv, io);
}
