import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RUNBOOK_IDS, STEP_IDS } from '../src/runbooks/index.js';
import { runbooks } from '../src/runbooks/index.js';
import { TIMELINE_KINDS } from '../src/checks/timeline.js';

const contract = readFileSync(new URL('../docs/contract.md', import.meta.url), 'utf8');

describe('the public contract', () => {
  it('runbooks and steps are registered in contract order with the documented ids', () => {
    expect(runbooks.map((r) => r.id)).toEqual([...RUNBOOK_IDS]);
    expect(runbooks.flatMap((r) => r.steps.map((s) => s.id))).toEqual([...STEP_IDS]);
    expect(STEP_IDS).toEqual([
      'ingress.resources',
      'ingress.certificates',
      'ingress.cert-manager-logs',
      'ingress.dns',
      'ingress.https',
      'gateway.gateways',
      'gateway.routes',
      'gateway.certificates',
      'gateway.dns',
      'gateway.https',
      'secrets.stores',
      'secrets.externalsecrets',
      'secrets.target-secrets',
      'secrets.eso-logs',
      'secrets.openbao',
      'gitops.applications',
    ]);
  });

  it('docs/contract.md documents every step with its title', () => {
    const documented = new Map(
      [...contract.matchAll(/^\|\s*`([a-z.-]+)`\s*\|\s*(.+?)\s*\|$/gm)].map((m) => [m[1], m[2]]),
    );
    for (const step of runbooks.flatMap((r) => r.steps)) expect(documented.get(step.id)).toBe(step.title);
  });

  it('step titles are claims in the present tense, not questions or commands', () => {
    for (const step of runbooks.flatMap((r) => r.steps)) {
      expect(step.title).toMatch(/^[A-Za-z][^?]*[^.?]$/);
    }
  });

  it('docs/contract.md lists every kind of timeline entry, and which can be named under a failing leaf', () => {
    const section = contract.slice(contract.indexOf('## What changed'), contract.indexOf('## Snapshots'));
    const table = section
      .split('\n')
      .filter((line) => line.startsWith('| `') && !line.startsWith('| `kind`'));
    const documented = table.flatMap((line) =>
      [...line.split('|')[1]!.matchAll(/`([a-z.-]+)`/g)].map((m) => m[1]),
    );
    expect(documented.sort()).toEqual(Object.keys(TIMELINE_KINDS).sort());
    const causes = Object.entries(TIMELINE_KINDS).flatMap(([kind, k]) => (k.isCause ? [kind] : []));
    expect(causes).toEqual([
      'argocd.sync',
      'argocd.sync-failed',
      'argocd.sync-running',
      'deployment.scaled-up',
      'certificate.issuing',
      'certificate.issued',
      'externalsecret.updated',
      'openbao.token-expiry',
    ]);
    expect(section).toContain(
      'of a kind that can\ncause failures (`argocd.sync*`, `deployment.scaled-up`, `certificate.issuing`, `certificate.issued`,\n`externalsecret.updated`, `openbao.token-expiry`)',
    );
  });
});
