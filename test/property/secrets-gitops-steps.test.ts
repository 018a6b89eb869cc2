/** Issue #10 for the secrets and GitOps runbooks: see ./harness.ts for the property. */
import { describe } from 'vitest';
import { stepNeverCrashes } from './harness.js';

describe('secrets and GitOps steps survive objects of any shape', () => {
  stepNeverCrashes('secrets.stores');
  stepNeverCrashes('secrets.externalsecrets');
  stepNeverCrashes('secrets.target-secrets');
  stepNeverCrashes('secrets.eso-logs');
  stepNeverCrashes('secrets.openbao');
  stepNeverCrashes('gitops.applications');
});
