/** Issue #10 for the Gateway API runbook: see ./harness.ts for the property. */
import { describe } from 'vitest';
import { stepNeverCrashes } from './harness.js';

describe('Gateway API steps survive objects of any shape', () => {
  stepNeverCrashes('gateway.gateways');
  stepNeverCrashes('gateway.routes');
  stepNeverCrashes('gateway.certificates');
  stepNeverCrashes('gateway.dns');
  stepNeverCrashes('gateway.https');
});
