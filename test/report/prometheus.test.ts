import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import type { Report, ResultNode } from '../../src/checks/result.js';
import { summarize, worstOf } from '../../src/checks/result.js';
import { prometheus } from '../../src/report/prometheus.js';
import { FILE_OPTIONS, loadReport } from './load-report-fixture.js';

const render = (report: Report) => prometheus(report, FILE_OPTIONS);
const PROMTOOL = '/usr/bin/promtool';
const hasPromtool = existsSync(PROMTOOL);
// CI must lint with the real promtool; a laptop without the prometheus package skips instead.
if (!hasPromtool && process.env.CI === 'true')
  throw new Error(`${PROMTOOL} is missing: apt-get install prometheus`);

/** A report whose only runbook holds these leaves under one step. */
function reportOf(leaves: ResultNode[]): Report {
  const step: ResultNode = {
    id: 'ingress.dns',
    title: 'DNS',
    status: worstOf(leaves.map((l) => l.status)),
    children: leaves,
  };
  const runbook: ResultNode = { id: 'ingress', title: 'Ingress', status: step.status, children: [step] };
  return {
    ...loadReport('all-pass'),
    status: runbook.status,
    summary: summarize([runbook]),
    runbooks: [runbook],
  };
}
const aLeaf = (status: ResultNode['status'], subject: string): ResultNode => ({
  id: `ingress.dns:${subject}`,
  title: subject,
  subject,
  status,
});
const value = (text: string, name: string) =>
  parsePrometheusTextFormat(text)
    .find((f) => f.name === name)
    ?.metrics.map((m) => m.value);

describe('prometheus report', () => {
  const text = render(loadReport('mixed'));

  it('writes the run-level gauges with HELP and TYPE', () => {
    expect(text.split('\n').slice(0, 12)).toEqual([
      '# HELP platform_doctor_up 1 when the run could check anything; 0 when every check that applied ended in error.',
      '# TYPE platform_doctor_up gauge',
      'platform_doctor_up 1',
      '# HELP platform_doctor_run_info Target and tool version of the last run; the value is always 1.',
      '# TYPE platform_doctor_run_info gauge',
      'platform_doctor_run_info{context="plate-stg",cluster="plate-cluster",env="stg",version="0.1.0"} 1',
      '# HELP platform_doctor_last_run_timestamp_seconds When the last run finished, in seconds since the epoch.',
      '# TYPE platform_doctor_last_run_timestamp_seconds gauge',
      'platform_doctor_last_run_timestamp_seconds 1748852106.42',
      '# HELP platform_doctor_run_duration_seconds How long the last run took.',
      '# TYPE platform_doctor_run_duration_seconds gauge',
      'platform_doctor_run_duration_seconds 6.42',
    ]);
  });

  it('counts checks per status, zeros included so every series stays present', () => {
    expect(text).toContain(
      [
        '# TYPE platform_doctor_checks gauge',
        'platform_doctor_checks{status="fail"} 3',
        'platform_doctor_checks{status="error"} 2',
        'platform_doctor_checks{status="warn"} 2',
        'platform_doctor_checks{status="pass"} 9',
        'platform_doctor_checks{status="skip"} 1',
      ].join('\n'),
    );
    expect(value(render(loadReport('all-pass')), 'platform_doctor_checks')).toEqual([
      '0',
      '0',
      '0',
      '4',
      '0',
    ]);
  });

  it('gives each checked subject a status series: 0 pass, 1 warn, 2 fail, 3 error', () => {
    const lines = text.split('\n');
    expect(lines).toContain(
      'platform_doctor_check_status{runbook="ingress",step="ingress.dns",subject="host stg.cocdev.co.kr",code="DNS_WRONG_TARGET"} 2',
    );
    expect(lines).toContain(
      'platform_doctor_check_status{runbook="ingress",step="ingress.dns",subject="host llm.cocdev.co.kr",code=""} 0',
    );
    expect(lines).toContain(
      'platform_doctor_check_status{runbook="secrets",step="secrets.openbao",subject="token in Secret plate-stg/openbao-token",code="OPENBAO_TOKEN_EXPIRING"} 1',
    );
    expect(lines).toContain(
      'platform_doctor_check_status{runbook="secrets",step="secrets.eso-logs",subject="Pod external-secrets/external-secrets-5c7d9b8f9-k2lmn",code="CHECK_FORBIDDEN"} 3',
    );
    expect(lines).toContain(
      'platform_doctor_check_status{runbook="ingress",step="ingress.https",subject="",code="CHECK_DEADLINE"} 3',
    );
  });

  it('leaves skipped checks out of the status series', () => {
    expect(text).not.toContain('argocd/ingress-prod');
    expect(value(text, 'platform_doctor_check_status')).toHaveLength(16);
  });

  it('reports down when every check that applied ended in error, and up otherwise', () => {
    expect(text.split('\n')).toContain('platform_doctor_up 1');
    expect(render(loadReport('error-only')).split('\n')).toContain('platform_doctor_up 0');
    expect(render(reportOf([aLeaf('skip', 'host a.test')])).split('\n')).toContain('platform_doctor_up 1');
    expect(
      render(reportOf([aLeaf('error', 'host a.test'), aLeaf('fail', 'host b.test')])).split('\n'),
    ).toContain('platform_doctor_up 1');
  });

  it('keeps the worse of two checks that share a subject, so no series is duplicated', () => {
    const lines = render(reportOf([aLeaf('error', 'host a.test'), aLeaf('fail', 'host a.test')]))
      .split('\n')
      .filter((line) => line.startsWith('platform_doctor_check_status{'));
    expect(lines).toEqual([
      'platform_doctor_check_status{runbook="ingress",step="ingress.dns",subject="host a.test",code=""} 2',
    ]);
  });

  it('escapes backslashes and quotes, and puts label values on one line, so a parser reads them back', () => {
    const escaped = render(loadReport('escaping'));
    expect(escaped).toContain(
      'platform_doctor_run_info{context="ctx \\"quoted\\" \\\\ back slash | pipe",cluster="<b>cluster</b>",env="stg",version="0.1.0-\\"dev\\"\\\\x"} 1',
    );
    const families = parsePrometheusTextFormat(escaped);
    expect(families.find((f) => f.name === 'platform_doctor_run_info')?.metrics[0]?.labels).toEqual({
      context: 'ctx "quoted" \\ back slash | pipe',
      cluster: '<b>cluster</b>',
      env: 'stg',
      version: '0.1.0-"dev"\\x',
    });
    expect(
      families.find((f) => f.name === 'platform_doctor_check_status')?.metrics.map((m) => m.labels?.subject),
    ).toEqual([
      'Ingress plate-stg/<script>alert("x")</script>',
      'Ingress plate-stg/web | a\\b',
      'Pod cert-manager/cm-0 "main" line2',
      'host # heading? > quote',
    ]);
  });

  it.each(['all-pass', 'mixed', 'error-only', 'escaping'] as const)(
    'parses the %s report into gauges that all have help text',
    (name) => {
      const families = parsePrometheusTextFormat(render(loadReport(name)));
      expect(families.map((f) => [f.name, f.type, f.help.length > 0])).toEqual([
        ['platform_doctor_up', 'GAUGE', true],
        ['platform_doctor_run_info', 'GAUGE', true],
        ['platform_doctor_last_run_timestamp_seconds', 'GAUGE', true],
        ['platform_doctor_run_duration_seconds', 'GAUGE', true],
        ['platform_doctor_checks', 'GAUGE', true],
        ['platform_doctor_check_status', 'GAUGE', true],
      ]);
    },
  );

  describe.skipIf(!hasPromtool)('promtool check metrics', () => {
    it.each(['all-pass', 'mixed', 'error-only', 'escaping'] as const)(
      'accepts the %s report without lint',
      (name) => {
        const result = spawnSync(PROMTOOL, ['check', 'metrics'], {
          input: render(loadReport(name)),
          timeout: 10_000,
        });
        expect({ status: result.status, output: `${result.stdout}${result.stderr}` }).toEqual({
          status: 0,
          output: '',
        });
      },
    );

    it('rejects output with an unescaped quote, so the check above can fail', () => {
      const broken = render(loadReport('mixed')).replace(
        'subject="host stg.cocdev.co.kr"',
        'subject="host "stg""',
      );
      expect(() =>
        execFileSync(PROMTOOL, ['check', 'metrics'], { input: broken, timeout: 10_000, stdio: 'pipe' }),
      ).toThrow();
    });
  });
});
