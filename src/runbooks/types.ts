import type { RunbookId } from '../checks/result.js';
import type { Step } from '../checks/step.js';

/** A runbook is data: an id, a title and its steps in contract (display) order. */
export interface Runbook {
  id: RunbookId;
  title: string;
  steps: readonly Step[];
}
