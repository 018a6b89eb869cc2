import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/checks/result.js';
import { junit } from '../../src/report/junit.js';
import { FILE_OPTIONS, loadReport } from './load-report-fixture.js';

const render = (report: Report) => junit(report, FILE_OPTIONS);

interface XmlElement {
  tag: string;
  attrs: Record<string, string>;
  text: string;
  children: XmlElement[];
}

const hasPython = (() => {
  try {
    execFileSync('python3', ['--version'], { timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
})();
// Python's expat is the strict XML 1.0 parser at hand; CI must have it, a laptop may skip.
if (!hasPython && process.env.CI === 'true')
  throw new Error('python3 is missing: the JUnit tests parse XML with it');

/** Parses with a real, strict XML parser and returns the element tree. */
function parseXml(xml: string): XmlElement {
  const script = `
import json, sys, xml.etree.ElementTree as ET
def walk(e):
    return {"tag": e.tag, "attrs": dict(e.attrib), "text": e.text or "", "children": [walk(c) for c in e]}
print(json.dumps(walk(ET.fromstring(sys.stdin.buffer.read()))))
`;
  return JSON.parse(
    execFileSync('python3', ['-c', script], { input: xml, timeout: 10_000 }).toString(),
  ) as XmlElement;
}

describe('junit report', () => {
  const xml = render(loadReport('mixed'));

  it('declares the document and counts every leaf at the top', () => {
    expect(xml.split('\n').slice(0, 2)).toEqual([
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<testsuites name="platform-doctor" tests="17" failures="3" errors="2" skipped="1" time="6.420" timestamp="2025-06-02T08:15:00.000Z">',
    ]);
  });

  it('has one testsuite per runbook with its own counts, time and target properties', () => {
    expect(xml.split('\n').filter((line) => line.startsWith('  <testsuite '))).toEqual([
      '  <testsuite name="ingress" tests="7" failures="2" errors="1" skipped="0" time="5.120" timestamp="2025-06-02T08:15:00.000Z">',
      '  <testsuite name="secrets" tests="7" failures="1" errors="1" skipped="0" time="1.210" timestamp="2025-06-02T08:15:00.000Z">',
      '  <testsuite name="gitops" tests="3" failures="0" errors="0" skipped="1" time="0.090" timestamp="2025-06-02T08:15:00.000Z">',
    ]);
    expect(xml).toContain(
      [
        '    <properties>',
        '      <property name="context" value="plate-stg"/>',
        '      <property name="cluster" value="plate-cluster"/>',
        '      <property name="env" value="stg"/>',
        '    </properties>',
      ].join('\n'),
    );
  });

  it('reports a failed leaf as a failure typed by its finding code, with message, code, hint and commands', () => {
    expect(xml).toContain(
      [
        '    <testcase classname="ingress.dns" name="host stg.cocdev.co.kr">',
        '      <failure message="resolves to 203.0.113.9, load balancer is 203.0.113.10" type="DNS_WRONG_TARGET">fail: resolves to 203.0.113.9, load balancer is 203.0.113.10',
        'code: DNS_WRONG_TARGET',
        'hint: Update the record for stg.cocdev.co.kr; it still points at an old address.',
        'commands:',
        '  dig +short stg.cocdev.co.kr',
        '  kubectl get ingress -n plate-stg -o wide</failure>',
        '    </testcase>',
        '    <testcase classname="ingress.dns" name="host llm.cocdev.co.kr"/>',
      ].join('\n'),
    );
  });

  it('reports a step that could not run as an error testcase named after the step', () => {
    expect(xml).toContain(
      [
        '    <testcase classname="ingress.https" name="HTTPS answers on every host with a trusted certificate" time="20.000">',
        '      <error message="gave up after 20s" type="CHECK_DEADLINE">error: gave up after 20s',
        'code: CHECK_DEADLINE',
        'hint: Rerun with --timeout 60s, or check that 203.0.113.10:443 is reachable from here.',
        'commands:',
        '  curl -sv --connect-timeout 5 https://stg.cocdev.co.kr/ -o /dev/null</error>',
        '    </testcase>',
      ].join('\n'),
    );
  });

  it('lets a warning pass while carrying it in system-out, and marks skips as skipped', () => {
    expect(xml).toContain(
      [
        '    <testcase classname="ingress.certificates" name="Certificate plate-stg/llm-tls">',
        '      <system-out>warn: expires in 9 days (2025-06-11T08:00:00Z); renewal was due 2025-05-12T08:00:00Z',
        'code: CERT_EXPIRING',
        'hint: Find out why cert-manager has not renewed plate-stg/llm-tls; its CertificateRequest says why.',
        'commands:',
        '  kubectl get certificaterequests -n plate-stg -o wide</system-out>',
        '    </testcase>',
      ].join('\n'),
    );
    expect(xml).toContain(
      [
        '    <testcase classname="gitops.applications" name="Application argocd/ingress-prod">',
        '      <skipped message="belongs to environment prod, not stg"/>',
        '    </testcase>',
      ].join('\n'),
    );
  });

  it('sums step times for a runbook that carries none', () => {
    expect(render(loadReport('error-only'))).toContain(
      '  <testsuite name="secrets" tests="2" failures="0" errors="1" skipped="1" time="20.000" timestamp="2025-06-02T10:30:00.000Z">',
    );
  });

  describe.skipIf(!hasPython)('read back by a strict XML parser', () => {
    it('lists every leaf of a runbook, each step in order and its leaves worst first', () => {
      const [ingress] = parseXml(xml).children;
      const cases = ingress!.children.filter((c) => c.tag === 'testcase');
      expect(
        cases.map((c) => [c.attrs.classname, c.attrs.name, c.children.map((e) => e.tag).join()]),
      ).toEqual([
        ['ingress.resources', 'Ingress plate-stg/plate-ingress', ''],
        ['ingress.certificates', 'Certificate plate-stg/stg-tls', 'failure'],
        ['ingress.certificates', 'Certificate plate-stg/llm-tls', 'system-out'],
        ['ingress.cert-manager-logs', 'Pod cert-manager/cert-manager-7d9f8b6c5-x2x9k', ''],
        ['ingress.dns', 'host stg.cocdev.co.kr', 'failure'],
        ['ingress.dns', 'host llm.cocdev.co.kr', ''],
        ['ingress.https', 'HTTPS answers on every host with a trusted certificate', 'error'],
      ]);
    });

    it('gives back quotes and markup exactly, messages on one line, and control characters spelled out', () => {
      const report = loadReport('escaping');
      const [suite] = parseXml(render(report)).children;
      const [properties, hostile, , logLine] = suite!.children;
      expect(properties!.children[0]!.attrs.value).toBe('ctx "quoted" \\ back\nslash | pipe');

      const source = report.runbooks[0]!.children![0]!.children![0]!;
      expect(hostile!.attrs.name).toBe(source.subject);
      const failure = hostile!.children[0]!;
      const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
      expect(failure.attrs.message).toBe(oneLine(source.message!));
      expect(failure.text).toBe(
        `fail: ${oneLine(source.message!)}\nhint: ${source.hint}\ncommands:\n${source.commands!.map((c) => `  ${c}`).join('\n')}`,
      );

      expect(logLine!.attrs.name).toBe('Pod cert-manager/cm-0 "main" line2');
      expect(logLine!.children[0]!.attrs.message).toBe(
        'log line: \\x1B[31mE0602 11:00:00 controller.go:167] "re-queuing item due to error" err="rate limited"\\x1B[0m\\x00 tab',
      );
    });

    it.each(['all-pass', 'mixed', 'error-only'] as const)(
      'renders the %s report as well-formed XML',
      (name) => {
        expect(parseXml(render(loadReport(name))).tag).toBe('testsuites');
      },
    );
  });
});
