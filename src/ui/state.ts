import {
  compareStatus,
  summarize,
  worstOf,
  type Report,
  type ResultNode,
  type Status,
  type StepId,
  type Summary,
} from '../checks/result.js';
import type { PlannedRunbook, RunEvent } from '../engine/events.js';
import { leafName } from '../report/leaves.js';
import { diagnose, explainedByText, explainsText, ownAdvice, type Diagnosis } from '../report/start-here.js';
import { SCREEN_TEXT_LIMIT, displayable, oneLine, visible } from '../text.js';
import { toneOf, type Tone } from '../checks/timeline.js';
import { afterText, timeColumns } from '../report/timeline.js';

/**
 * The interactive UI's state and its pure reducer: RunEvents and key actions in, state out.
 * Everything here is testable without Ink; the components only render what the selectors return.
 */

/** Where one planned step is: not started, running since `startedAtMs`, or finished with its node. */
export type StepProgress =
  { phase: 'pending' } | { phase: 'running'; startedAtMs: number } | { phase: 'finished'; node: ResultNode };

export interface DoctorState {
  plan: PlannedRunbook[];
  target: Report['target'] | null;
  steps: Record<StepId, StepProgress>;
  /** The report of the last finished run (or rerun); null until the first run is done. */
  report: Report | null;
  runStartedAtMs: number | null;
  /** A full run is in progress (single-step reruns show as a running step instead). */
  isRunning: boolean;
  /** Key of the selected row; follows the nearest visible ancestor when its row disappears. */
  cursor: string | null;
  /** Once the user moves, the cursor no longer jumps to the first failure when a run ends. */
  hasMovedCursor: boolean;
  /** The user's expand/collapse choices by row key; rows without one follow `isExpandedByDefault`. */
  expanded: Record<string, boolean>;
  showHints: boolean;
  failuresOnly: boolean;
  showHelp: boolean;
  /** `t`: the timeline ("What changed") in place of the tree. */
  showTimeline: boolean;
  /** First timeline entry on screen while the timeline is shown. */
  timelineOffset: number;
  verbose: boolean;
  /** One line for the status bar: where a report was saved, why a key did nothing. */
  notice: string | null;
  /** When `--watch` runs everything next, on the same clock as RunEvent timestamps. */
  nextRunAtMs: number | null;
}

/** The events of a run; the watch schedule arrives as its own action (`watch-scheduled`). */
export type RunProgress = Exclude<RunEvent, { type: 'run-scheduled' }>;

/** Everything the reducer understands. `atMs` comes from the caller's clock so the reducer stays pure. */
export type DoctorAction =
  | { type: 'run-event'; event: RunProgress; atMs: number }
  | { type: 'move'; by: number }
  | { type: 'expand' }
  | { type: 'collapse' }
  | { type: 'toggle' }
  | { type: 'toggle-hints' }
  | { type: 'toggle-failures-only' }
  | { type: 'toggle-help' }
  | { type: 'toggle-timeline' }
  | { type: 'scroll-timeline'; by: number }
  | { type: 'notice'; text: string | null }
  | { type: 'watch-scheduled'; atMs: number | null };

/** A row's status: a result status, or a step that has not finished. */
export type RowStatus = Status | 'running' | 'pending';

/** One line of the tree (plus its hint and commands when shown). */
export interface Row {
  /** Path of node ids joined by a tab: ancestors' keys are prefixes, so a lost cursor finds its parent. */
  key: string;
  depth: number;
  /** `folded` stands for the passing leaves of a parent that also has problems: `✔ 3 passed`. */
  kind: 'node' | 'folded';
  status: RowStatus;
  label: string;
  message?: string;
  /** A line above the hint: what a cause explains, or what explains this leaf. */
  note?: string;
  /** The change before this failing leaf: `started after Argo CD synced … at 14:02 UTC (…)`. */
  after?: string;
  hint?: string;
  commands?: string[];
  /** The finding code (`CERT_EXPIRED`), shown with the details; docs/findings.md explains it. */
  code?: string;
  /** Leaf counts by status, shown on collapsed parents and folded rows, worst first. */
  counts?: [Status, number][];
  isExpandable: boolean;
  isExpanded: boolean;
  /** The step this row belongs to, for `r`; absent on runbook rows. */
  stepId?: StepId;
  startedAtMs?: number;
  durationMs?: number;
}

const SEP = '\t';

/** Outside text as a row shows it: one line, controls visible, at most SCREEN_TEXT_LIMIT characters. */
const show = (text: string) => displayable(text, SCREEN_TEXT_LIMIT);
const PROBLEMS: readonly RowStatus[] = ['fail', 'error', 'warn'];

/** The state before the first event. */
export function initialState(options: { verbose: boolean }): DoctorState {
  return {
    plan: [],
    target: null,
    steps: {},
    report: null,
    runStartedAtMs: null,
    isRunning: false,
    cursor: null,
    hasMovedCursor: false,
    expanded: {},
    showHints: false,
    failuresOnly: false,
    showHelp: false,
    showTimeline: false,
    timelineOffset: 0,
    verbose: options.verbose,
    notice: null,
    nextRunAtMs: null,
  };
}

/** The pure reducer; the cursor is re-anchored to a visible row after every action. */
export function reduce(state: DoctorState, action: DoctorAction): DoctorState {
  const next = apply(state, action);
  if (next === state) return state;
  const rows = visibleRows(next);
  const cursor = rows[cursorIndex(rows, next.cursor)]?.key ?? null;
  return cursor === next.cursor ? next : { ...next, cursor };
}

function apply(state: DoctorState, action: DoctorAction): DoctorState {
  // A notice answers the last key; the next key press clears it.
  if (
    state.notice !== null &&
    action.type !== 'run-event' &&
    action.type !== 'notice' &&
    action.type !== 'watch-scheduled'
  ) {
    return apply({ ...state, notice: null }, action);
  }
  switch (action.type) {
    case 'run-event':
      return applyEvent(state, action.event, action.atMs);
    case 'move': {
      const rows = visibleRows(state);
      const index = Math.min(rows.length - 1, Math.max(0, cursorIndex(rows, state.cursor) + action.by));
      return { ...state, cursor: rows[index]?.key ?? null, hasMovedCursor: true };
    }
    case 'expand':
    case 'collapse':
    case 'toggle':
      return fold(state, action.type);
    case 'toggle-hints':
      return { ...state, showHints: !state.showHints };
    case 'toggle-failures-only':
      return { ...state, failuresOnly: !state.failuresOnly };
    case 'toggle-help':
      return { ...state, showHelp: !state.showHelp };
    case 'toggle-timeline':
      return { ...state, showTimeline: !state.showTimeline, timelineOffset: 0 };
    case 'scroll-timeline': {
      const last = Math.max(0, (state.report?.timeline?.length ?? 0) - 1);
      return { ...state, timelineOffset: Math.min(last, Math.max(0, state.timelineOffset + action.by)) };
    }
    case 'notice':
      return { ...state, notice: action.text };
    case 'watch-scheduled':
      return { ...state, nextRunAtMs: action.atMs };
  }
}

function applyEvent(state: DoctorState, event: RunProgress, atMs: number): DoctorState {
  switch (event.type) {
    case 'run-started': {
      const steps: DoctorState['steps'] = {};
      for (const runbook of event.plan)
        for (const step of runbook.steps) steps[step.id] = { phase: 'pending' };
      return {
        ...state,
        plan: event.plan,
        target: event.target,
        steps,
        report: null,
        runStartedAtMs: atMs,
        isRunning: true,
        nextRunAtMs: null,
        cursor: state.cursor ?? event.plan[0]?.id ?? null,
      };
    }
    case 'step-started':
      return { ...state, steps: { ...state.steps, [event.step]: { phase: 'running', startedAtMs: atMs } } };
    case 'step-finished':
      return { ...state, steps: { ...state.steps, [event.step]: { phase: 'finished', node: event.node } } };
    case 'done': {
      const done = { ...state, report: event.report, isRunning: false };
      if (state.hasMovedCursor) return done;
      // Until the user moves, a finished run puts the cursor on the first cause under Start here, else
      // on its worst leaf.
      const rows = visibleRows(done);
      const first =
        rows.find((r) => r.key.startsWith(`${START_HERE}${SEP}`)) ??
        rows.find((r) => r.status === event.report.status && !(r.isExpandable && r.isExpanded));
      return { ...done, cursor: first?.key ?? done.cursor };
    }
  }
}

function fold(state: DoctorState, how: 'expand' | 'collapse' | 'toggle'): DoctorState {
  const rows = visibleRows(state);
  const row = rows[cursorIndex(rows, state.cursor)];
  if (!row) return state;
  if (row.isExpandable && (how === 'toggle' || (how === 'expand') !== row.isExpanded)) {
    return { ...state, expanded: { ...state.expanded, [row.key]: !row.isExpanded } };
  }
  if (how === 'collapse' && row.key.includes(SEP)) {
    // ← on a leaf or a collapsed node goes to the parent, as in file-tree UIs.
    return { ...state, cursor: row.key.slice(0, row.key.lastIndexOf(SEP)), hasMovedCursor: true };
  }
  return state;
}

/** Index of the cursor's row, else of its nearest visible ancestor, else 0. */
export function cursorIndex(rows: readonly Row[], cursor: string | null): number {
  let key = cursor;
  while (key !== null) {
    const index = rows.findIndex((r) => r.key === key);
    if (index >= 0) return index;
    key = key.includes(SEP) ? key.slice(0, key.lastIndexOf(SEP)) : null;
  }
  return 0;
}

/** A step is running or a full run is in progress: reruns wait until it is over. */
export function isBusy(state: DoctorState): boolean {
  return state.isRunning || Object.values(state.steps).some((s) => s.phase === 'running');
}

/** Leaf counts of every finished step, for the status bar while a run is still going. */
export function liveSummary(state: DoctorState): Summary {
  return summarize(finishedNodes(state));
}

/** How many planned steps have finished, and how many there are. */
export function stepProgress(state: DoctorState): { finished: number; total: number } {
  const all = Object.values(state.steps);
  return { finished: all.filter((s) => s.phase === 'finished').length, total: all.length };
}

function finishedNodes(state: DoctorState): ResultNode[] {
  return Object.values(state.steps).flatMap((s) => (s.phase === 'finished' ? [s.node] : []));
}

/**
 * The rows on screen, in order: runbooks and steps in contract order, leaves worst first.
 * Problems are expanded and passes collapsed unless the user chose otherwise (or `verbose`);
 * passing leaves beside problems fold into one row; `failuresOnly` keeps problems and their parents.
 */
export function visibleRows(state: DoctorState): Row[] {
  const diagnosis = state.report ? diagnose(state.report) : null;
  return [
    ...(diagnosis ? startHereRows(state, diagnosis) : []),
    ...state.plan.flatMap((runbook) => runbookRows(state, runbook, diagnosis)),
  ];
}

/** Key of the Start here row; no runbook id can take it, those have no spaces. */
const START_HERE = 'Start here';

/** The causes of the finished run above the tree, each a row with its hint and commands. */
function startHereRows(state: DoctorState, diagnosis: Diagnosis): Row[] {
  if (diagnosis.startHere.length === 0) return [];
  const isExpanded = state.expanded[START_HERE] ?? true;
  const head: Row = {
    key: START_HERE,
    depth: 0,
    kind: 'node',
    status: worstOf(diagnosis.startHere.map((c) => c.leaf.status)),
    label: START_HERE,
    isExpandable: true,
    isExpanded,
  };
  if (!isExpanded) return [head];
  const causes = diagnosis.startHere.map((cause): Row => {
    const explains = explainsText(cause);
    return {
      ...leafRow(cause.leaf, `${START_HERE}${SEP}${cause.leaf.id}`, 1, cause.step.id, state.report),
      label: show(leafName(cause.leaf)),
      ...(explains ? { note: explains } : {}),
    };
  });
  return [head, ...causes];
}

function runbookRows(state: DoctorState, runbook: PlannedRunbook, diagnosis: Diagnosis | null): Row[] {
  const progress = runbook.steps.map((s) => state.steps[s.id] ?? { phase: 'pending' as const });
  const nodes = progress.flatMap((p) => (p.phase === 'finished' ? [p.node] : []));
  const isFinished = nodes.length === runbook.steps.length;
  const status: RowStatus = isFinished
    ? worstOf(nodes.map((n) => n.status))
    : progress.some((p) => p.phase !== 'pending')
      ? 'running'
      : 'pending';
  const key = runbook.id;
  const isExpanded = state.expanded[key] ?? (!isFinished || isExpandedByDefault(status, state.verbose));
  const head: Row = {
    key,
    depth: 0,
    kind: 'node',
    status,
    label: runbook.title,
    isExpandable: true,
    isExpanded,
    ...(isFinished && !isExpanded ? { counts: countLeaves(nodes) } : {}),
  };
  const children = isExpanded
    ? runbook.steps.flatMap((step, i) =>
        stepRows(state, key, step, progress[i] ?? { phase: 'pending' }, diagnosis),
      )
    : [];
  return keep(state, head, children);
}

function stepRows(
  state: DoctorState,
  parentKey: string,
  step: { id: StepId; title: string },
  progress: StepProgress,
  diagnosis: Diagnosis | null,
): Row[] {
  const key = `${parentKey}${SEP}${step.id}`;
  if (progress.phase !== 'finished') {
    const row: Row = {
      key,
      depth: 1,
      kind: 'node',
      status: progress.phase,
      label: step.title,
      isExpandable: false,
      isExpanded: false,
      stepId: step.id,
      ...(progress.phase === 'running' ? { startedAtMs: progress.startedAtMs } : {}),
    };
    return keep(state, row, []);
  }
  return nodeRows(state, progress.node, key, 1, step.id, diagnosis);
}

/** A node as one row: status, name, message and advice, without children or folding. */
function leafRow(node: ResultNode, key: string, depth: number, stepId: StepId, report: Report | null): Row {
  return {
    key,
    depth,
    kind: 'node',
    status: node.status,
    label: show(node.subject ?? node.title),
    isExpandable: false,
    isExpanded: false,
    stepId,
    ...(node.message ? { message: show(node.message) } : {}),
    ...(node.code ? { code: show(node.code) } : {}),
    ...(node.after && report ? { after: show(afterText(node.after, report)) } : {}),
    ...advice(node.hint, node.commands ?? []),
    ...(node.durationMs !== undefined ? { durationMs: node.durationMs } : {}),
  };
}

function advice(hint: string | undefined, commands: readonly string[]): Pick<Row, 'hint' | 'commands'> {
  return {
    ...(hint ? { hint: show(hint) } : {}),
    // Commands are never cut: a command cut short would run something else.
    ...(commands.length ? { commands: commands.map((c) => visible(oneLine(c))) } : {}),
  };
}

/** An explained leaf names its causes and keeps only the advice they do not already give. */
function explained(node: ResultNode, diagnosis: Diagnosis | null): Partial<Row> {
  const causes = diagnosis?.causesOf(node.id) ?? [];
  if (causes.length === 0) return {};
  const own = ownAdvice(node, causes);
  return {
    note: show(explainedByText(node, causes)),
    hint: undefined,
    commands: undefined,
    ...advice(own.hint, own.commands),
  };
}

function nodeRows(
  state: DoctorState,
  node: ResultNode,
  key: string,
  depth: number,
  stepId: StepId,
  diagnosis: Diagnosis | null,
): Row[] {
  const hasChildren = Boolean(node.children?.length);
  const isExpanded = hasChildren && (state.expanded[key] ?? isExpandedByDefault(node.status, state.verbose));
  const row: Row = {
    ...leafRow(node, key, depth, stepId, state.report),
    // A leaf is named by what was checked; a parent by the claim it groups.
    label: show(hasChildren ? node.title : (node.subject ?? node.title)),
    isExpandable: hasChildren,
    isExpanded,
    ...explained(node, diagnosis),
    ...(hasChildren && !isExpanded ? { counts: countLeaves([node]) } : {}),
  };
  if (!isExpanded) return keep(state, row, []);

  const children = [...node.children!].sort((a, b) => compareStatus(a.status, b.status));
  const isFoldable = (c: ResultNode) =>
    !state.verbose && !c.children?.length && !isExpandedByDefault(c.status, false);
  const folded = children.filter(isFoldable);
  const childKey = (c: ResultNode) => `${key}${SEP}${c.id}`;
  // Folding only helps beside problems; a parent of nothing but passes simply lists them.
  if (folded.length === 0 || folded.length === children.length) {
    return keep(
      state,
      row,
      children.flatMap((c) => nodeRows(state, c, childKey(c), depth + 1, stepId, diagnosis)),
    );
  }
  const foldKey = `${key}${SEP}…`;
  const isFoldOpen = state.expanded[foldKey] ?? false;
  const foldRow: Row = {
    key: foldKey,
    depth: depth + 1,
    kind: 'folded',
    status: worstOf(folded.map((c) => c.status)),
    label: '',
    counts: countLeaves(folded),
    isExpandable: true,
    isExpanded: isFoldOpen,
    stepId,
  };
  const rows = [
    ...children
      .filter((c) => !isFoldable(c))
      .flatMap((c) => nodeRows(state, c, childKey(c), depth + 1, stepId, diagnosis)),
    ...(state.failuresOnly ? [] : [foldRow]),
    ...(isFoldOpen
      ? folded.flatMap((c) => nodeRows(state, c, `${foldKey}${SEP}${c.id}`, depth + 2, stepId, diagnosis))
      : []),
  ];
  return keep(state, row, rows);
}

/** Applies the failures-only filter: a row stays when it is a problem or has a child that stays. */
function keep(state: DoctorState, row: Row, children: Row[]): Row[] {
  if (state.failuresOnly && !PROBLEMS.includes(row.status) && children.length === 0) return [];
  return [row, ...children];
}

function isExpandedByDefault(status: RowStatus, verbose: boolean): boolean {
  return verbose || PROBLEMS.includes(status);
}

function countLeaves(nodes: ResultNode[]): [Status, number][] {
  const summary = summarize(nodes);
  return (Object.keys(summary) as Status[])
    .filter((s) => summary[s] > 0)
    .sort(compareStatus)
    .map((s) => [s, summary[s]]);
}

/**
 * Which rows fit in `height` lines, given each row's height, keeping the selected row in view and
 * roughly centred. `height` undefined means "no limit". Returns the half-open range [start, end).
 */
export function windowRows(
  heights: readonly number[],
  selected: number,
  height: number | undefined,
): { start: number; end: number } {
  const total = heights.reduce((sum, h) => sum + h, 0);
  if (height === undefined || total <= height) return { start: 0, end: heights.length };
  let start = selected;
  let end = selected + 1;
  let used = heights[selected] ?? 0;
  const fits = (i: number) => i >= 0 && i < heights.length && used + heights[i]! <= height;
  let grew = true;
  while (grew) {
    grew = false;
    // Below first while the cursor is in the upper half, so scrolling down keeps context under it.
    if (fits(end) && (end - selected <= selected - start || !fits(start - 1))) {
      used += heights[end]!;
      end += 1;
      grew = true;
    } else if (fits(start - 1)) {
      start -= 1;
      used += heights[start]!;
      grew = true;
    }
  }
  return { start, end };
}

/** One line of the `t` view: when, how it reads (its tone), what and what happened. */
export interface TimelineLine {
  key: string;
  /** `14:02  18m ago`, padded so the lines of one list line up. */
  when: string;
  tone: Tone;
  subject: string;
  message: string;
}

/** The last run's timeline as the `t` view lists it, newest first; empty before the first run ends. */
export function timelineLines(state: DoctorState): TimelineLine[] {
  const report = state.report;
  const entries = report?.timeline ?? [];
  if (!report || entries.length === 0) return [];
  const times = timeColumns(entries, report);
  return entries.map((entry, i) => ({
    key: `${i}`,
    when: times[i]!,
    tone: toneOf(entry.kind),
    subject: show(entry.subject),
    message: show(entry.message),
  }));
}
