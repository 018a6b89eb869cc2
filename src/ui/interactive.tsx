import { render } from 'ink';
import { group, type Report, type ResultNode, type StepId } from '../checks/result.js';
import type { RunEvent } from '../engine/events.js';
import { assembleReport, executeStep, runDoctor, type RunOptions } from '../engine/run.js';
import { errorMessage } from '../gateways/errors.js';
import type { RenderOptions } from '../report/types.js';
import { DoctorApp, type DoctorCommands } from './DoctorApp.js';
import type { DoctorAction } from './state.js';
import { statusStyle } from './theme.js';

/** What the CLI hands the interactive UI (see src/cli/doctor.ts). */
export interface InteractiveOptions {
  run: RunOptions;
  render: RenderOptions;
  /** `--watch`: rerun everything this long after each run finishes. */
  watchMs?: number;
  /** Resolves on SIGINT/SIGTERM from outside; in raw mode Ctrl-C arrives as a key instead. */
  interrupted: Promise<void>;
  /** Writes the markdown report and resolves with its path. */
  saveReport: (report: Report) => Promise<string>;
}

/**
 * Renders the interactive doctor on the terminal and resolves with the final report when the user
 * quits (q, Ctrl-C, or `interrupted`). The last frame stays on screen, so the tree survives in scrollback.
 */
export async function runInteractive(options: InteractiveOptions): Promise<Report> {
  const controller = createController(options);
  const app = render(
    <DoctorApp
      commands={controller}
      unicode={options.render.unicode}
      color={options.render.color}
      verbose={options.render.verbose}
      clock={() => performance.now()}
    />,
    { exitOnCtrlC: false },
  );
  void options.interrupted.then(() => controller.quit());
  const report = await controller.finished;
  app.unmount();
  await app.waitUntilExit();
  return report;
}

/** The commands behind the keys, plus the promise of the final report. */
export interface DoctorController extends DoctorCommands {
  /**
   * Settles on quit with the last report when idle; mid-run, with the latest result of every step
   * and an `error` node for each step that never finished.
   */
  finished: Promise<Report>;
}

/**
 * Wires the engine to the app: runs, reruns (fresh reads: every gateway forgets its memo first),
 * `--watch` scheduling and saving. Exported for tests; `clock` must match the app's.
 */
export function createController(
  options: Pick<InteractiveOptions, 'run' | 'watchMs' | 'saveReport'>,
  clock: () => number = () => performance.now(),
): DoctorController {
  const { run } = options;
  const wallClock = run.now ?? (() => new Date());
  const nodes = new Map<StepId, ResultNode>();
  let dispatch: (action: DoctorAction) => void = () => {};
  let lastReport: Report | null = null;
  let runStartedAt: Date | null = null;
  let busy = false;
  let hasQuit = false;
  let watchTimer: NodeJS.Timeout | undefined;
  let settle: (report: Report) => void = () => {};
  const finished = new Promise<Report>((resolve) => (settle = resolve));

  const send = (event: RunEvent) => {
    if (event.type === 'step-finished') nodes.set(event.step, event.node);
    if (!hasQuit) dispatch({ type: 'run-event', event, atMs: clock() });
  };
  // Quitting mid-run aborts the steps still going, so the process ends now rather than at their deadlines.
  const quitting = new AbortController();
  const wired: RunOptions = {
    ...run,
    signal: quitting.signal,
    onEvent: (event) => {
      send(event);
      run.onEvent?.(event);
    },
  };
  const forgetAll = () => {
    run.gateways.kube.forget();
    run.gateways.openbao.forget();
    run.gateways.dns.forget();
    run.gateways.http.forget();
  };
  const scheduleWatch = () => {
    if (options.watchMs === undefined || hasQuit) return;
    clearTimeout(watchTimer);
    watchTimer = setTimeout(() => void rerunAll(), options.watchMs);
    dispatch({ type: 'watch-scheduled', atMs: clock() + options.watchMs });
  };
  const rebuild = (meta: { startedAt: Date; durationMs: number }) =>
    assembleReport(
      run.plan.map((r) =>
        group(
          r.id,
          r.title,
          r.steps.map((s) => nodes.get(s.id) ?? unfinished(s)),
        ),
      ),
      { ...meta, target: run.target, toolVersion: run.toolVersion },
    );

  async function rerunAll(): Promise<void> {
    if (busy || hasQuit) return;
    busy = true;
    clearTimeout(watchTimer);
    runStartedAt = wallClock();
    forgetAll();
    lastReport = await runDoctor(wired);
    busy = false;
    scheduleWatch();
  }

  async function rerunStep(stepId: StepId): Promise<void> {
    const runbook = run.plan.find((r) => r.steps.some((s) => s.id === stepId));
    const step = runbook?.steps.find((s) => s.id === stepId);
    if (busy || hasQuit || !runbook || !step || !lastReport) return;
    busy = true;
    clearTimeout(watchTimer);
    forgetAll();
    send({ type: 'step-started', runbook: runbook.id, step: step.id });
    const node = await executeStep(
      step,
      run,
      AbortSignal.any([AbortSignal.timeout(run.deadlineMs), quitting.signal]),
    );
    send({ type: 'step-finished', runbook: runbook.id, step: step.id, node });
    // The envelope keeps the full run's start and duration; only this step's node is new.
    lastReport = rebuild({ startedAt: new Date(lastReport.startedAt), durationMs: lastReport.durationMs });
    send({ type: 'done', report: lastReport });
    dispatch({ type: 'notice', text: `reran ${step.id}: ${statusStyle[node.status].word}` });
    busy = false;
    scheduleWatch();
  }

  return {
    finished,
    connect(next) {
      dispatch = next;
      void rerunAll();
      return () => {
        dispatch = () => {};
      };
    },
    rerunStep: (stepId) => void rerunStep(stepId),
    rerunAll: () => void rerunAll(),
    save() {
      const report = lastReport;
      if (!report) return;
      dispatch({ type: 'notice', text: 'saving the report…' });
      options.saveReport(report).then(
        (path) => dispatch({ type: 'notice', text: `saved ${path}` }),
        (error: unknown) =>
          dispatch({ type: 'notice', text: `could not save the report: ${errorMessage(error)}` }),
      );
    },
    quit() {
      if (hasQuit) return;
      hasQuit = true;
      clearTimeout(watchTimer);
      quitting.abort();
      const startedAt = runStartedAt ?? wallClock();
      settle(
        !busy && lastReport
          ? lastReport
          : rebuild({
              startedAt,
              durationMs: Math.max(0, wallClock().getTime() - startedAt.getTime()),
            }),
      );
    },
  };
}

/** Stands in for a step that had not finished when the user quit: it was not checked. */
function unfinished(step: { id: StepId; title: string }): ResultNode {
  return {
    id: step.id,
    title: step.title,
    status: 'error',
    message: 'not checked: quit before this step finished',
    hint: 'Run platform doctor again and let the run finish.',
  };
}
