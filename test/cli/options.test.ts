import { describe, expect, it } from 'vitest';
import { UsageError, parseReportPath, parseRunbooks, selectSteps } from '../../src/cli/options.js';
import { validateDoctorFlags } from '../../src/cli.js';
import { exitCodeFor } from '../../src/cli/exit-code.js';

describe('flag parsing', () => {
  const flags = (overrides: Record<string, unknown> = {}) =>
    validateDoctorFlags([], {
      namespace: [],
      report: [],
      dnsServer: [],
      httpPort: '80',
      httpsPort: '443',
      only: [],
      skip: [],
      timeout: '60s',
      readSecrets: true,
      ...overrides,
    });

  it.each([
    [{ timeout: 'soon' }, '--timeout takes a duration like 30s, 2m or 1m30s, not "soon"'],
    [{ timeout: '99999999999h' }, '--timeout must be at most 24h, not "99999999999h"'],
    [{ httpPort: '1e3' }, '--http-port takes a port number from 1 to 65535, not "1e3"'],
    [{ httpsPort: '0x50' }, '--https-port takes a port number from 1 to 65535, not "0x50"'],
    [
      { dnsServer: ['example.com'] },
      '--dns-server takes an IP address, not the host name "example.com" (look it up first, e.g. dig +short example.com)',
    ],
    [{ dnsServer: ['999.1.1.1'] }, '--dns-server takes IP[:PORT] with a valid IP address, not "999.1.1.1"'],
    [{ dnsServer: ['127.0.0.1:53:53'] }, '--dns-server takes IP[:PORT], not "127.0.0.1:53:53"'],
    [
      { openbaoAddr: 'openbao:8200' },
      '--openbao-addr takes an http(s) URL like https://bao.example:8200, not "openbao:8200"',
    ],
  ])('refuses %o naming the flag', (overrides, message) => {
    expect(() => flags(overrides)).toThrow(new UsageError(message));
  });

  it('reads the values it accepts into their canonical form', () => {
    expect(
      flags({ timeout: '1m30s', dnsServer: ['10.0.0.2', '[::1]:5353', '2001:db8::53'], watch: '2m' }),
    ).toMatchObject({
      timeoutMs: 90_000,
      watchMs: 120_000,
      dnsServers: ['10.0.0.2:53', '[::1]:5353', '[2001:db8::53]:53'],
    });
  });

  it('takes the report format from the extension and refuses unknown ones', () => {
    expect(parseReportPath('out/incident.md')).toEqual({ path: 'out/incident.md', format: 'markdown' });
    expect(parseReportPath('/var/lib/node_exporter/doctor.prom')).toEqual({
      path: '/var/lib/node_exporter/doctor.prom',
      format: 'prometheus',
    });
    expect(() => parseReportPath('report.pdf')).toThrow(
      new UsageError(
        '--report report.pdf: cannot tell the format from the extension; use one of .txt .json .md .xml .prom .html',
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
      /^--only ingress\.tls: no such step; valid ids: ingress, gateway, secrets, gitops, ingress\.resources, /,
    );
    expect(() => parseRunbooks(['network'])).toThrow(
      new UsageError('unknown runbook "network"; valid runbooks: ingress, gateway, secrets, gitops'),
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
