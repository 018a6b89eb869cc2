import { group, type Report, type ResultNode, type StepId } from '../checks/result.js';
import type { TimelineChange } from '../checks/timeline.js';
import type { RunEvent, RunListener } from './events.js';
import { sharedSignal, timer } from '../gateways/deadline.js';
import { assembleReport, executeStep, runPlan, stopped, type RunContext } from './run.js';

/** How long a session's runs may take; a one-shot run passes what is left of the invocation's deadline. */
export interface SessionOptions extends RunContext {
  /** The budget of each full run (`--timeout`), preflight included. */
  timeoutMs: number;
}

/**
 * The life cycle of the doctor around one target: run, rerun one step with its reads dropped, rerun
 * everything, watch, and stop with a partial report. The live UI, plain `--watch` and one-shot runs all
 * drive this one object; it owns the deadline of each run and every request's abort.
 */
export class DoctorSession {
  readonly #options: SessionOptions;
  readonly #listeners = new Set<RunListener>();
  readonly #nodes = new Map<StepId, ResultNode>();
  /** The signal each step's last gather ran under: its reads are recorded under it. */
  readonly #stepSignals = new Map<StepId, AbortSignal>();
  readonly #stopping = new AbortController();
  /** The last full run's timeline: a rerun of one step keeps it and relates its new leaves to it. */
  #timeline: TimelineChange[] | undefined;
  #lastReport: Report | null = null;
  #runStartedAt: Date | null = null;
  #busy: Promise<Report> | null = null;
  #hasRun = false;

  /** Settles when `stop()` is called, by whoever calls it (a key, a signal, the CLI). */
  readonly whenStopped: Promise<void>;

  constructor(options: SessionOptions) {
    this.#options = options;
    const stop = sharedSignal(this.#stopping.signal);
    this.whenStopped = new Promise((resolve) =>
      stop.addEventListener('abort', () => resolve(), { once: true }),
    );
  }

  /** The report of the last finished run or rerun; null before the first one. */
  get lastReport(): Report | null {
    return this.#lastReport;
  }

  get isStopped(): boolean {
    return this.#stopping.signal.aborted;
  }

  /** Whether a run or rerun is going on. */
  get isBusy(): boolean {
    return this.#busy !== null;
  }

  /** Events of every run and rerun; returns the unsubscribe. */
  subscribe(listener: RunListener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /**
   * Runs every planned step with fresh reads (after the first run every gateway forgets its memo).
   * `deadlineMs` overrides the run's budget (a one-shot run passes what is left of `--timeout`).
   * Resolves with the report; after `stop()`, with the partial report.
   */
  run(deadlineMs = this.#options.timeoutMs): Promise<Report> {
    return this.#exclusive(async () => {
      if (this.#hasRun) this.#forgetReads();
      this.#hasRun = true;
      this.#timeline = undefined;
      this.#runStartedAt = (this.#options.now ?? (() => new Date()))();
      const report = await runPlan(
        this.#options,
        { deadlineMs, stop: this.#stopping.signal },
        (event) => this.#emit(event),
        (step, outcome) => {
          this.#nodes.set(step, outcome.node);
          this.#stepSignals.set(step, outcome.signal);
        },
        (changes) => (this.#timeline = changes),
      );
      return this.#finish(report);
    });
  }

  /** Reruns one step after dropping what it read; the report keeps the other steps' last results. */
  rerunStep(stepId: StepId): Promise<Report> {
    return this.#exclusive(async () => {
      const runbook = this.#options.plan.find((r) => r.steps.some((s) => s.id === stepId));
      const step = runbook?.steps.find((s) => s.id === stepId);
      if (!runbook || !step) throw new Error(`step ${stepId} is not in the plan`);
      const previous = this.#stepSignals.get(stepId);
      if (previous) this.#forgetReads(previous);
      this.#emit({ type: 'step-started', runbook: runbook.id, step: step.id });
      const stop = this.#stopping.signal;
      const rerunTimer = timer(this.#options.timeoutMs);
      const deadline = AbortSignal.any([rerunTimer.signal, stop]);
      const outcome = await executeStep(step, this.#options, deadline, this.#options.timeoutMs, stop);
      rerunTimer.clear();
      this.#nodes.set(stepId, outcome.node);
      this.#stepSignals.set(stepId, outcome.signal);
      this.#emit({ type: 'step-finished', runbook: runbook.id, step: step.id, node: outcome.node });
      // The envelope keeps the last full run's start and duration; only this step's node is new.
      const last = this.#lastReport;
      const report = this.#rebuild(
        last ? new Date(last.startedAt) : new Date(),
        last?.durationMs ?? outcome.node.durationMs ?? 0,
      );
      this.#emit({ type: 'done', report });
      return this.#finish(report);
    });
  }

  /**
   * Runs, then runs again `intervalMs` after each run finishes, until `stop()`. `afterRun` sees every
   * report; the promise resolves with the last complete one (a run cut short by the stop says nothing new
   * about the platform, unless it is the only one).
   */
  async watch(intervalMs: number, afterRun: (report: Report) => Promise<void> | void): Promise<Report> {
    let last: Report | null = null;
    while (!this.isStopped) {
      const report = await this.run();
      if (this.isStopped && last !== null) break;
      last = report;
      await afterRun(report);
      if (this.isStopped) break;
      this.#emit({ type: 'run-scheduled', inMs: intervalMs });
      await this.#sleep(intervalMs);
    }
    this.#emit({ type: 'run-scheduled', inMs: null });
    return last ?? this.partialReport();
  }

  /** Ends the work going on now: requests are aborted and unfinished steps become `error` nodes. */
  stop(): void {
    this.#stopping.abort(new Error('stopped'));
  }

  /** The latest result of every step, and an `error` node for each step that never finished. */
  partialReport(): Report {
    if (!this.#busy && this.#lastReport) return this.#lastReport;
    const startedAt = this.#runStartedAt ?? new Date();
    const now = (this.#options.now ?? (() => new Date()))();
    return this.#rebuild(startedAt, Math.max(0, now.getTime() - startedAt.getTime()));
  }

  /** Closes every gateway: sockets end, children are killed; the session is not used afterwards. */
  async close(): Promise<void> {
    this.stop();
    const { kube, openbao, dns, http } = this.#options.gateways;
    await Promise.all([kube.close(), openbao.close(), dns.close(), http.close()]);
  }

  /** One run at a time: a run asked for while another goes on starts when it has finished. */
  async #exclusive(work: () => Promise<Report>): Promise<Report> {
    while (this.#busy) await this.#busy.catch(() => {});
    if (this.isStopped) return this.partialReport();
    const running = work();
    this.#busy = running;
    try {
      return await running;
    } finally {
      this.#busy = null;
    }
  }

  #finish(report: Report): Report {
    // A run cut short by stop() is partial: it does not replace the last complete one.
    if (!this.isStopped || this.#lastReport === null) this.#lastReport = report;
    return report;
  }

  #rebuild(startedAt: Date, durationMs: number): Report {
    const runbooks = this.#options.plan.map((r) =>
      group(
        r.id,
        r.title,
        r.steps.map((s) => this.#nodes.get(s.id) ?? stopped(s)),
      ),
    );
    return assembleReport(runbooks, {
      startedAt,
      durationMs,
      target: this.#options.target,
      toolVersion: this.#options.toolVersion,
      commandLine: this.#options.commandLine,
      timeline: this.#timeline,
    });
  }

  #forgetReads(signal?: AbortSignal): void {
    const { kube, openbao, dns, http } = this.#options.gateways;
    for (const gateway of [kube, openbao, dns, http]) gateway.forget(signal);
  }

  #emit(event: RunEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  /** A referenced timer: between watch runs nothing else may keep the process alive. */
  #sleep(ms: number): Promise<void> {
    const stop = this.#stopping.signal;
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        stop.removeEventListener('abort', done);
        resolve();
      }
      stop.addEventListener('abort', done, { once: true });
    });
  }
}
