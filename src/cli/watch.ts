import type { Report } from '../checks/result.js';
import type { DoctorSession } from '../engine/session.js';
import { changesBetween } from '../report/changes.js';
import { FORMATS, type StdoutFormat } from '../report/index.js';
import { escapeInvisible } from '../report/json.js';
import type { RenderOptions } from '../report/types.js';
import { exitCodeFor } from './exit-code.js';
import type { CliIO } from './io.js';

interface WatchSettings {
  output: StdoutFormat;
  render: RenderOptions;
  afterRun: (report: Report) => Promise<void>;
}

/**
 * `--watch` without a TTY: the first run prints in full, later runs print only the leaves whose status
 * changed (JSON: one compact report per line). Runs until the session is stopped; the exit code is the
 * last complete run's.
 */
export async function watchPlain(
  session: DoctorSession,
  intervalMs: number,
  io: CliIO,
  settings: WatchSettings,
): Promise<number> {
  let previous: Report | null = null;
  const last = await session.watch(intervalMs, async (report) => {
    if (settings.output === 'json') io.stdout.write(`${escapeInvisible(JSON.stringify(report))}\n`);
    else if (previous === null) io.stdout.write(FORMATS[settings.output].render(report, settings.render));
    else io.stdout.write(changesBetween(previous, report, settings.render));
    previous = report;
    await settings.afterRun(report);
  });
  return exitCodeFor(last.status);
}
