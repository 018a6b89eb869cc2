import { gateway } from './gateway.js';
import { gitops } from './gitops.js';
import { ingress } from './ingress.js';
import { secrets } from './secrets.js';
import type { Runbook } from './types.js';

/**
 * Every runbook in contract order: the one registry. Runbook and step ids, `--only`/`--skip`, the help
 * text, the id pattern of the JSON schema and the step table of docs/contract.md all come from here.
 */
export const runbooks: readonly Runbook[] = [ingress, gateway, secrets, gitops];

/** The public runbook ids, in contract order. */
export const RUNBOOK_IDS: readonly string[] = runbooks.map((r) => r.id);

/** The public step ids, in contract order. Stable: renaming one is a breaking change. */
export const STEP_IDS: readonly string[] = runbooks.flatMap((r) => r.steps.map((s) => s.id));
