/**
 * The readers that turn API objects into typed views accept any `spec`, `status` (and any top-level field):
 * purely random JSON here, where the step properties use plausible objects to reach deeper.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/gateways/types.js';
import { conditionOf, latestWarning } from '../../src/checks/kube-object.js';
import { lbAddresses, toIngressView } from '../../src/checks/ingress/inventory.js';
import { walkIssuance } from '../../src/checks/ingress/certificates.js';
import { readExternalSecret, readStore } from '../../src/checks/secrets/model.js';
import { secretRefsOf, stuckMessageOf } from '../../src/checks/secrets/target-secrets.js';
import { readApplication } from '../../src/checks/gitops/applications.js';
import { garbage, metadata } from './arbitraries.js';
import { readableReport } from './harness.js';

const NUM_RUNS = 2000;

/** Any JSON at any of the fields readers look at. */
const anyObject: fc.Arbitrary<KubeObject> = fc
  .tuple(
    metadata(),
    fc.record(
      {
        spec: garbage,
        status: garbage,
        involvedObject: garbage,
        type: garbage,
        reason: garbage,
        message: garbage,
      },
      { requiredKeys: [] },
    ),
  )
  .map(([meta, fields]) => ({ ...fields, metadata: meta }) as KubeObject);

const readers: [string, (o: KubeObject) => unknown][] = [
  ['toIngressView', toIngressView],
  ['lbAddresses', lbAddresses],
  ['readStore (SecretStore)', (o) => readStore(o, 'SecretStore')],
  ['readStore (ClusterSecretStore)', (o) => readStore(o, 'ClusterSecretStore')],
  ['readExternalSecret', readExternalSecret],
  ['readApplication', readApplication],
  ['secretRefsOf', secretRefsOf],
  ['stuckMessageOf', stuckMessageOf],
  ['conditionOf', (o) => conditionOf(o, 'Ready')],
  [
    'latestWarning',
    (o) => latestWarning([o], { kind: 'SecretStore', name: o.metadata.name, namespace: null }),
  ],
];

describe('readers accept any spec and status', () => {
  it.each(readers)('%s never throws and returns plain data', (_, read) => {
    fc.assert(
      fc.property(anyObject, (o) => {
        // Plain data: the view survives a JSON round trip unchanged (no functions, no prototype members).
        const view = read(o);
        expect(JSON.parse(JSON.stringify(view ?? null))).toEqual(view ?? null);
      }),
      { numRuns: NUM_RUNS, plugins: [readableReport] },
    );
  });

  it('walkIssuance never throws, whatever the requests, orders and challenges hold', () => {
    fc.assert(
      fc.property(
        anyObject,
        fc.array(anyObject, { maxLength: 3 }),
        fc.array(anyObject, { maxLength: 3 }),
        fc.array(anyObject, { maxLength: 3 }),
        (cert, requests, orders, challenges) => {
          walkIssuance(cert, requests, orders, challenges);
        },
      ),
      { numRuns: NUM_RUNS, plugins: [readableReport] },
    );
  });
});
