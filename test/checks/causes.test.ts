import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findCauses } from '../../src/checks/causes.js';
import { group, type ResultNode, type Status } from '../../src/checks/result.js';

type LeafSpec = Partial<ResultNode> & { id: string; subject: string };

const leaf = (spec: LeafSpec, status: Status = 'fail'): ResultNode => ({
  title: spec.subject,
  status,
  ...spec,
});

/** One runbook whose single step holds `leaves` in this order. */
const tree = (...leaves: ResultNode[]): ResultNode[] => [
  group('rb', 'Runbook', [group('rb.step', 'Step', leaves)]),
];

describe('findCauses', () => {
  it('follows a chain to its root: OpenBao → store → ExternalSecret → Secret → pod', () => {
    const causes = findCauses(
      tree(
        leaf({ id: 'pod', subject: 'Pod ns/api', dependsOn: ['Secret ns/env'] }),
        leaf({ id: 'secret', subject: 'Secret ns/env', dependsOn: ['ExternalSecret ns/env'] }),
        leaf({ id: 'es', subject: 'ExternalSecret ns/env', dependsOn: ['SecretStore ns/bao'] }),
        leaf({ id: 'store', subject: 'SecretStore ns/bao', dependsOn: ['OpenBao bao:8200'] }),
        leaf({ id: 'bao', subject: 'OpenBao bao:8200' }),
      ),
    );
    expect(causes).toEqual([{ id: 'bao', explains: ['pod', 'secret', 'es', 'store'] }]);
  });

  it('skips a passing link: an ExternalSecret that depends on OpenBao directly is still explained by it', () => {
    const causes = findCauses(
      tree(
        leaf({
          id: 'es',
          subject: 'ExternalSecret ns/env',
          dependsOn: ['SecretStore ns/bao', 'OpenBao bao'],
        }),
        leaf({ id: 'store', subject: 'SecretStore ns/bao' }, 'pass'),
        leaf({ id: 'bao', subject: 'OpenBao bao' }),
      ),
    );
    expect(causes).toEqual([{ id: 'bao', explains: ['es'] }]);
  });

  it('lets a Certificate explain the Secret it writes, its Order and the served certificate', () => {
    const causes = findCauses(
      tree(
        leaf({ id: 'tls', subject: 'Secret ns/tls' }),
        leaf({
          id: 'cert',
          subject: 'Certificate ns/tls',
          dependsOn: ['ClusterIssuer le'],
          covers: ['Secret ns/tls', 'Order ns/tls-1-2'],
        }),
        leaf({ id: 'order-log', subject: 'Order ns/tls-1-2', dependsOn: ['Order ns/tls-1-2'] }, 'warn'),
        leaf({ id: 'https', subject: 'host a.example', dependsOn: ['Secret ns/tls'] }),
      ),
    );
    expect(causes).toEqual([{ id: 'cert', explains: ['tls', 'order-log', 'https'] }]);
  });

  it('never lets two log views of one object explain each other', () => {
    const causes = findCauses(
      tree(
        leaf({ id: 'log-1', subject: 'ExternalSecret ns/env', dependsOn: ['ExternalSecret ns/env'] }),
        leaf({ id: 'log-2', subject: 'ExternalSecret ns/env', dependsOn: ['ExternalSecret ns/env'] }),
      ),
    );
    expect(causes).toEqual([
      { id: 'log-1', explains: [] },
      { id: 'log-2', explains: [] },
    ]);
  });

  it("lets the object's own failing check explain the logs about it", () => {
    const causes = findCauses(
      tree(
        leaf({ id: 'log', subject: 'ExternalSecret ns/env', dependsOn: ['ExternalSecret ns/env'] }),
        leaf({ id: 'es', subject: 'ExternalSecret ns/env' }),
      ),
    );
    expect(causes).toEqual([{ id: 'es', explains: ['log'] }]);
  });

  it('makes the same finding about one object, from two steps, one cause: the first speaks for the rest', () => {
    const issuer = { subject: 'ClusterIssuer letsencrypt-prod', code: 'ISSUER_NOT_READY' };
    const causes = findCauses(
      tree(
        leaf({ id: 'ingress-issuer', ...issuer }),
        leaf({ id: 'ingress-cert', subject: 'Certificate a/a', dependsOn: [issuer.subject] }),
        leaf({ id: 'gateway-issuer', ...issuer }),
        leaf({ id: 'other-finding', subject: issuer.subject, code: 'CERT_NOT_READY' }),
      ),
    );
    expect(causes).toEqual([
      { id: 'ingress-issuer', explains: ['ingress-cert', 'gateway-issuer'] },
      { id: 'other-finding', explains: ['ingress-cert'] },
    ]);
  });

  it('breaks a ring of leaves that only explain each other at its first leaf', () => {
    const causes = findCauses(
      tree(
        leaf({ id: 'a', subject: 'A', dependsOn: ['B'] }),
        leaf({ id: 'b', subject: 'B', dependsOn: ['A'] }),
        leaf({ id: 'c', subject: 'C', dependsOn: ['B'] }),
      ),
    );
    expect(causes).toEqual([{ id: 'a', explains: ['b', 'c'] }]);
  });

  it('orders causes by how much they explain, then by their place in the tree', () => {
    const causes = findCauses(
      tree(
        leaf({ id: 'dns', subject: 'host a' }),
        leaf({ id: 'lb', subject: 'Service lb' }),
        leaf({ id: 'ing-1', subject: 'Ingress ns/one', dependsOn: ['Service lb'] }),
        leaf({ id: 'ing-2', subject: 'Ingress ns/two', dependsOn: ['Service lb'] }, 'warn'),
        leaf({ id: 'cert', subject: 'Certificate ns/x' }, 'warn'),
      ),
    );
    expect(causes).toEqual([
      { id: 'lb', explains: ['ing-1', 'ing-2'] },
      { id: 'dns', explains: [] },
      { id: 'cert', explains: [] },
    ]);
  });

  it('takes no part for passes, skips and errors: neither causes nor explained', () => {
    const causes = findCauses(
      tree(
        leaf({ id: 'es', subject: 'ExternalSecret ns/env', dependsOn: ['OpenBao bao'] }, 'error'),
        leaf({ id: 'bao', subject: 'OpenBao bao' }, 'error'),
        leaf({ id: 'skip', subject: 'S', dependsOn: ['OpenBao bao'] }, 'skip'),
      ),
    );
    expect(causes).toEqual([]);
  });

  it('names every failing or warning leaf exactly once as a cause or in what a cause explains', () => {
    const leaves = [
      leaf({ id: 'a', subject: 'A', dependsOn: ['B', 'C'] }),
      leaf({ id: 'b', subject: 'B', dependsOn: ['C'] }),
      leaf({ id: 'c', subject: 'C', covers: ['D'] }, 'warn'),
      leaf({ id: 'd', subject: 'D' }),
      leaf({ id: 'e', subject: 'E', dependsOn: ['F'] }),
      leaf({ id: 'f', subject: 'F', dependsOn: ['E'] }),
    ];
    const causes = findCauses(tree(...leaves));
    const causeIds = causes.map((c) => c.id);
    const explained = new Set(causes.flatMap((c) => c.explains));
    for (const { id } of leaves) expect(causeIds.includes(id) !== explained.has(id)).toBe(true);
  });

  it('keeps that promise for any links between any leaves (property)', () => {
    const subjects = ['A', 'B', 'C', 'D', 'E'];
    const spec = fc.record({
      subject: fc.constantFrom(...subjects),
      status: fc.constantFrom<Status>('fail', 'warn', 'pass', 'error'),
      dependsOn: fc.subarray(subjects),
      covers: fc.subarray(subjects),
      code: fc.constantFrom(undefined, 'X', 'Y'),
    });
    fc.assert(
      fc.property(fc.array(spec, { maxLength: 12 }), (specs) => {
        const leaves = specs.map(({ code, ...s }, i) =>
          leaf({ id: `leaf-${i}`, ...s, ...(code ? { code } : {}) }, s.status),
        );
        const causes = findCauses(tree(...leaves));
        const causeIds = new Set(causes.map((c) => c.id));
        const explained = new Set(causes.flatMap((c) => c.explains));
        for (const l of leaves) {
          const isTroubled = l.status === 'fail' || l.status === 'warn';
          expect(causeIds.has(l.id) || explained.has(l.id)).toBe(isTroubled);
          expect(causeIds.has(l.id) && explained.has(l.id)).toBe(false);
        }
        const counts = causes.map((c) => c.explains.length);
        expect(counts).toEqual([...counts].sort((a, b) => b - a));
      }),
    );
  });
});
