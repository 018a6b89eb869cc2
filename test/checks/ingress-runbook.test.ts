import { describe, expect, it } from 'vitest';
import { ingress } from '../../src/runbooks/ingress.js';

describe('ingress runbook', () => {
  it('lists its steps in contract order', () => {
    expect(ingress.steps.map((s) => s.id)).toEqual([
      'ingress.resources',
      'ingress.certificates',
      'ingress.cert-manager-logs',
      'ingress.dns',
      'ingress.https',
    ]);
  });
});
