import { describe, expect, it } from 'vitest';
import { eventsText, gatherWarnings } from '../../src/checks/events.js';
import type { KubeObject } from '../../src/gateways/types.js';
import { fakeKube } from '../fakes/gateways.js';
import { aGatherContext } from '../fakes/scope.js';

function warning(
  kind: string,
  namespace: string | null,
  name: string,
  reason: string,
  message: string,
  count = 1,
): KubeObject {
  return {
    metadata: { name: `${name}.18a3f0c2b7d4e915`, namespace: namespace ?? 'default' },
    involvedObject: { kind, name, ...(namespace ? { namespace } : {}) },
    type: 'Warning',
    reason,
    message,
    count,
    lastTimestamp: '2026-03-01T00:00:00Z',
  } as KubeObject;
}

describe('gatherWarnings', () => {
  it('lists events once per namespace, cluster-scoped objects in default, and keys the newest warning by subject', async () => {
    const asked: (string | undefined)[] = [];
    const events: Record<string, KubeObject[]> = {
      'plate-stg': [
        warning(
          'Certificate',
          'plate-stg',
          'stg-tls',
          'RequestFailed',
          'Failed to create CertificateRequest: certificaterequests.cert-manager.io "stg-tls-4" already exists',
          2,
        ),
      ],
      default: [
        warning(
          'ClusterIssuer',
          null,
          'letsencrypt-prod',
          'ErrVerifyACMEAccount',
          'Failed to verify ACME account: context deadline exceeded',
        ),
      ],
    };
    const ctx = aGatherContext({
      kube: fakeKube({
        list: async (kind, options) => {
          asked.push(`${kind} ${options.namespace}`);
          return events[options.namespace ?? ''] ?? [];
        },
      }),
    });
    const warnings = await gatherWarnings(ctx, [
      { kind: 'Certificate', namespace: 'plate-stg', name: 'stg-tls' },
      { kind: 'Order', namespace: 'plate-stg', name: 'stg-tls-4-1' },
      { kind: 'ClusterIssuer', namespace: null, name: 'letsencrypt-prod' },
    ]);
    expect(asked.sort()).toEqual(['events default', 'events plate-stg']);
    expect(warnings).toEqual({
      'Certificate plate-stg/stg-tls': {
        reason: 'RequestFailed',
        message:
          'Failed to create CertificateRequest: certificaterequests.cert-manager.io "stg-tls-4" already exists',
        at: '2026-03-01T00:00:00Z',
        count: 2,
      },
      'ClusterIssuer letsencrypt-prod': {
        reason: 'ErrVerifyACMEAccount',
        message: 'Failed to verify ACME account: context deadline exceeded',
        at: '2026-03-01T00:00:00Z',
        count: 1,
      },
    });
  });
});

describe('eventsText', () => {
  const warnings = {
    'Certificate plate-stg/stg-tls': {
      reason: 'RequestFailed',
      message:
        'Failed to create CertificateRequest: certificaterequests.cert-manager.io "stg-tls-4" already exists',
      at: null,
      count: 3,
    },
    'Challenge plate-stg/stg-tls-4-1-2': {
      reason: 'Failed',
      message:
        'Accepting challenge authorization failed: acme: authorization error for stg.cocdev.co.kr: 400 urn:ietf:params:acme:error:connection',
      at: null,
      count: 1,
    },
  };

  it('adds what the statuses did not say, naming any object but the leaf’s own', () => {
    expect(
      eventsText(
        ['Certificate plate-stg/stg-tls', 'Challenge plate-stg/stg-tls-4-1-2'],
        warnings,
        ['not Ready (Issuing)'],
        'Certificate plate-stg/stg-tls',
      ),
    ).toBe(
      '; event RequestFailed (×3): Failed to create CertificateRequest: certificaterequests.cert-manager.io "stg-tls-4" already exists' +
        '; event Challenge plate-stg/stg-tls-4-1-2 Failed: Accepting challenge authorization failed: acme: authorization error for stg.cocdev.co.kr: 400 urn:ietf:params:acme:error:connection',
    );
  });

  it('leaves out an event that repeats a status, also behind the controller’s own prefix', () => {
    const known = [
      'Error accepting authorization: acme: authorization error for stg.cocdev.co.kr: 400 urn:ietf:params:acme:error:connection',
    ];
    expect(
      eventsText(['Challenge plate-stg/stg-tls-4-1-2'], warnings, known, 'Certificate plate-stg/stg-tls'),
    ).toBe('');
  });
});
