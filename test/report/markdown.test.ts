import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/checks/result.js';
import { markdown } from '../../src/report/markdown.js';
import { FILE_OPTIONS, loadReport } from './load-report-fixture.js';

const render = (report: Report) => markdown(report, FILE_OPTIONS);
const headings = (text: string) => text.split('\n').filter((line) => /^#{1,4} /.test(line));

describe('markdown report', () => {
  it('opens with the overall status, the summary counts and the target', () => {
    const lines = render(loadReport('mixed')).split('\n');
    expect(lines.slice(0, 8)).toEqual([
      '# Platform doctor: ✖ FAIL',
      '',
      '**3 failed · 2 errors · 2 warnings · 9 passed · 1 skipped (17)**',
      '',
      '| Cluster | Context | Environment | Started | Duration | Tool |',
      '| --- | --- | --- | --- | --- | --- |',
      '| plate-cluster | plate-stg | stg | 2025-06-02T08:15:00.000Z | 6.4s | platform-doctor 0.1.0 |',
      '',
    ]);
  });

  it('starts with the causes (failures, then warnings, in runbook order), then errors grouped by step, before the passes', () => {
    expect(headings(render(loadReport('mixed')))).toEqual([
      '# Platform doctor: ✖ FAIL',
      '## Start here',
      '### ✖ FAIL · Certificate plate-stg/stg-tls',
      '### ✖ FAIL · host stg.cocdev.co.kr',
      '### ✖ FAIL · ExternalSecret plate-stg/plate-api-secrets',
      '### ⚠ WARN · Certificate plate-stg/llm-tls',
      '### ⚠ WARN · token in Secret plate-stg/openbao-token',
      '## Errors (could not check)',
      '### ⊘ ERROR · HTTPS answers on every host with a trusted certificate',
      '### External Secrets logs show no recent errors (`secrets.eso-logs`)',
      '#### ⊘ ERROR · Pod external-secrets/external-secrets-5c7d9b8f9-k2lmn',
      '## Passed and skipped',
    ]);
  });

  it('gives a failure its step, message, hint and commands in a fenced block', () => {
    expect(render(loadReport('mixed'))).toContain(
      [
        '### ✖ FAIL · host stg.cocdev.co.kr',
        '',
        '`ingress.dns` · DNS records point at the ingress load balancer',
        '',
        'resolves to 203.0.113.9, load balancer is 203.0.113.10 · `DNS_WRONG_TARGET`',
        '',
        '**Next:** Update the record for stg.cocdev.co.kr; it still points at an old address.',
        '',
        '```sh',
        'dig +short stg.cocdev.co.kr',
        'kubectl get ingress -n plate-stg -o wide',
        '```',
        '',
        '### ✖ FAIL · ExternalSecret plate-stg/plate-api-secrets',
      ].join('\n'),
    );
  });

  it('names only the step id when the step itself is the leaf, as for a timeout', () => {
    expect(render(loadReport('mixed'))).toContain(
      [
        '### ⊘ ERROR · HTTPS answers on every host with a trusted certificate',
        '',
        '`ingress.https`',
        '',
        'gave up after 20s · `CHECK_DEADLINE`',
        '',
        '**Next:** Rerun with --timeout 60s, or check that 203.0.113.10:443 is reachable from here.',
      ].join('\n'),
    );
  });

  it('folds passing and skipped checks into a details element with their counts', () => {
    const text = render(loadReport('mixed'));
    const folded = text.slice(text.indexOf('## Passed and skipped'));
    expect(folded.split('\n').slice(0, 5)).toEqual([
      '## Passed and skipped',
      '',
      '<details>',
      '<summary>9 passed · 1 skipped (10)</summary>',
      '',
    ]);
    expect(folded).toContain(
      '- ✔ PASS · Secret plate-stg/plate-web-secrets — has keys API\\_URL, SENTRY\\_DSN (`secrets.target-secrets`)\n',
    );
    expect(folded.trimEnd().split('\n').slice(-3)).toEqual([
      '- ○ SKIP · Application argocd/ingress-prod — belongs to environment prod, not stg (`gitops.applications`)',
      '',
      '</details>',
    ]);
  });

  it('says plainly that nothing needs attention when every check passed', () => {
    const text = render(loadReport('all-pass'));
    expect(headings(text)).toEqual(['# Platform doctor: ✔ PASS', '## Passed and skipped']);
    expect(text).toContain('**4 passed (4)**\n\n| Cluster');
    expect(text).toContain('\n\nNothing failed, warned or errored.\n\n## Passed and skipped\n');
  });

  it('shows an unknown target as a dash and lists errors without a failures section', () => {
    const text = render(loadReport('error-only'));
    expect(text).toContain('| — | — | — | 2025-06-02T10:30:00.000Z | 20.5s | platform-doctor 0.1.0 |');
    expect(headings(text)).toEqual([
      '# Platform doctor: ⊘ ERROR',
      '## Errors (could not check)',
      '### ⊘ ERROR · Ingresses are admitted and have an address',
      '### ⊘ ERROR · SecretStores are ready',
      '### ⊘ ERROR · ArgoCD applications are synced and healthy',
      '## Passed and skipped',
    ]);
  });

  describe('escaping text from the cluster', () => {
    const text = render(loadReport('escaping'));

    it('makes HTML, emphasis, links, code, math, pipes and entities inert and puts lines on one', () => {
      expect(text).toContain(
        '\n\nannotation "configuration-snippet" holds \\<script\\>alert(\'x\')\\</script\\> & a \\| pipe \\| table, ' +
          '\\*stars\\*, \\_under\\_, \\[link\\](http://evil.test), \\`tick\\`, \\$HOME, \\&amp; kept second line ' +
          'third line \\]\\]\\> --\\>\n\n',
      );
      const outsideCode = text.replace(/^(`{3,})sh\n[\s\S]*?\n\1$/gm, '');
      expect(outsideCode).not.toMatch(/(?<!\\)<(script|b|i)>/);
    });

    it('escapes subjects in headings and target values in the table', () => {
      expect(text).toContain('\n### ✖ FAIL · Ingress plate-stg/\\<script\\>alert("x")\\</script\\>\n');
      expect(text).toContain(
        '| \\<b\\>cluster\\</b\\> | ctx "quoted" \\\\ back slash \\| pipe | stg | 2025-06-02T11:00:00.000Z | 1.5s | platform-doctor 0.1.0-"dev"\\\\x |',
      );
    });

    it('keeps a message that looks like a list or heading a plain paragraph', () => {
      expect(text).toContain('\n\n1\\. not a list - not a bullet # not a heading\n\n');
    });

    it('spells out control characters from log lines', () => {
      expect(text).toContain(
        '\n\nlog line: \\\\x1B\\[31mE0602 11:00:00 controller.go:167\\] "re-queuing item due to error" err="rate limited"\\\\x1B\\[0m\\\\x00 tab\n\n',
      );
      // eslint-disable-next-line no-control-regex -- the raw control characters must be gone
      expect(text).not.toMatch(/[\u0000-\u0008\u001b]/);
    });

    it('fences commands with more backticks than any run inside them', () => {
      expect(text).toContain(
        [
          '````sh',
          'kubectl get ingress -n plate-stg -o jsonpath=\'{.items[*].metadata.annotations}\' | grep "<script>"',
          'echo ```fenced``` && echo `tick`',
          '````',
        ].join('\n'),
      );
    });
  });

  it('matches the reviewed rendering of the mixed report', async () => {
    await expect(render(loadReport('mixed'))).toMatchFileSnapshot('__snapshots__/mixed.md');
  });
});
