import { describe, expect, it } from 'vitest';
import { ProgressLine } from '../../src/cli/progress.js';
import { runCli } from '../support/run-cli.js';

/** What a terminal shows after `text`: `\r` returns to the line's start, ESC[2K erases the line. */
function screen(text: string): string {
  const lines = [''];
  // eslint-disable-next-line no-control-regex -- the erase sequence is what this reads
  for (const part of text.split(/(\r|\u001b\[2K|\n)/)) {
    if (part === '\r' || part === '') continue;
    if (part === '\u001b[2K') lines[lines.length - 1] = '';
    else if (part === '\n') lines.push('');
    else lines[lines.length - 1] += part;
  }
  return lines.join('\n');
}

describe('progress of a plain run on a terminal', () => {
  it('counts finished steps, names the one running longest, and erases itself when done', () => {
    let out = '';
    const line = new ProgressLine((t) => void (out += t), true);
    line.onEvent({
      type: 'run-started',
      target: { context: null, cluster: null, env: null },
      plan: [
        {
          id: 'ingress',
          title: 'Ingress',
          steps: [
            { id: 'ingress.dns', title: 'dns' },
            { id: 'ingress.https', title: 'https' },
          ],
        },
      ],
    });
    line.onEvent({ type: 'step-started', runbook: 'ingress', step: 'ingress.https' });
    line.onEvent({ type: 'step-started', runbook: 'ingress', step: 'ingress.dns' });
    line.onEvent({
      type: 'step-finished',
      runbook: 'ingress',
      step: 'ingress.dns',
      node: { id: 'ingress.dns', title: 'dns', status: 'pass' },
    });
    expect(screen(out)).toMatch(/^. checking 1\/2 steps · ingress\.https \d+ms$/);
    line.onEvent({
      type: 'done',
      report: {} as never,
    });
    expect(screen(out)).toBe('');
  });

  it('shows progress on a terminal stderr and leaves nothing there once the report is out', async () => {
    const run = await runCli(['doctor', '--demo', '--only', 'gitops', '-o', 'json'], { stderrTTY: true });
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain('checking 0/1 steps');
    expect(screen(run.stderr)).toBe('');
    expect(JSON.parse(run.stdout).status).toBe('pass');
  });

  it('says nothing on a stderr that is not a terminal', async () => {
    const run = await runCli(['doctor', '--demo', '--only', 'gitops', '-o', 'json']);
    expect(run.stderr).toBe('');
  });
});
