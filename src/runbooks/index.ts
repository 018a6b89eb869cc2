import { gitops } from './gitops.js';
import { ingress } from './ingress.js';
import { secrets } from './secrets.js';
import type { Runbook } from './types.js';

/** Every runbook in contract order. An array, not a map, so order is stable everywhere. */
export const runbooks: readonly Runbook[] = [ingress, secrets, gitops];
