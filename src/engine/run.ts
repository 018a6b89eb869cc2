import { createHash } from 'node:crypto';
import { findCauses } from '../checks/causes.js';
import { couldNotCheckCode } from '../checks/could-not-check.js';
import {
  group,
  summarize,
  worstOf,
  type CheckNode,
  type Report,
  type ResultNode,
  type StepId,
} from '../checks/result.js';
import type { Scope, Step } from '../checks/step.js';
import {
  TIMELINE_TEXT_LIMIT,
  collectTimeline,
  gatherTimelineEvents,
  relateChanges,
  toEntry,
  type TimelineChange,
} from '../checks/timeline.js';
import { formatSeconds, sharedSignal, timer, untilAborted } from '../gateways/deadline.js';
import { errorMessage, isGatewayError } from '../gateways/errors.js';
import { waitsOf } from '../gateways/memo.js';
import { redact } from '../gateways/redact.js';
import type { Recorder } from '../gateways/recording.js';
import type { Gateways } from '../gateways/types.js';
import type { Runbook } from '../runbooks/types.js';
import { NODE_TEXT_LIMIT, clip } from '../text.js';
import { DEFAULT_TARGET, renderCommand, renderProse, type CommandTarget } from './commands.js';
import { applyMutes } from './mute.js';
import type { PlannedRunbook, RunListener } from './events.js';

/** What every run of a session shares; the CLI builds it, tests build it by hand. */
export interface RunContext {
  /** Selected runbooks, each with only its selected steps, in contract order. */
  plan: readonly Runbook[];
  gateways: Gateways;
  scope: Scope;
  target: Report['target'];
  /** Deadline for one step; capped by what is left of the run's deadline. */
  stepTimeoutMs: number;
  /** The flags printed `kubectl`/`cmctl` commands need to reach this target; none by default. */
  commandTarget?: CommandTarget;
  toolVersion: string;
  /** The command line that started the run, credentials removed; reports carry it. */
  commandLine?: string;
  now?: () => Date;
  /** Receives stack traces of crashed steps (`--debug`); never stdout. */
  debug?: (text: string) => void;
  /**
   * "What changed" (`--since`): after the steps, the changes of the last `windowMs` in what the run read
   * (`reads`, the recording around `gateways`) plus one Events list per namespace in scope. Without it the
   * report has no timeline and the run reads no Events of its own.
   */
  timeline?: { windowMs: number; reads: Pick<Recorder, 'listedObjects' | 'baoAnswers'> };
}

/** One run's budget: `deadlineMs` for everything, preflight included; `stop` ends it early (quit, Ctrl-C). */
export interface RunBudget {
  deadlineMs: number;
  stop: AbortSignal;
}

/** A finished step and the signal its gather ran under (its reads are recorded under it). */
export interface StepOutcome {
  node: ResultNode;
  signal: AbortSignal;
}

/** The listed runbooks and steps, for the UI's first frame and for `--only`/`--skip` help. */
export function describePlan(plan: readonly Runbook[]): PlannedRunbook[] {
  return plan.map((r) => ({
    id: r.id,
    title: r.title,
    steps: r.steps.map((s) => ({ id: s.id, title: s.title })),
  }));
}

/**
 * Runs the plan once: asks the API server for its version, then every step at once (the gateways limit
 * their own concurrency), all under one deadline. Never rejects: a step that crashed, was stopped or
 * ran out of time becomes an `error` node, and an unreachable API server a report of unchecked runbooks.
 */
export async function runPlan(
  context: RunContext,
  budget: RunBudget,
  onEvent: RunListener,
  onStep: (step: StepId, outcome: StepOutcome) => void = () => {},
  onTimeline: (changes: TimelineChange[]) => void = () => {},
): Promise<Report> {
  const now = context.now ?? (() => new Date());
  const startedAt = now();
  const started = performance.now();
  const runTimer = timer(budget.deadlineMs);
  const deadline = sharedSignal(AbortSignal.any([runTimer.signal, budget.stop]));
  onEvent({ type: 'run-started', plan: describePlan(context.plan), target: context.target });

  const unreachable = await preflight(context.gateways, deadline, budget);
  let runbooks: ResultNode[];
  let timeline: TimelineChange[] | undefined;
  if (unreachable !== null) {
    runbooks = context.plan.map((r) => notCheckedRunbook(r, unreachable));
  } else {
    // The Events list runs beside the steps (they may ask for the same lists, which the gateway shares).
    const events = context.timeline ? readEvents(context, deadline) : null;
    const nodes = new Map<StepId, ResultNode>();
    const leftMs = () => budget.deadlineMs - (performance.now() - started);
    await Promise.all(
      context.plan.flatMap((runbook) =>
        runbook.steps.map(async (step) => {
          onEvent({ type: 'step-started', runbook: runbook.id, step: step.id });
          const outcome = await executeStep(step, context, deadline, leftMs(), budget.stop);
          nodes.set(step.id, outcome.node);
          onStep(step.id, outcome);
          onEvent({ type: 'step-finished', runbook: runbook.id, step: step.id, node: outcome.node });
        }),
      ),
    );
    runbooks = context.plan.map((r) =>
      group(
        r.id,
        r.title,
        r.steps.map((s) => nodes.get(s.id)!),
      ),
    );
    if (context.timeline && events) {
      await events;
      const { reads, windowMs } = context.timeline;
      const bao = reads.baoAnswers();
      timeline = collectTimeline(
        { objects: reads.listedObjects(), baoServers: bao.servers, baoTokens: bao.tokens },
        startedAt,
        windowMs,
      ).map(finalChange);
      onTimeline(timeline);
    }
  }
  runTimer.clear();
  const report = assembleReport(runbooks, {
    startedAt,
    durationMs: Math.round(performance.now() - started),
    target: context.target,
    toolVersion: context.toolVersion,
    commandLine: context.commandLine,
    timeline,
  });
  onEvent({ type: 'done', report });
  return report;
}

/**
 * One Events list per namespace in scope, for the timeline; it lands in the recording like every other
 * read. A list that fails leaves the timeline without those Events, and says so under --debug.
 */
async function readEvents(context: RunContext, deadline: AbortSignal): Promise<void> {
  const signal = sharedSignal(AbortSignal.any([deadline]));
  try {
    const listing = await untilAborted(
      gatherTimelineEvents({ gateways: context.gateways, scope: context.scope, signal }),
      signal,
    );
    if (listing.kind === 'failed') {
      context.debug?.(`timeline: Events not read: ${listing.failures[0].failure.message}`);
    }
  } catch (error) {
    context.debug?.(`timeline: Events not read: ${errorMessage(error)}`);
  }
}

/** A timeline entry as reports carry it: redacted and bounded like node texts. */
function finalChange(change: TimelineChange): TimelineChange {
  return {
    ...change,
    subject: name(change.subject),
    message: clip(redact(change.message), TIMELINE_TEXT_LIMIT),
  };
}

/** Asks the API server for its version under the run's deadline; the one-line reason when it cannot be reached. */
async function preflight(
  gateways: Gateways,
  deadline: AbortSignal,
  budget: RunBudget,
): Promise<string | null> {
  // Its own signal object, so the waits recorded under it are the preflight's alone.
  const signal = sharedSignal(AbortSignal.any([deadline]));
  try {
    await untilAborted(gateways.kube.readVersion(signal), signal);
    return null;
  } catch (error) {
    if (budget.stop.aborted) return 'stopped before the API server answered';
    if (signal.aborted) {
      const what = waitsOf(signal)[0]?.what ?? 'the API server';
      return `${what} did not answer within ${formatSeconds(budget.deadlineMs)}`;
    }
    if (isGatewayError(error)) return error.message;
    throw error;
  }
}

/** `the API server at https://… (GET /version) did not answer`, from what a signal's holder still waits for. */
function stillWaiting(signal: AbortSignal): string | null {
  const waits = waitsOf(signal);
  if (waits.length === 0) return null;
  const now = performance.now();
  const named = waits
    .slice(0, 2)
    .map((w) => `${w.what} for ${formatSeconds(Math.round((now - w.sinceMs) / 100) * 100)}`);
  const more = waits.length > 2 ? ` and ${waits.length - 2} more` : '';
  return `still waiting for ${named.join('; ')}${more}`;
}

/** A runbook that was not checked at all, e.g. because the API server could not be reached. */
export function notCheckedRunbook(runbook: Pick<Runbook, 'id' | 'title'>, reason: string): ResultNode {
  return {
    id: runbook.id,
    title: runbook.title,
    status: 'error',
    code: 'CLUSTER_UNREACHABLE',
    message: `not checked: ${redact(reason)}`,
    hint: 'Check the kubeconfig context and that the API server is reachable from here (kubectl cluster-info).',
    commands: ['kubectl cluster-info', 'kubectl config current-context'],
  };
}

/** Builds the report envelope around finished runbook nodes (also used after a rerun or a stop). */
export function assembleReport(
  runbooks: ResultNode[],
  meta: {
    startedAt: Date;
    durationMs: number;
    target: Report['target'];
    toolVersion: string;
    commandLine?: string | undefined;
    /** "What changed", newest first; failing leaves get the nearest earlier change that touches them. */
    timeline?: readonly TimelineChange[] | undefined;
  },
): Report {
  const related = meta.timeline ? relateChanges(runbooks, meta.timeline, meta.startedAt) : runbooks;
  return {
    schemaVersion: 1,
    tool: { name: 'platform-doctor', version: meta.toolVersion },
    ...(meta.commandLine === undefined ? {} : { commandLine: meta.commandLine }),
    startedAt: meta.startedAt.toISOString(),
    durationMs: meta.durationMs,
    target: meta.target,
    status: worstOf(related.map((r) => r.status)),
    summary: summarize(related),
    runbooks: related,
    causes: findCauses(related),
    ...(meta.timeline ? { timeline: meta.timeline.map(toEntry) } : {}),
  };
}

/**
 * Runs one step: gather under its deadline, then the pure evaluate, then every text of the result
 * redacted and bounded, then the profile's mutes applied. A throw, an escaped gateway error, a stop or a
 * deadline becomes an `error` node for this step; the other steps go on. `leftMs` is what is left of the
 * run's deadline.
 */
export async function executeStep(
  step: Step,
  context: Pick<
    RunContext,
    'plan' | 'gateways' | 'scope' | 'stepTimeoutMs' | 'debug' | 'now' | 'commandTarget'
  >,
  runDeadline: AbortSignal,
  leftMs: number,
  stop: AbortSignal,
): Promise<StepOutcome> {
  const started = performance.now();
  const budgetMs = Math.max(1, Math.min(context.stepTimeoutMs, Math.floor(leftMs)));
  const stepTimer = timer(budgetMs);
  const signal = sharedSignal(AbortSignal.any([runDeadline, stepTimer.signal]));
  const base = { id: step.id, title: step.title };
  const timing = () => ({ durationMs: Math.round(performance.now() - started) });
  try {
    const outcome = await attemptStep();
    const now = (context.now ?? (() => new Date()))();
    const planned = context.plan.flatMap((r) => r.steps.map((s) => s.id));
    return { ...outcome, node: applyMutes(outcome.node, context.scope.profile.mutes, now, planned) };
  } finally {
    stepTimer.clear();
  }

  async function attemptStep(): Promise<StepOutcome> {
    try {
      // The race guarantees the deadline even when a gather ignores its signal.
      const facts = await untilAborted(
        step.gather({ gateways: context.gateways, scope: context.scope, signal }),
        signal,
      );
      const node = step.evaluate(facts, { now: (context.now ?? (() => new Date()))() });
      return { node: { ...finalize(node, context.commandTarget ?? DEFAULT_TARGET), ...timing() }, signal };
    } catch (error) {
      if (stop.aborted) {
        return {
          node: { ...stopped(step), ...timing() },
          signal,
        };
      }
      if (signal.aborted) {
        const waiting = stillWaiting(signal);
        return {
          node: {
            ...base,
            status: 'error',
            code: 'CHECK_DEADLINE',
            message: finalText(
              `did not finish within ${formatSeconds(budgetMs)}${waiting ? `: ${waiting}` : ''}`,
            ),
            hint: 'Check that the systems this step talks to answer, or allow more time with --timeout.',
            ...timing(),
          },
          signal,
        };
      }
      if (isGatewayError(error)) {
        return {
          node: {
            ...base,
            status: 'error',
            code: couldNotCheckCode(error.kind),
            message: error.message,
            hint: error.permission
              ? `Grant the doctor's identity permission to ${error.permission}, or narrow the scope with --namespace.`
              : `Check that ${error.system === 'kubernetes' ? 'the API server' : error.system} is reachable from here, then rerun.`,
            ...timing(),
          },
          signal,
        };
      }
      context.debug?.(
        `step ${step.id} crashed:\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      return {
        node: {
          ...base,
          status: 'error',
          code: 'CHECK_CRASHED',
          message: `check crashed: ${errorMessage(error)}`,
          hint: 'This is a bug in platform doctor: rerun with --debug for the stack trace and report it.',
          ...timing(),
        },
        signal,
      };
    }
  }
}

/** Stands in for a step that had not finished when the run was stopped: it was not checked. */
export function stopped(step: { id: StepId; title: string }): ResultNode {
  return {
    id: step.id,
    title: step.title,
    status: 'error',
    code: 'CHECK_STOPPED',
    message: 'not checked: stopped before this step finished',
    hint: 'Run platform doctor again and let the run finish.',
  };
}

/** Longest title or subject: object names from a hostile server must not flood a line. */
const NAME_LIMIT = 512;

/**
 * An id at most 2 × NAME_LIMIT long that stays unique: a longer one (a hostile object name) keeps its
 * start and ends with a hash of the whole, so two leaves never share an id.
 */
function boundedId(id: string): string {
  if (id.length <= NAME_LIMIT * 2) return id;
  const digest = createHash('sha256').update(id).digest('hex').slice(0, 16);
  return `${id.slice(0, NAME_LIMIT * 2 - 18)}#${digest}`;
}

function name(text: string): string {
  return clip(redact(text), NAME_LIMIT);
}

function finalText(text: string): string {
  return clip(redact(text), NODE_TEXT_LIMIT);
}

/**
 * A step's node as reports carry it: commands and hint prose rendered for `target` (flags added once,
 * tokens quoted once), and every text redacted and bounded, the last line of defence for text that came
 * from outside in object fields (a condition message quoting a token, a 2 MB message).
 */
export function finalize(node: CheckNode, target: CommandTarget): ResultNode {
  const { hint, commands, children, dependsOn, covers, ...fields } = node;
  const out: ResultNode = {
    ...fields,
    id: boundedId(node.id),
    title: name(node.title),
  };
  if (node.subject !== undefined) out.subject = name(node.subject);
  // Links only matter where something is wrong (checks/causes.ts); on a pass they would only fill the report.
  const isTroubled = node.status === 'fail' || node.status === 'warn';
  if (isTroubled && dependsOn?.length) out.dependsOn = [...new Set(dependsOn.map(name))];
  if (isTroubled && covers?.length) out.covers = [...new Set(covers.map(name))];
  if (node.message !== undefined) out.message = finalText(node.message);
  if (hint !== undefined) out.hint = finalText(renderProse(hint, target));
  if (commands !== undefined) out.commands = commands.map((c) => finalText(renderCommand(c, target)));
  if (children !== undefined) out.children = children.map((child) => finalize(child, target));
  return out;
}
