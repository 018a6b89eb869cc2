import type { Report, Status } from '../checks/result.js';
import { STATUSES_WORST_FIRST, compareStatus } from '../checks/result.js';
import { oneLine, visible } from '../text.js';
import { leafEntries } from './leaves.js';
import type { Renderer } from './types.js';

/**
 * Prometheus text exposition (0.0.4) for node_exporter's textfile collector: no timestamps, every
 * family with HELP and TYPE. Skipped checks have no `check_status` series (nothing to alert on);
 * they are still counted in `platform_doctor_checks{status="skip"}`. A non-pass check carries its finding
 * code (`code="DNS_WRONG_TARGET"`) so alert rules can route on the kind of finding; a pass has `code=""`,
 * which Prometheus reads as no label, so a series keeps its labels when it recovers except `code`.
 *
 *     # TYPE platform_doctor_check_status gauge
 *     platform_doctor_check_status{runbook="ingress",step="ingress.dns",subject="host stg.cocdev.co.kr",code="DNS_WRONG_TARGET"} 2
 *     # TYPE platform_doctor_checks gauge
 *     platform_doctor_checks{status="fail"} 3
 */
export const prometheus: Renderer = (report) => {
  const families = [
    gauge(
      'platform_doctor_up',
      '1 when the run could check anything; 0 when every check that applied ended in error.',
      [['', isUp(report) ? 1 : 0]],
    ),
    gauge('platform_doctor_run_info', 'Target and tool version of the last run; the value is always 1.', [
      [
        labels({
          context: report.target.context ?? '',
          cluster: report.target.cluster ?? '',
          env: report.target.env ?? '',
          version: report.tool.version,
        }),
        1,
      ],
    ]),
    gauge(
      'platform_doctor_last_run_timestamp_seconds',
      'When the last run finished, in seconds since the epoch.',
      [['', (Date.parse(report.startedAt) + report.durationMs) / 1000]],
    ),
    gauge('platform_doctor_run_duration_seconds', 'How long the last run took.', [
      ['', report.durationMs / 1000],
    ]),
    gauge(
      'platform_doctor_checks',
      'Checks (leaves of the report) of the last run by status.',
      STATUSES_WORST_FIRST.map((status) => [labels({ status }), report.summary[status]]),
    ),
    gauge(
      'platform_doctor_check_status',
      'Status of one check: 0 pass, 1 warn, 2 fail, 3 error; skipped checks have no series.',
      checkSamples(report),
    ),
  ];
  return `${families.join('\n')}\n`;
};

/** Gauge values of `platform_doctor_check_status`; skip has none on purpose. */
export const CHECK_STATUS_VALUE: Record<Exclude<Status, 'skip'>, number> = {
  pass: 0,
  warn: 1,
  fail: 2,
  error: 3,
};

type Sample = [labels: string, value: number];

function gauge(name: string, help: string, samples: Sample[]): string {
  return [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} gauge`,
    ...samples.map(([l, v]) => `${name}${l} ${v}`),
  ].join('\n');
}

/** Down only when something needed checking and nothing could be checked: every applicable leaf errored. */
function isUp(report: Report): boolean {
  const { pass, warn, fail, error } = report.summary;
  return error === 0 || pass + warn + fail > 0;
}

/** One series per checked subject and finding code, in report order. */
function checkSamples(report: Report): Sample[] {
  const statuses = new Map<string, Exclude<Status, 'skip'>>();
  for (const { runbook, step, leaf } of leafEntries(report)) {
    if (leaf.status === 'skip') continue;
    const key = labels({
      runbook: runbook.id,
      step: step.id,
      subject: leaf.subject ?? '',
      code: leaf.code ?? '',
    });
    const seen = statuses.get(key);
    // Two leaves with one label set would be a duplicate series, which the textfile collector
    // rejects as a whole file: keep the worse of the two.
    if (seen === undefined || compareStatus(leaf.status, seen) < 0) statuses.set(key, leaf.status);
  }
  return [...statuses].map(([key, status]) => [key, CHECK_STATUS_VALUE[status]]);
}

function labels(pairs: Record<string, string>): string {
  const body = Object.entries(pairs).map(([name, value]) => `${name}="${escapeLabelValue(value)}"`);
  return `{${body.join(',')}}`;
}

/**
 * A label value on one line with control and bidi characters spelled out (a collector or a terminal
 * showing it must not obey them), then the exposition format's escapes: backslash and double quote.
 */
function escapeLabelValue(value: string): string {
  return visible(oneLine(value)).replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}
