import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/checks/result.js';
import { json } from '../../src/report/json.js';
import { summaryLine } from '../../src/report/summary.js';
import { tree } from '../../src/report/tree.js';

const report: Report = {
  schemaVersion: 1,
  tool: { name: 'platform-doctor', version: '0.1.0' },
  startedAt: '2026-11-26T09:00:00.000Z',
  durationMs: 1234,
  target: { context: 'sandbox-dns-mismatch', cluster: 'sandbox', env: 'stg' },
  status: 'fail',
  summary: { pass: 3, warn: 0, fail: 1, error: 0, skip: 1 },
  runbooks: [
    {
      id: 'ingress',
      title: 'Ingress, certificates and DNS',
      status: 'fail',
      children: [
        {
          id: 'ingress.dns',
          title: 'DNS records point at the ingress load balancer',
          status: 'fail',
          durationMs: 12,
          children: [
            {
              id: 'ingress.dns:cocdev.co.kr',
              title: 'cocdev.co.kr',
              subject: 'host cocdev.co.kr',
              status: 'pass',
              message: 'resolves to 127.0.10.10',
            },
            {
              id: 'ingress.dns:stg.cocdev.co.kr',
              title: 'stg.cocdev.co.kr',
              subject: 'host stg.cocdev.co.kr',
              status: 'fail',
              message: 'resolves to 127.0.10.9, load balancer is 127.0.10.10',
              hint: 'Update the A record of stg.cocdev.co.kr (TTL 300s) to 127.0.10.10.',
              commands: ['dig +short stg.cocdev.co.kr'],
            },
          ],
        },
        {
          id: 'ingress.https',
          title: 'HTTPS answers with a valid certificate',
          status: 'pass',
          children: [
            { id: 'ingress.https:a', title: 'a', subject: 'host a', status: 'pass' },
            { id: 'ingress.https:b', title: 'b', subject: 'host b', status: 'pass' },
          ],
        },
      ],
    },
    { id: 'gitops', title: 'GitOps applications', status: 'skip', message: 'Argo CD is not installed' },
  ],
};

const plain = { color: false, unicode: true, verbose: false };

describe('tree renderer', () => {
  it('expands failures with hint and commands and folds passes into counts', () => {
    expect(tree(report, plain)).toBe(
      [
        'platform doctor · context sandbox-dns-mismatch · cluster sandbox · env stg',
        '',
        '✖ Ingress, certificates and DNS',
        '  ✖ DNS records point at the ingress load balancer',
        '    ✖ host stg.cocdev.co.kr — resolves to 127.0.10.9, load balancer is 127.0.10.10',
        '        → Update the A record of stg.cocdev.co.kr (TTL 300s) to 127.0.10.10.',
        '        $ dig +short stg.cocdev.co.kr',
        '    ✔ 1 passed',
        '  ✔ HTTPS answers with a valid certificate (2 passed)',
        '○ GitOps applications — Argo CD is not installed',
        '',
        '1 failed · 3 passed · 1 skipped (5) in 1.2s',
        '',
      ].join('\n'),
    );
  });

  it('uses the ASCII glyph set when the terminal is not UTF-8', () => {
    const text = tree(report, { ...plain, unicode: false });
    expect(text).toContain('  x DNS records point at the ingress load balancer');
    expect(text).toContain('        -> Update the A record');
    expect(text).toContain('    + 1 passed');
    expect(text).not.toMatch(/[✔✖⚠⊘○→·—]/);
  });

  it('shows every passing leaf with -v', () => {
    const text = tree(report, { ...plain, verbose: true });
    expect(text).toContain('    ✔ host cocdev.co.kr — resolves to 127.0.10.10');
    expect(text).toContain('    ✔ host a');
  });

  it('colours glyphs only when asked', () => {
    expect(tree(report, plain)).not.toContain('\u001b[');
    expect(tree(report, { ...plain, color: true })).toContain('\u001b[31m✖\u001b[39m');
  });
});

describe('summary line', () => {
  it('lists failures first and omits zeros', () => {
    expect(summaryLine({ pass: 14, warn: 0, fail: 2, error: 1, skip: 0 })).toBe(
      '2 failed · 1 error · 14 passed (17)',
    );
    expect(summaryLine({ pass: 1, warn: 2, fail: 0, error: 2, skip: 0 })).toBe(
      '2 errors · 2 warnings · 1 passed (5)',
    );
  });
});

describe('json renderer', () => {
  const schema = JSON.parse(readFileSync(new URL('../../docs/report.schema.json', import.meta.url), 'utf8'));
  const ajv = new Ajv2020.default({ allErrors: true, strict: true });
  addFormats.default(ajv);
  const validate = ajv.compile(schema);

  it('prints a report that validates against the published schema', () => {
    const parsed = JSON.parse(json(report, plain));
    expect(validate(parsed), JSON.stringify(validate.errors)).toBe(true);
    expect(parsed).toEqual(report);
  });

  it('the schema rejects what the contract forbids', () => {
    const bad = structuredClone(report) as unknown as Record<string, unknown>;
    (bad.runbooks as { status: string }[])[0]!.status = 'broken';
    expect(validate(bad)).toBe(false);
    expect(validate({ ...report, extra: true })).toBe(false);
    expect(validate({ ...report, schemaVersion: 2 })).toBe(false);
  });
});
