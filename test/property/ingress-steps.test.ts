/** Issue #10 for the ingress runbook: see ./harness.ts for the property. */
import { describe } from 'vitest';
import { stepNeverCrashes } from './harness.js';

describe('ingress steps survive objects of any shape', () => {
  stepNeverCrashes('ingress.resources');
  stepNeverCrashes('ingress.certificates');
  stepNeverCrashes('ingress.cert-manager-logs');
  stepNeverCrashes('ingress.dns');
  stepNeverCrashes('ingress.https');
});
