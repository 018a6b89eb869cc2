import { describe, expect, it } from 'vitest';
import {
  UsageError,
  parseDnsServer,
  parseDuration,
  parseReportPath,
  parseRunbooks,
  selectSteps,
} from '../../src/cli/options.js';
import { exitCodeFor } from '../../src/cli/exit-code.js';

describe('flag parsing', () => {
  it.each([
    ['60s', 60_000],
    ['2m', 120_000],
    ['1500ms', 1500],
    ['90', 90_000],
    ['0.5s', 500],
  ])('reads the duration %s', (text, ms) => {
    expect(parseDuration(text, '--timeout')).toBe(ms);
  });

  it('rejects a duration it cannot read, naming the flag', () => {
    expect(() => parseDuration('soon', '--timeout')).toThrow(
      new UsageError('--timeout takes a duration like 30s, 2m or 1500ms, not "soon"'),
    );
  });

  it.each([
    ['10.0.0.2', '10.0.0.2:53'],
    ['127.0.0.1:5353', '127.0.0.1:5353'],
    ['[::1]:5353', '[::1]:5353'],
    ['2001:db8::53', '[2001:db8::53]:53'],
  ])('normalises the resolver %s', (text, normalised) => {
    expect(parseDnsServer(text)).toBe(normalised);
  });

  it('takes the report format from the extension and refuses unknown ones', () => {
    expect(parseReportPath('out/incident.md')).toEqual({ path: 'out/incident.md', format: 'markdown' });
    expect(parseReportPath('/var/lib/node_exporter/doctor.prom')).toEqual({
      path: '/var/lib/node_exporter/doctor.prom',
      format: 'prometheus',
    });
    expect(() => parseReportPath('report.pdf')).toThrow(
      new UsageError(
        '--report report.pdf: cannot tell the format from the extension; use one of .md .json .xml .prom .html .txt',
      ),
    );
  });
});

describe('step selection', () => {
  it('runs every step of every runbook by default, in contract order', () => {
    expect(selectSteps(parseRunbooks([]), [], [])).toEqual([
      'ingress.resources',
      'ingress.certificates',
      'ingress.cert-manager-logs',
      'ingress.dns',
      'ingress.https',
      'secrets.stores',
      'secrets.externalsecrets',
      'secrets.target-secrets',
      'secrets.eso-logs',
      'secrets.openbao',
      'gitops.applications',
    ]);
  });

  it('narrows by runbook, --only prefix and --skip prefix', () => {
    expect(selectSteps(parseRunbooks(['secrets']), [], ['secrets.eso-logs'])).toEqual([
      'secrets.stores',
      'secrets.externalsecrets',
      'secrets.target-secrets',
      'secrets.openbao',
    ]);
    expect(selectSteps(parseRunbooks([]), ['ingress.dns', 'gitops'], [])).toEqual([
      'ingress.dns',
      'gitops.applications',
    ]);
  });

  it('lists the valid ids when a prefix matches nothing', () => {
    expect(() => selectSteps(parseRunbooks([]), ['ingress.tls'], [])).toThrow(
      /^--only ingress\.tls: no such step; valid ids: ingress, secrets, gitops, ingress\.resources, /,
    );
    expect(() => parseRunbooks(['network'])).toThrow(
      new UsageError('unknown runbook "network"; valid runbooks: ingress, secrets, gitops'),
    );
  });
});

describe('exit codes', () => {
  it.each([
    ['pass', 0],
    ['skip', 0],
    ['warn', 1],
    ['fail', 2],
    ['error', 3],
  ] as const)('a run whose worst status is %s exits %i', (status, code) => {
    expect(exitCodeFor(status)).toBe(code);
  });
});
