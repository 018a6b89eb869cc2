import type { Report, ResultNode, RunbookId, StepId } from '../checks/result.js';

/**
 * What the engine tells its listener while a run goes on. The Ink UI reduces these into state;
 * the plain renderers wait for `done`.
 */
export type RunEvent =
  | { type: 'run-started'; plan: PlannedRunbook[]; target: Report['target'] }
  | { type: 'step-started'; runbook: RunbookId; step: StepId }
  | { type: 'step-finished'; runbook: RunbookId; step: StepId; node: ResultNode }
  | { type: 'done'; report: Report }
  /** `--watch`: the next run starts in `inMs`; null when none is scheduled any more. */
  | { type: 'run-scheduled'; inMs: number | null };

/** The selected runbooks and steps, in contract order, before any of them runs. */
export interface PlannedRunbook {
  id: RunbookId;
  title: string;
  steps: { id: StepId; title: string }[];
}

export type RunListener = (event: RunEvent) => void;
