import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/checks/result.js';
import { html } from '../../src/report/html.js';
import { FILE_OPTIONS, loadReport } from './load-report-fixture.js';

const render = (report: Report) => html(report, FILE_OPTIONS);
/** The opening tag of the element with this id. */
const openingTag = (page: string, id: string) => page.match(new RegExp(`<[a-z]+ [^>]*id="${id}"[^>]*>`))?.[0];

describe('html report', () => {
  const page = render(loadReport('mixed'));

  it('is one self-contained page whose policy forbids scripts and outside requests', () => {
    expect(page.startsWith('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n')).toBe(true);
    expect(page).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    );
    expect(page).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|url\(|@import/i);
    // Links stay inside the page: from the tree to Start here and back.
    expect(page).not.toMatch(/\shref="(?!#)/i);
  });

  it('titles the page with the status and target, and heads it with the summary line', () => {
    expect(page).toContain('<title>Platform doctor: ✖ FAIL — plate-stg · stg</title>');
    expect(page).toContain('<h1><span class="badge fail">✖ FAIL</span> Platform doctor report</h1>');
    expect(page).toContain(
      '<p class="summary">3 failed · 2 errors · 2 warnings · 9 passed · 1 skipped (17)</p>',
    );
    expect(page).toContain('<div><dt>Cluster</dt><dd>plate-cluster</dd></div>');
  });

  it('has a legend that pairs every colour with a glyph and a word', () => {
    expect(page).toContain(
      '<ul class="legend" aria-label="Legend">' +
        '<li><span class="badge fail">✖ FAIL</span> the platform is broken here</li>' +
        '<li><span class="badge error">⊘ ERROR</span> could not check (forbidden, timeout, crash)</li>' +
        '<li><span class="badge warn">⚠ WARN</span> works, but degrading</li>' +
        '<li><span class="badge pass">✔ PASS</span> checked and fine</li>' +
        '<li><span class="badge skip">○ SKIP</span> not applicable, or a prerequisite is missing</li></ul>',
    );
  });

  it('opens what needs attention and folds what passed', () => {
    expect(openingTag(page, 'ingress')).toBe('<details class="runbook fail" id="ingress" open>');
    expect(openingTag(page, 'ingress.dns')).toBe('<details class="step fail" id="ingress.dns" open>');
    expect(openingTag(page, 'ingress.https')).toBe('<details class="step error" id="ingress.https" open>');
    expect(openingTag(page, 'secrets.openbao')).toBe('<details class="step warn" id="secrets.openbao" open>');
    expect(openingTag(page, 'ingress.resources')).toBe('<details class="step pass" id="ingress.resources">');
    expect(openingTag(page, 'gitops')).toBe('<details class="runbook pass" id="gitops">');
  });

  it('opens with Start here: each cause with where it sits, its message, hint and commands', () => {
    expect(page).toContain(
      '<section class="start-here" aria-labelledby="start-here">\n<h2 id="start-here">Start here</h2>\n<ul class="leaves">\n' +
        '<li class="leaf fail"><span class="badge fail">✖ FAIL</span> <span class="subject">Certificate plate-stg/stg-tls</span>' +
        '<p class="where"><a href="#ingress.certificates:plate-stg/stg-tls"><code>ingress.certificates</code></a> · Certificates are issued and not expiring</p>' +
        '<p class="message">Ready=False (DoesNotExist): Issuing certificate as Secret does not exist; Issuing: 429 urn:ietf:params:acme:error:rateLimited: too many failed authorizations recently <code class="code">CERT_NOT_READY</code></p>' +
        '<p class="hint"><span aria-hidden="true">→ </span>Wait for the Let\'s Encrypt rate limit to reset, then fix the failing challenge for stg.cocdev.co.kr before the next retry.</p>',
    );
    expect(page.indexOf('class="start-here"')).toBeLessThan(page.indexOf('class="runbook'));
  });

  it('shows a failing leaf with its message and a link to Start here, and folds its passing siblings beneath', () => {
    expect(page).toContain(
      [
        '<ul class="leaves">',
        '<li class="leaf fail" id="ingress.dns:stg.cocdev.co.kr"><span class="badge fail">✖ FAIL</span> ' +
          '<span class="subject">host stg.cocdev.co.kr</span>' +
          '<p class="message">resolves to 203.0.113.9, load balancer is 203.0.113.10 <code class="code">DNS_WRONG_TARGET</code></p>' +
          '<p class="explained"><a href="#start-here">see Start here</a></p></li>',
        '</ul>',
        '<details class="passes">',
        '<summary>1 passed (1)</summary>',
        '<ul class="leaves">',
        '<li class="leaf pass" id="ingress.dns:llm.cocdev.co.kr"><span class="badge pass">✔ PASS</span> ' +
          '<span class="subject">host llm.cocdev.co.kr</span><p class="message">resolves to 203.0.113.10</p></li>',
        '</ul>',
        '</details>',
      ].join('\n'),
    );
  });

  it('shows failing leaves nested under a group (one Ingress, one host), with their hints', () => {
    const report = loadReport('mixed');
    const step = report.runbooks[0]!.children![0]!;
    const grouped: Report = {
      ...report,
      runbooks: [
        {
          ...report.runbooks[0]!,
          children: [
            {
              ...step,
              children: [
                {
                  id: `${step.id}:plate-stg/web`,
                  title: 'Ingress plate-stg/web',
                  subject: 'Ingress plate-stg/web',
                  status: 'fail',
                  children: [
                    {
                      id: `${step.id}:plate-stg/web/tls`,
                      title: 'Secret plate-stg/web-tls',
                      subject: 'Secret plate-stg/web-tls',
                      status: 'fail',
                      message: 'does not exist',
                      hint: 'Find out why cert-manager has not stored Secret plate-stg/web-tls.',
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const page = render(grouped);
    expect(page).toContain('<span class="subject">Ingress plate-stg/web</span>');
    expect(page).toContain('<p class="message">does not exist</p>');
    expect(page).toContain('Find out why cert-manager has not stored Secret plate-stg/web-tls.');
  });

  it('sorts leaves within a step worst first, then by subject', () => {
    const step = page.slice(page.indexOf('id="gitops.applications"'));
    const subjects = [...step.matchAll(/<span class="subject">([^<]*)<\/span>/g)].map((m) => m[1]);
    expect(subjects).toEqual([
      'Application argocd/ingress-stg',
      'Application argocd/openbao-secrets-manager-stg',
      'Application argocd/ingress-prod',
    ]);
  });

  it('shows the message of a step that is its own leaf under the step summary', () => {
    expect(page).toContain(
      '<summary><span class="badge error">⊘ ERROR</span> <span class="title">HTTPS answers on every host with a trusted certificate</span> ' +
        '<code>ingress.https</code> <span class="duration">20.0s</span></summary>\n' +
        '<p class="message">gave up after 20s <code class="code">CHECK_DEADLINE</code></p>',
    );
  });

  it('expands everything and drops backgrounds when printed', () => {
    expect(page).toContain(
      '@media print {\n  * { background: none !important; }\n  details::details-content { content-visibility: visible; display: block; }',
    );
  });

  describe('escaping', () => {
    const escaped = render(loadReport('escaping'));

    it('escapes every text taken from the cluster, attributes included, and puts a multi-line message on one line', () => {
      expect(escaped).toContain(
        '<li class="leaf fail" id="ingress.resources:plate-stg/&lt;script&gt;"><span class="badge fail">✖ FAIL</span> ' +
          '<span class="subject">Ingress plate-stg/&lt;script&gt;alert("x")&lt;/script&gt;</span>' +
          '<p class="message">annotation "configuration-snippet" holds &lt;script&gt;alert(\'x\')&lt;/script&gt; &amp; a | pipe | table, ' +
          '*stars*, _under_, [link](http://evil.test), `tick`, $HOME, &amp;amp; kept second line third line ]]&gt; --&gt;</p>',
      );
      expect(escaped).toContain('<div><dt>Cluster</dt><dd>&lt;b&gt;cluster&lt;/b&gt;</dd></div>');
      expect(escaped).not.toMatch(/<(script|b|i)>/);
    });

    it('spells out control characters instead of passing them to the browser', () => {
      expect(escaped).toContain(
        '<p class="message">log line: \\x1B[31mE0602 11:00:00 controller.go:167] "re-queuing item due to error" err="rate limited"\\x1B[0m\\x00 tab</p>',
      );
      // eslint-disable-next-line no-control-regex -- the raw control characters must be gone
      expect(escaped).not.toMatch(/[\u0000-\u0008\u001b]/);
    });
  });

  it('leaves out an unknown target instead of printing null', () => {
    const page = render(loadReport('error-only'));
    expect(page).toContain('<title>Platform doctor: ⊘ ERROR</title>');
    expect(page).toContain('<div><dt>Context</dt><dd>—</dd></div>');
    expect(page).not.toContain('null');
  });
});
