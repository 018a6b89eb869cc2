import { leavesOf, type Report, type Status } from '../checks/result.js';
import { runDoctor, type RunOptions } from '../engine/run.js';
import { renderers, type OutputFormat } from '../report/index.js';
import { summaryLine } from '../report/summary.js';
import type { RenderOptions } from '../report/types.js';
import { paint, statusStyle } from '../ui/theme.js';
import { exitCodeFor } from './exit-code.js';
import type { CliIO } from './io.js';

interface WatchSettings {
  output: Exclude<OutputFormat, 'html'>;
  render: RenderOptions;
  afterRun: (report: Report) => Promise<void>;
}

/**
 * `--watch` without a TTY: the first run prints in full, later runs print only the leaves whose status
 * changed (JSON: one compact report per line). Stops on interrupt; the exit code is the last run's.
 */
export async function watchPlain(
  run: RunOptions,
  intervalMs: number,
  io: CliIO,
  settings: WatchSettings,
): Promise<number> {
  let stopped = false;
  const stopping = new AbortController();
  void io.interrupted.then(() => {
    stopped = true;
    stopping.abort();
  });
  let previous: Report | null = null;
  let exitCode = 0;
  while (!stopped) {
    const report = await runDoctor({ ...run, signal: stopping.signal });
    // A run cut short by the interrupt says nothing new about the platform: the last full run stands.
    if (stopped && previous !== null) break;
    if (settings.output === 'json') io.stdout.write(`${JSON.stringify(report)}\n`);
    else if (previous === null) io.stdout.write(renderers[settings.output](report, settings.render));
    else io.stdout.write(changesBetween(previous, report, settings.render));
    await settings.afterRun(report);
    exitCode = exitCodeFor(report.status);
    previous = report;
    await Promise.race([io.interrupted, new Promise((r) => setTimeout(r, intervalMs).unref())]);
  }
  return exitCode;
}

/** One line per leaf whose status changed, then the new summary; `no changes` when none did. */
export function changesBetween(before: Report, after: Report, render: RenderOptions): string {
  const old = new Map<string, Status>(before.runbooks.flatMap(leavesOf).map((l) => [l.id, l.status]));
  const time = after.startedAt.slice(11, 19);
  const lines: string[] = [];
  for (const leaf of after.runbooks.flatMap(leavesOf)) {
    const was = old.get(leaf.id);
    if (was === leaf.status) continue;
    const style = statusStyle[leaf.status];
    const glyph = paint(render.unicode ? style.glyph : style.ascii, style.color, render.color);
    const arrow = render.unicode ? '→' : '->';
    const message = leaf.message ? `: ${leaf.message}` : '';
    lines.push(
      `${time} ${glyph} ${leaf.subject ?? leaf.id} ${was ?? 'new'} ${arrow} ${leaf.status}${message}`,
    );
  }
  lines.push(`${time} ${lines.length ? '' : 'no changes · '}${summaryLine(after.summary)}`);
  return `${lines.join('\n')}\n`;
}
