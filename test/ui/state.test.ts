import { describe, expect, it } from 'vitest';
import { group } from '../../src/checks/result.js';
import {
  cursorIndex,
  isBusy,
  liveSummary,
  stepProgress,
  visibleRows,
  windowRows,
  type DoctorState,
} from '../../src/ui/state.js';
import { reduce } from '../../src/ui/state.js';
import { DNS_FAILING, DNS_FIXED, RESOURCES, reportOf, runEvents, stateAfter, STORES } from './sample.js';

/** The visible rows as `› fail host stg… (counts)` lines: cursor, status, label, counts. */
function outline(state: DoctorState): string[] {
  const rows = visibleRows(state);
  const at = cursorIndex(rows, state.cursor);
  return rows.map((r, i) => {
    const counts = r.counts ? ` (${r.counts.map(([s, n]) => `${n} ${s}`).join(', ')})` : '';
    return `${i === at ? '>' : ' '}${'  '.repeat(r.depth)}${r.status} ${r.label}${counts}`.trimEnd();
  });
}

const events = runEvents();
const started = events.slice(0, 1);
const midRun = events.slice(0, 4);
const finished = events;

describe('the reducer of run events', () => {
  it('lists every planned runbook and step as pending as soon as the run starts', () => {
    expect(outline(stateAfter(started))).toEqual([
      '>pending Ingress, certificates and DNS',
      '   pending Ingresses are admitted and have an address',
      '   pending DNS records point at the ingress load balancer',
      ' pending Secrets from OpenBao',
      '   pending SecretStores are ready',
    ]);
  });

  it('shows running steps with their start time and finished ones with their status', () => {
    const state = stateAfter(midRun);
    expect(outline(state)).toEqual([
      '>running Ingress, certificates and DNS',
      '   pass Ingresses are admitted and have an address (2 pass)',
      '   running DNS records point at the ingress load balancer',
      ' pending Secrets from OpenBao',
      '   pending SecretStores are ready',
    ]);
    expect(visibleRows(state)[2]).toMatchObject({ stepId: 'ingress.dns', startedAtMs: 1200 });
    expect(isBusy(state)).toBe(true);
    expect(stepProgress(state)).toEqual({ finished: 1, total: 3 });
    expect(liveSummary(state)).toEqual({ pass: 2, warn: 0, fail: 0, error: 0, skip: 0 });
  });

  it('puts Start here first with the cursor on its cause, expands failures, folds the passing hosts beside them and collapses passing runbooks', () => {
    const state = stateAfter(finished);
    expect(outline(state)).toEqual([
      ' fail Start here',
      '>  fail host stg.cocdev.co.kr',
      ' fail Ingress, certificates and DNS',
      '   pass Ingresses are admitted and have an address (2 pass)',
      '   fail DNS records point at the ingress load balancer',
      '     fail host stg.cocdev.co.kr',
      '     pass  (2 pass)',
      ' pass Secrets from OpenBao (1 pass)',
    ]);
    expect(isBusy(state)).toBe(false);
    expect(visibleRows(state)[1]).toMatchObject({
      stepId: 'ingress.dns',
      message: 'resolves to 127.0.10.9, load balancer is 127.0.10.10',
      hint: 'Update the A record of stg.cocdev.co.kr to 127.0.10.10; it still points at an old address.',
      commands: ['dig +short stg.cocdev.co.kr', 'kubectl get ingress -n plate-stg -o wide'],
    });
  });

  it('keeps the cursor where the user moved it when the run ends', () => {
    const moved = stateAfter(finished.slice(0, -1), [{ type: 'move', by: 1 }]);
    const done = [finished.at(-1)!].reduce(
      (state, event) => reduce(state, { type: 'run-event', event, atMs: 5000 }),
      moved,
    );
    expect(done.cursor).toBe('ingress\tingress.resources');
  });

  it('expands every node with verbose, without folding passes', () => {
    expect(outline(stateAfter(finished, [], true))).toEqual([
      ' fail Start here',
      '>  fail host stg.cocdev.co.kr',
      ' fail Ingress, certificates and DNS',
      '   pass Ingresses are admitted and have an address',
      '     pass Ingress plate-stg/plate-ingress',
      '     pass Ingress plate-prod/plate-ingress',
      '   fail DNS records point at the ingress load balancer',
      '     fail host stg.cocdev.co.kr',
      '     pass host cocdev.co.kr',
      '     pass host llm.cocdev.co.kr',
      ' pass Secrets from OpenBao',
      '   pass SecretStores are ready',
      '     pass SecretStore plate-stg/openbao',
    ]);
  });

  it('marks a single-step rerun as running and shows its new node when it finishes', () => {
    const rerun = stateAfter([
      ...finished,
      { type: 'step-started', runbook: 'ingress', step: 'ingress.dns' },
    ]);
    expect(isBusy(rerun)).toBe(true);
    // Start here belongs to the last finished report, so it stays until the rerun's report arrives.
    expect(outline(rerun).slice(0, 5)).toEqual([
      ' fail Start here',
      '>  fail host stg.cocdev.co.kr',
      ' running Ingress, certificates and DNS',
      '   pass Ingresses are admitted and have an address (2 pass)',
      '   running DNS records point at the ingress load balancer',
    ]);
    const fixed = stateAfter([
      ...finished,
      { type: 'step-started', runbook: 'ingress', step: 'ingress.dns' },
      { type: 'step-finished', runbook: 'ingress', step: 'ingress.dns', node: DNS_FIXED },
      { type: 'done', report: reportOf({ resources: RESOURCES, dns: DNS_FIXED, stores: STORES }) },
    ]);
    expect(outline(fixed)).toEqual([
      '>pass Ingress, certificates and DNS (5 pass)',
      ' pass Secrets from OpenBao (1 pass)',
    ]);
    expect(fixed.cursor).toBe('ingress');
  });
  it('notes what a Start here cause explains, and under an explained leaf what explains it without its repeated hint', () => {
    const [stg, ...rest] = DNS_FAILING.children!.filter((c) => c.status === 'fail');
    expect(rest).toEqual([]);
    const explainedLeaf = {
      ...stg!,
      id: 'ingress.dns:www.cocdev.co.kr',
      subject: 'host www.cocdev.co.kr',
      title: 'host www.cocdev.co.kr',
      dependsOn: ['host stg.cocdev.co.kr'],
      commands: [...stg!.commands!, 'dig +short www.cocdev.co.kr'],
    };
    const dns = group('ingress.dns', DNS_FAILING.title, [...DNS_FAILING.children!, explainedLeaf]);
    const state = stateAfter(runEvents(dns));
    const rows = visibleRows(state);
    expect(rows[1]).toMatchObject({ label: 'host stg.cocdev.co.kr', note: 'explains 1 other failure' });
    const explained = rows.find((r) => r.key.endsWith('ingress.dns:www.cocdev.co.kr'))!;
    expect(explained).toMatchObject({
      note: 'explained by host stg.cocdev.co.kr',
      commands: ['dig +short www.cocdev.co.kr'],
    });
    expect(explained.hint).toBeUndefined();
  });
});

describe('keys as actions', () => {
  it('moves the cursor over visible rows and stops at both ends', () => {
    expect(stateAfter(finished, [{ type: 'move', by: 1 }]).cursor).toBe('ingress');
    expect(stateAfter(finished, [{ type: 'move', by: 5 }]).cursor).toBe('ingress\tingress.dns\t…');
    expect(stateAfter(finished, [{ type: 'move', by: 9 }]).cursor).toBe('secrets');
    expect(stateAfter(finished, [{ type: 'move', by: -9 }]).cursor).toBe('Start here');
  });

  it('opens a folded row to list the passing hosts under it', () => {
    const state = stateAfter(finished, [{ type: 'move', by: 5 }, { type: 'toggle' }]);
    expect(outline(state).slice(5)).toEqual([
      '     fail host stg.cocdev.co.kr',
      '>    pass  (2 pass)',
      '       pass host cocdev.co.kr',
      '       pass host llm.cocdev.co.kr',
      ' pass Secrets from OpenBao (1 pass)',
    ]);
  });

  it('expands a collapsed step with → and collapses it again with ←', () => {
    const expanded = stateAfter(finished, [{ type: 'move', by: 2 }, { type: 'expand' }]);
    expect(outline(expanded).slice(3, 6)).toEqual([
      '>  pass Ingresses are admitted and have an address',
      '     pass Ingress plate-stg/plate-ingress',
      '     pass Ingress plate-prod/plate-ingress',
    ]);
    expect(
      outline(stateAfter(finished, [{ type: 'move', by: 2 }, { type: 'expand' }, { type: 'collapse' }]))[3],
    ).toBe('>  pass Ingresses are admitted and have an address (2 pass)');
  });

  it('moves to the parent when ← is pressed on a leaf', () => {
    expect(stateAfter(finished, [{ type: 'collapse' }]).cursor).toBe('Start here');
    expect(stateAfter(finished, [{ type: 'move', by: 4 }, { type: 'collapse' }]).cursor).toBe(
      'ingress\tingress.dns',
    );
  });

  it('keeps only failures and their parents with failures-only, and the cursor on a kept row', () => {
    const state = stateAfter(finished, [{ type: 'toggle-failures-only' }]);
    expect(outline(state)).toEqual([
      ' fail Start here',
      '>  fail host stg.cocdev.co.kr',
      ' fail Ingress, certificates and DNS',
      '   fail DNS records point at the ingress load balancer',
      '     fail host stg.cocdev.co.kr',
    ]);
    // From a row that the filter hides and that has no kept ancestor, the cursor goes to the top.
    expect(stateAfter(finished, [{ type: 'move', by: 9 }, { type: 'toggle-failures-only' }]).cursor).toBe(
      'Start here',
    );
  });

  it('shows a failing runbook that is still running when failures-only is on', () => {
    const state = stateAfter(
      [
        ...events.slice(0, 3),
        { type: 'step-finished', runbook: 'ingress', step: 'ingress.dns', node: DNS_FAILING },
      ],
      [{ type: 'toggle-failures-only' }],
    );
    expect(outline(state)).toEqual([
      '>running Ingress, certificates and DNS',
      '   fail DNS records point at the ingress load balancer',
      '     fail host stg.cocdev.co.kr',
    ]);
  });

  it('clears a notice at the next key but not at the next run event', () => {
    const noticed = stateAfter(finished, [{ type: 'notice', text: 'saved /tmp/r.md' }]);
    expect(
      stateAfter(finished, [{ type: 'notice', text: 'saved /tmp/r.md' }, { type: 'toggle-hints' }]),
    ).toMatchObject({
      notice: null,
      showHints: true,
    });
    expect(noticed.notice).toBe('saved /tmp/r.md');
  });

  it('toggles help and hints', () => {
    expect(stateAfter(finished, [{ type: 'toggle-help' }]).showHelp).toBe(true);
    expect(stateAfter(finished, [{ type: 'toggle-help' }, { type: 'toggle-help' }]).showHelp).toBe(false);
    expect(stateAfter(finished, [{ type: 'toggle-hints' }]).showHints).toBe(true);
  });

  it('uses the leaf counts of finished steps for the live summary', () => {
    expect(liveSummary(stateAfter(finished))).toEqual({ pass: 5, warn: 0, fail: 1, error: 0, skip: 0 });
    expect([RESOURCES, STORES].every((n) => n.status === 'pass')).toBe(true);
  });
});

describe('windowRows', () => {
  it('shows everything when the rows fit or there is no limit', () => {
    expect(windowRows([1, 1, 3], 2, 5)).toEqual({ start: 0, end: 3 });
    expect(windowRows([1, 1, 3], 2, undefined)).toEqual({ start: 0, end: 3 });
  });

  it('keeps the selected row in view, with context on both sides', () => {
    const heights = Array.from({ length: 20 }, () => 1);
    expect(windowRows(heights, 10, 5)).toEqual({ start: 8, end: 13 });
    expect(windowRows(heights, 0, 5)).toEqual({ start: 0, end: 5 });
    expect(windowRows(heights, 19, 5)).toEqual({ start: 15, end: 20 });
  });

  it('always includes a selected row taller than the space', () => {
    expect(windowRows([1, 9, 1], 1, 4)).toEqual({ start: 1, end: 2 });
  });
});
