import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { group, summarize, type Report, type ResultNode } from '../../src/checks/result.js';
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
              code: 'DNS_WRONG_TARGET',
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
    {
      id: 'gitops',
      title: 'GitOps applications',
      status: 'skip',
      code: 'ARGOCD_NOT_INSTALLED',
      message: 'Argo CD is not installed',
    },
  ],
};

const plain = { color: false, unicode: true, verbose: false };

describe('tree renderer', () => {
  it('starts with the cause and its hint and commands, then the tree with passes folded into counts', () => {
    expect(tree(report, plain)).toBe(
      [
        'platform doctor · context sandbox-dns-mismatch · cluster sandbox · env stg',
        'started 2026-11-26T09:00:00.000Z · platform-doctor 0.1.0',
        '',
        'Start here',
        '  ✖ host stg.cocdev.co.kr — resolves to 127.0.10.9, load balancer is 127.0.10.10 [DNS_WRONG_TARGET]',
        '      → Update the A record of stg.cocdev.co.kr (TTL 300s) to 127.0.10.10.',
        '      $ dig +short stg.cocdev.co.kr',
        '',
        '✖ Ingress, certificates and DNS',
        '  ✖ DNS records point at the ingress load balancer',
        '    ✖ host stg.cocdev.co.kr — resolves to 127.0.10.9, load balancer is 127.0.10.10 [DNS_WRONG_TARGET]',
        '        ↑ see Start here',
        '    ✔ 1 passed',
        '  ✔ HTTPS answers with a valid certificate (2 passed)',
        '○ GitOps applications — Argo CD is not installed [ARGOCD_NOT_INSTALLED]',
        '',
        '1 failed · 3 passed · 1 skipped (5) in 1.2s',
        '',
      ].join('\n'),
    );
  });

  it('says when it ran, with which doctor and the command line, so a saved tree stands on its own', () => {
    const withCommand = {
      ...report,
      commandLine: "platform doctor --context prod -o tree --report 'out dir/r.txt'",
    };
    expect(tree(withCommand, plain).split('\n')[1]).toBe(
      "started 2026-11-26T09:00:00.000Z · platform-doctor 0.1.0 · platform doctor --context prod -o tree --report 'out dir/r.txt'",
    );
  });

  it('uses the ASCII glyph set when the terminal is not UTF-8', () => {
    const text = tree(report, { ...plain, unicode: false });
    expect(text).toContain('  x DNS records point at the ingress load balancer');
    expect(text).toContain('      -> Update the A record');
    expect(text).toContain('        ^ see Start here');
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

  it('dims the finding code after the message, and wraps it with the message at 80 columns', () => {
    expect(tree(report, { ...plain, color: true })).toContain(
      'load balancer is 127.0.10.10 \u001b[2m[DNS_WRONG_TARGET]\u001b[22m',
    );
    const lines = tree(report, { ...plain, width: 80 }).split('\n');
    const at = lines.indexOf('    ✖ host stg.cocdev.co.kr — resolves to 127.0.10.9, load balancer is');
    expect(lines.slice(at, at + 2)).toEqual([
      '    ✖ host stg.cocdev.co.kr — resolves to 127.0.10.9, load balancer is',
      '      127.0.10.10 [DNS_WRONG_TARGET]',
    ]);
  });
});

describe('tree renderer: causes and wrapping', () => {
  const url = 'https://letsencrypt.org/docs/rate-limits/#new-certificates-per-exact-set-of-identifiers';
  const cert: ResultNode = {
    id: 'ingress.certificates:plate-stg/stg-tls',
    title: 'Certificate plate-stg/stg-tls',
    subject: 'Certificate plate-stg/stg-tls',
    status: 'fail',
    message: `not Ready: ACME rate limit (429 rateLimited): too many certificates (5) already issued, see ${url}`,
    hint: 'Wait until the rate limit resets before cert-manager retries Certificate plate-stg/stg-tls.',
    commands: ['kubectl describe certificate -n plate-stg stg-tls'],
    covers: ['Secret plate-stg/stg-tls'],
  };
  const secret: ResultNode = {
    id: 'ingress.resources:plate-stg/plate-ingress/tls/stg-tls',
    title: 'TLS Secret stg-tls',
    subject: 'Secret plate-stg/stg-tls',
    status: 'fail',
    message: 'does not exist (TLS Secret of Ingress plate-stg/plate-ingress)',
    hint: cert.hint,
    commands: [
      'kubectl get secret -n plate-stg stg-tls',
      'kubectl describe certificate -n plate-stg stg-tls',
    ],
  };
  const runbooks = [
    group('ingress', 'Ingress, certificates and DNS', [
      group('ingress.resources', 'Ingresses have their TLS Secrets', [secret]),
      group('ingress.certificates', 'Certificates are issued', [cert]),
    ]),
  ];
  const linked: Report = { ...report, summary: summarize(runbooks), runbooks };

  it('says what explains a leaf and repeats neither the hint nor the commands its cause gives', () => {
    const text = tree(linked, plain);
    expect(text).toContain(
      [
        'Start here',
        `  ✖ Certificate plate-stg/stg-tls — ${cert.message}`,
        '      explains 1 other failure',
        `      → ${cert.hint}`,
        '      $ kubectl describe certificate -n plate-stg stg-tls',
        '',
      ].join('\n'),
    );
    expect(text).toContain(
      [
        '    ✖ Secret plate-stg/stg-tls — does not exist (TLS Secret of Ingress plate-stg/plate-ingress)',
        '        ↳ explained by Certificate plate-stg/stg-tls',
        '        $ kubectl get secret -n plate-stg stg-tls',
        '  ✖ Certificates are issued',
      ].join('\n'),
    );
  });

  it('names the step that saw the same finding about the same object first, and does not count it as another failure', () => {
    const issuer = (step: string): ResultNode => ({
      id: `${step}:clusterissuer/letsencrypt-prod`,
      title: 'ClusterIssuer letsencrypt-prod',
      subject: 'ClusterIssuer letsencrypt-prod',
      status: 'fail',
      code: 'ISSUER_NOT_READY',
      message: 'not Ready (ErrRegisterACMEAccount)',
      hint: 'Fix ClusterIssuer letsencrypt-prod; certificates it issues stay pending until it is Ready.',
      commands: ['kubectl describe clusterissuer letsencrypt-prod'],
    });
    const both = [
      group('ingress', 'Ingress', [
        group('ingress.certificates', 'Certificates', [issuer('ingress.certificates')]),
      ]),
      group('gateway', 'Gateway API', [
        group('gateway.certificates', 'Certificates', [issuer('gateway.certificates')]),
      ]),
    ];
    const text = tree({ ...report, summary: summarize(both), runbooks: both }, plain);
    // The twin is not another failure: the cause explains nothing else.
    expect(text).toContain(
      [
        '  ✖ ClusterIssuer letsencrypt-prod — not Ready (ErrRegisterACMEAccount) [ISSUER_NOT_READY]',
        '      → Fix ClusterIssuer letsencrypt-prod; certificates it issues stay pending until it is Ready.',
      ].join('\n'),
    );
    expect(text).toContain(
      [
        '    ✖ ClusterIssuer letsencrypt-prod — not Ready (ErrRegisterACMEAccount) [ISSUER_NOT_READY]',
        '        ↳ explained by the same finding in ingress.certificates',
        '',
        '2 failed (2) in 1.2s',
      ].join('\n'),
    );
  });

  it('names the object, not "the same finding", when another finding about it explains a leaf', () => {
    const logLine: ResultNode = {
      id: 'ingress.cert-manager-logs:Certificate plate-stg/stg-tls',
      title: 'Certificate plate-stg/stg-tls',
      subject: 'Certificate plate-stg/stg-tls',
      status: 'warn',
      code: 'CONTROLLER_LOG_ERRORS',
      message: 'cert-manager logged an error about it',
      dependsOn: ['Certificate plate-stg/stg-tls'],
    };
    const withLog = [
      group('ingress', 'Ingress', [
        group('ingress.certificates', 'Certificates are issued', [{ ...cert, code: 'CERT_RATE_LIMITED' }]),
        group('ingress.cert-manager-logs', 'cert-manager logs', [logLine]),
      ]),
    ];
    const text = tree({ ...report, summary: summarize(withLog), runbooks: withLog }, plain);
    expect(text).toContain('        ↳ explained by Certificate plate-stg/stg-tls');
    expect(text).toContain('      explains 1 other warning');
  });

  it('wraps to a known width under the text, never inside a word or a URL, and never wraps a command', () => {
    const command = `kubectl get events -n plate-stg --field-selector involvedObject.kind=Certificate,involvedObject.name=${'x'.repeat(40)}`;
    const wide = {
      ...linked,
      runbooks: [
        group('ingress', 'Ingress', [
          group('ingress.certificates', 'Certificates', [{ ...cert, commands: [command] }]),
        ]),
      ],
    };
    const lines = tree(wide, { ...plain, width: 60 }).split('\n');
    const start = lines.indexOf('Start here');
    const block = lines.slice(start + 1, lines.indexOf('', start));
    expect(block[0]).toBe('  ✖ Certificate plate-stg/stg-tls — not Ready: ACME rate');
    // Continuation lines start under the text, and the URL stays whole on a line of its own.
    expect(block.slice(1, 4).every((line) => line.startsWith('    ') && !line.startsWith('     '))).toBe(
      true,
    );
    expect(block).toContain(`    ${url}`);
    expect(block).toContain(`      $ ${command}`);
    for (const line of block)
      if (!line.includes(url) && !line.includes(command)) expect(line.length).toBeLessThanOrEqual(60);
  });

  it('keeps each node on one line for pipes and files, where no width is known', () => {
    expect(tree(linked, plain)).toContain(`  ✖ Certificate plate-stg/stg-tls — ${cert.message}\n`);
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
