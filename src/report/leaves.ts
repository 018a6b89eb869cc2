import type { Report, ResultNode } from '../checks/result.js';
import { compareStatus, leavesOf } from '../checks/result.js';

/** One checked object with the runbook and step it belongs to: the row every flat report lists. */
export interface LeafEntry {
  runbook: ResultNode;
  /** The step (`ingress.dns`); the leaf itself when the step has no children. */
  step: ResultNode;
  leaf: ResultNode;
}

/** Every leaf of the report, runbooks and steps in contract order, leaves as they come. */
export function leafEntries(report: Report): LeafEntry[] {
  return report.runbooks.flatMap((runbook) =>
    // A runbook without steps (nothing selected, or it crashed as a whole) is its own step and leaf.
    (runbook.children?.length ? runbook.children : [runbook]).flatMap((step) =>
      leavesOf(step).map((leaf) => ({ runbook, step, leaf })),
    ),
  );
}

/** What a reader calls the leaf: its subject (`host stg.cocdev.co.kr`), else its title. */
export function leafName(leaf: ResultNode): string {
  return leaf.subject ?? leaf.title;
}

/** Worst status first, then by name, then by id, in code-point order so every machine sorts alike. */
export function compareWorstFirst(a: ResultNode, b: ResultNode): number {
  return (
    compareStatus(a.status, b.status) || compareText(leafName(a), leafName(b)) || compareText(a.id, b.id)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
