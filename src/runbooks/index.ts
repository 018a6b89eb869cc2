import type { RunbookId } from '../checks/result.js';
import { gitops } from './gitops.js';
import { ingress } from './ingress.js';
import { secrets } from './secrets.js';
import type { Runbook } from './types.js';

/** Every runbook in contract order. An array, not a map, so order is stable everywhere. */
export const runbooks: readonly Runbook[] = [ingress, secrets, gitops];

export const RUNBOOK_IDS: readonly RunbookId[] = runbooks.map((r) => r.id);
