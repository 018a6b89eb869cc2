import { group, summarize, worstOf, type Report, type ResultNode, type StepId } from '../checks/result.js';
import { mapLimit } from '../checks/concurrency.js';
import type { Scope, Step } from '../checks/step.js';
import { formatSeconds, untilAborted } from '../gateways/deadline.js';
import { errorMessage, isGatewayError } from '../gateways/errors.js';
import type { Gateways } from '../gateways/types.js';
import type { Runbook } from '../runbooks/types.js';
import type { PlannedRunbook, RunListener } from './events.js';

/** Everything one run needs; the CLI builds it, tests build it by hand. */
export interface RunOptions {
  /** Selected runbooks, each with only its selected steps, in contract order. */
  plan: readonly Runbook[];
  gateways: Gateways;
  scope: Scope;
  target: Report['target'];
  /** Overall deadline for the whole run (`--timeout`). */
  deadlineMs: number;
  /** Deadline for one step; capped by what is left of the overall deadline. */
  stepTimeoutMs: number;
  /** How many steps run at once. */
  concurrency: number;
  toolVersion: string;
  now?: () => Date;
  onEvent?: RunListener;
  /** Receives stack traces of crashed steps (`--debug`); never stdout. */
  debug?: (text: string) => void;
  /** Ends the run early (the UI's quit): unfinished steps become `error` nodes at once. */
  signal?: AbortSignal;
}

/** The listed runbooks and steps, for the UI's first frame and for `--only`/`--skip` help. */
export function describePlan(plan: readonly Runbook[]): PlannedRunbook[] {
  return plan.map((r) => ({
    id: r.id,
    title: r.title,
    steps: r.steps.map((s) => ({ id: s.id, title: s.title })),
  }));
}

/** Runs every planned step under the deadlines and assembles the report. Never rejects. */
export async function runDoctor(options: RunOptions): Promise<Report> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const started = performance.now();
  const deadline = options.signal
    ? AbortSignal.any([AbortSignal.timeout(options.deadlineMs), options.signal])
    : AbortSignal.timeout(options.deadlineMs);
  options.onEvent?.({ type: 'run-started', plan: describePlan(options.plan), target: options.target });

  const jobs = options.plan.flatMap((runbook) => runbook.steps.map((step) => ({ runbook, step })));
  const nodes = new Map<StepId, ResultNode>();
  await mapLimit(jobs, options.concurrency, async ({ runbook, step }) => {
    options.onEvent?.({ type: 'step-started', runbook: runbook.id, step: step.id });
    const node = await executeStep(step, options, deadline, started);
    nodes.set(step.id, node);
    options.onEvent?.({ type: 'step-finished', runbook: runbook.id, step: step.id, node });
  });

  const report = assembleReport(
    options.plan.map((r) =>
      group(
        r.id,
        r.title,
        r.steps.map((s) => nodes.get(s.id)!),
      ),
    ),
    {
      startedAt,
      durationMs: Math.round(performance.now() - started),
      target: options.target,
      toolVersion: options.toolVersion,
    },
  );
  options.onEvent?.({ type: 'done', report });
  return report;
}

/** Builds the report envelope around finished runbook nodes (also used after a UI rerun). */
export function assembleReport(
  runbooks: ResultNode[],
  meta: { startedAt: Date; durationMs: number; target: Report['target']; toolVersion: string },
): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'platform-doctor', version: meta.toolVersion },
    startedAt: meta.startedAt.toISOString(),
    durationMs: meta.durationMs,
    target: meta.target,
    status: worstOf(runbooks.map((r) => r.status)),
    summary: summarize(runbooks),
    runbooks,
  };
}

/**
 * Runs one step: gather under its deadline, then the pure evaluate. A throw, an escaped gateway
 * error or a deadline becomes an `error` node for this step; the caller's other steps go on.
 */
export async function executeStep(
  step: Step,
  options: Pick<RunOptions, 'gateways' | 'scope' | 'stepTimeoutMs' | 'deadlineMs' | 'debug' | 'now'>,
  runDeadline: AbortSignal,
  runStartedAt = performance.now(),
): Promise<ResultNode> {
  const started = performance.now();
  const leftMs = Math.max(1, Math.floor(options.deadlineMs - (started - runStartedAt)));
  const budgetMs = Math.min(options.stepTimeoutMs, leftMs);
  const signal = AbortSignal.any([runDeadline, AbortSignal.timeout(budgetMs)]);
  const base = { id: step.id, title: step.title };
  const timing = () => ({ durationMs: Math.round(performance.now() - started) });
  try {
    // The race guarantees the deadline even when a gather ignores its signal.
    const facts = await untilAborted(
      step.gather({ gateways: options.gateways, scope: options.scope, signal }),
      signal,
    );
    const node = step.evaluate(facts, { now: (options.now ?? (() => new Date()))() });
    return { ...node, ...timing() };
  } catch (error) {
    if (signal.aborted) {
      return {
        ...base,
        status: 'error',
        message: `gave up after ${formatSeconds(budgetMs)}`,
        hint: 'Check that the systems this step talks to answer, or allow more time with --timeout.',
        ...timing(),
      };
    }
    if (isGatewayError(error)) {
      return {
        ...base,
        status: 'error',
        message: error.message,
        hint: error.permission
          ? `Grant the doctor's identity permission to ${error.permission}, or narrow the scope with --namespace.`
          : `Check that ${error.system === 'kubernetes' ? 'the API server' : error.system} is reachable from here, then rerun.`,
        ...timing(),
      };
    }
    options.debug?.(
      `step ${step.id} crashed:\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return {
      ...base,
      status: 'error',
      message: `check crashed: ${errorMessage(error)}`,
      hint: 'This is a bug in platform doctor: rerun with --debug for the stack trace and report it.',
      ...timing(),
    };
  }
}
