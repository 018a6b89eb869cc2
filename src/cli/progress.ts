import type { RunEvent } from '../engine/events.js';
import { formatDuration } from '../report/summary.js';
import { progressMarks } from '../report/theme.js';

/** How often the line is redrawn: enough for a spinner, little enough to cost nothing. */
const FRAME_MS = 100;

/**
 * The plain run's progress on a terminal's stderr: one line, redrawn in place, erased when the run is
 * done, so stdout (the report) is untouched and a scrollback shows only the report.
 *
 *     ⠹ checking 7/11 steps · ingress.https 2.1s
 */
export class ProgressLine {
  readonly #write: (text: string) => void;
  readonly #unicode: boolean;
  readonly #running = new Map<string, number>();
  #finished = 0;
  #total = 0;
  #timer: NodeJS.Timeout | null = null;
  #frame = 0;

  constructor(write: (text: string) => void, unicode: boolean) {
    this.#write = write;
    this.#unicode = unicode;
  }

  /** Feeds one engine event; the line follows the run. */
  readonly onEvent = (event: RunEvent): void => {
    switch (event.type) {
      case 'run-started':
        this.#total = event.plan.reduce((n, r) => n + r.steps.length, 0);
        this.#finished = 0;
        this.#running.clear();
        this.#timer ??= setInterval(() => this.#draw(), FRAME_MS);
        // The line is a courtesy: it must not keep the process alive.
        this.#timer.unref();
        return this.#draw();
      case 'step-started':
        this.#running.set(event.step, performance.now());
        return this.#draw();
      case 'step-finished':
        this.#running.delete(event.step);
        this.#finished += 1;
        return this.#draw();
      case 'done':
        return this.clear();
      case 'run-scheduled':
        return;
    }
  };

  /** Erases the line and stops redrawing. */
  clear(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#write('\r\u001b[2K');
  }

  #draw(): void {
    const marks = this.#unicode ? progressMarks.unicode : progressMarks.ascii;
    const spinner = marks.frames[this.#frame++ % marks.frames.length];
    // The step running longest is the one worth naming: it is what the run waits for.
    const slowest = [...this.#running].sort(([, a], [, b]) => a - b)[0];
    const waiting = slowest ? ` · ${slowest[0]} ${formatDuration(performance.now() - slowest[1])}` : '';
    this.#write(`\r\u001b[2K${spinner} checking ${this.#finished}/${this.#total} steps${waiting}`);
  }
}
