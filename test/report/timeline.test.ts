import { describe, expect, it } from 'vitest';
import type { Report, ResultNode } from '../../src/checks/result.js';
import { reportSchema } from '../../src/checks/result.js';
import type { TimelineEntry } from '../../src/checks/timeline.js';
import { html } from '../../src/report/html.js';
import { markdown } from '../../src/report/markdown.js';
import { afterText, agoTime, clockTime, relativeTime } from '../../src/report/timeline.js';
import { tree } from '../../src/report/tree.js';
import { FILE_OPTIONS, loadReport } from './load-report-fixture.js';

// The mixed fixture started at 2025-06-02T08:15:00.000Z.
const sync: TimelineEntry = {
  time: '2025-06-02T07:57:00.000Z',
  kind: 'argocd.sync',
  subject: 'Application argocd/ingress-stg',
  message: 'Argo CD synced ingress-stg to 4f2c1e9 (automated, took 12s)',
};
const timeline: TimelineEntry[] = [
  {
    time: '2025-06-02T08:12:30.000Z',
    kind: 'event.warning',
    subject: 'Certificate plate-stg/stg-tls',
    message:
      'Failed: The certificate request has failed to complete and will be retried: 429 rateLimited (×3)',
  },
  {
    time: '2025-06-02T08:01:00.000Z',
    kind: 'externalsecret.refreshed',
    subject: 'ExternalSecret plate-stg/plate-api-secrets',
    message: 'refreshed Secret plate-api-secrets from SecretStore openbao',
  },
  sync,
  {
    time: '2025-06-01T22:15:00.000Z',
    kind: 'secretstore.ready',
    subject: 'SecretStore plate-stg/openbao',
    message: 'Ready (Valid)',
  },
];

/** The mixed report with a timeline, and the failing Certificate started after the sync. */
function withTimeline(entries: TimelineEntry[] = timeline): Report {
  const report = loadReport('mixed');
  const mark = (node: ResultNode): ResultNode =>
    node.id === 'ingress.certificates:plate-stg/stg-tls'
      ? { ...node, after: sync }
      : { ...node, ...(node.children ? { children: node.children.map(mark) } : {}) };
  return { ...report, runbooks: report.runbooks.map(mark), timeline: entries };
}

describe('timeline wording', () => {
  const report = { startedAt: '2025-06-02T08:15:00.000Z' };
  it.each([
    ['2025-06-02T08:14:40.000Z', '08:14', 'now', 'at the run'],
    ['2025-06-02T07:57:00.000Z', '07:57', '18m ago', '18m before the run'],
    ['2025-06-01T22:15:00.000Z', '06-01 22:15', '10h ago', '10h before the run'],
    ['2025-05-29T08:15:00.000Z', '05-29 08:15', '4d ago', '4d before the run'],
    ['2025-06-02T10:15:00.000Z', '10:15', 'in 2h', 'in 2h'],
  ])('%s reads %s, %s, %s', (time, clock, ago, relative) => {
    expect([clockTime(time, report), agoTime(time, report), relativeTime(time, report)]).toEqual([
      clock,
      ago,
      relative,
    ]);
  });

  it('names a change by its headline, and the subject unless Argo CD is already named', () => {
    expect(afterText(sync, report)).toBe(
      'started after Argo CD synced ingress-stg to 4f2c1e9 (automated, took 12s) at 07:57 UTC (18m before the run)',
    );
    expect(afterText(timeline[0]!, report)).toBe(
      'started after Certificate plate-stg/stg-tls: Failed at 08:12 UTC (2m before the run)',
    );
  });
});

describe('what changed in the reports', () => {
  it('is a valid report with a timeline and an `after`', () => {
    expect(reportSchema.safeParse(withTimeline()).success).toBe(true);
  });

  it('tree: a section after Start here, newest first, times lined up, and the change under the failing leaf', () => {
    const lines = tree(withTimeline(), FILE_OPTIONS).split('\n');
    const at = lines.indexOf(
      'What changed (4 changes, newest first; times in UTC, "ago" counts back from the run)',
    );
    expect(at).toBeGreaterThan(lines.indexOf('Start here'));
    expect(lines.slice(at + 1, at + 6)).toEqual([
      '        08:12   2m ago  ✖ Certificate plate-stg/stg-tls — Failed: The certificate request has failed to complete and will be retried: 429 rateLimited (×3)',
      '        08:01  14m ago  · ExternalSecret plate-stg/plate-api-secrets — refreshed Secret plate-api-secrets from SecretStore openbao',
      '        07:57  18m ago  ● Application argocd/ingress-stg — Argo CD synced ingress-stg to 4f2c1e9 (automated, took 12s)',
      '  06-01 22:15  10h ago  ✔ SecretStore plate-stg/openbao — Ready (Valid)',
      '',
    ]);
    const cause = lines.findIndex((l) => l.startsWith('  ✖ Certificate plate-stg/stg-tls'));
    expect(lines.slice(cause + 1, cause + 3)).toEqual([
      '      ↶ started after Argo CD synced ingress-stg to 4f2c1e9 (automated, took 12s) at 07:57 UTC (18m before the run)',
      "      → Wait for the Let's Encrypt rate limit to reset, then fix the failing challenge for stg.cocdev.co.kr before the next retry.",
    ]);
  });

  it('tree: at most a dozen entries, then how many more the other formats carry; ASCII glyphs without UTF-8', () => {
    const many = Array.from({ length: 15 }, (_, i) => ({
      ...sync,
      time: `2025-06-02T07:${String(54 - i).padStart(2, '0')}:00.000Z`,
    }));
    const text = tree(withTimeline(many), { ...FILE_OPTIONS, unicode: false });
    expect(text).toContain('  and 3 earlier changes (in -o json and the markdown and HTML reports)\n');
    expect(text).toContain('  07:54  21m ago  * Application argocd/ingress-stg - Argo CD synced ingress-stg');
    expect(text).toContain('      @ started after Argo CD synced');
  });

  it('tree: prints nothing about changes for a report without a timeline', () => {
    expect(tree(loadReport('mixed'), FILE_OPTIONS)).not.toContain('What changed');
  });

  it('markdown: a table after Start here, and the change under the failing leaf', () => {
    const text = markdown(withTimeline(), FILE_OPTIONS);
    expect(text).toContain(
      [
        '## What changed (4 changes, newest first; times in UTC, "ago" counts back from the run)',
        '',
        '| Time (UTC) | Kind | Subject | What happened |',
        '| --- | --- | --- | --- |',
        '| 08:12 (2m ago) | `event.warning` | Certificate plate-stg/stg-tls | Failed: The certificate request has failed to complete and will be retried: 429 rateLimited (×3) |',
        '| 08:01 (14m ago) | `externalsecret.refreshed` | ExternalSecret plate-stg/plate-api-secrets | refreshed Secret plate-api-secrets from SecretStore openbao |',
        '| 07:57 (18m ago) | `argocd.sync` | Application argocd/ingress-stg | Argo CD synced ingress-stg to 4f2c1e9 (automated, took 12s) |',
        '| 06-01 22:15 (10h ago) | `secretstore.ready` | SecretStore plate-stg/openbao | Ready (Valid) |',
      ].join('\n'),
    );
    expect(text).toContain(
      'too many failed authorizations recently · `CERT_NOT_READY`\n\nStarted after Argo CD synced ingress-stg to 4f2c1e9 (automated, took 12s) at 07:57 UTC (18m before the run).\n\n**Next:**',
    );
    expect(text.indexOf('## What changed')).toBeGreaterThan(text.indexOf('## Start here'));
    expect(text.indexOf('## What changed')).toBeLessThan(text.indexOf('## Errors'));
  });

  it('html: a table section and the change under the leaf', () => {
    const page = html(withTimeline(), FILE_OPTIONS);
    expect(page).toContain(
      '<h2 id="what-changed">What changed (4 changes, newest first; times in UTC, "ago" counts back from the run)</h2>',
    );
    expect(page).toContain(
      '<tr class="change"><td><time datetime="2025-06-02T07:57:00.000Z">07:57</time> <span class="ago">18m ago</span></td><td><span aria-hidden="true">● </span><code>argocd.sync</code></td><td>Application argocd/ingress-stg</td><td>Argo CD synced ingress-stg to 4f2c1e9 (automated, took 12s)</td></tr>',
    );
    expect(page).toContain(
      '<p class="after">started after Argo CD synced ingress-stg to 4f2c1e9 (automated, took 12s) at 07:57 UTC (18m before the run)</p>',
    );
  });

  it('keeps hostile text from the cluster inert in every format', () => {
    const hostile: TimelineEntry = {
      time: '2025-06-02T08:00:00.000Z',
      kind: 'event.warning',
      subject: 'Pod x/<script>alert(1)</script>',
      message: 'a | b `c` \u001b[31mred\u001b[0m\nnext **bold** <img src=x>',
    };
    const report = withTimeline([hostile]);
    const text = tree(report, FILE_OPTIONS);
    expect(text).toContain(
      'Pod x/<script>alert(1)</script> — a | b `c` \\x1B[31mred\\x1B[0m next **bold** <img src=x>',
    );
    const md = markdown(report, FILE_OPTIONS);
    expect(md).toContain(
      '| 08:00 (15m ago) | `event.warning` | Pod x/\\<script\\>alert(1)\\</script\\> | a \\| b \\`c\\` \\\\x1B\\[31mred\\\\x1B\\[0m next \\*\\*bold\\*\\* \\<img src=x\\> |',
    );
    const page = html(report, FILE_OPTIONS);
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('<img src=x>');
  });
});
