import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { StepId } from '../../src/checks/result.js';
import type { RunProgress as RunEvent } from '../../src/ui/state.js';
import { DoctorApp, type DoctorCommands } from '../../src/ui/DoctorApp.js';
import type { DoctorAction } from '../../src/ui/state.js';
import { DNS_FAILING, RESOURCES, STORES, reportOf, runEvents } from './sample.js';
import type { ResultNode } from '../../src/checks/result.js';
import type { TimelineEntry } from '../../src/checks/timeline.js';

/** Commands that record what the app asked for; `send` plays engine events into the app. */
function recordingCommands() {
  let dispatch: (action: DoctorAction) => void = () => {};
  const asked: string[] = [];
  const commands: DoctorCommands = {
    connect(next) {
      dispatch = next;
      asked.push('connect');
      return () => asked.push('disconnect');
    },
    rerunStep: (step: StepId) => asked.push(`rerunStep ${step}`),
    rerunAll: () => asked.push('rerunAll'),
    save: () => asked.push('save'),
    copy: (command: string) => asked.push(`copy ${command}`),
    quit: () => asked.push('quit'),
  };
  const send = (events: RunEvent[], atMs = 1000) =>
    events.forEach((event) => dispatch({ type: 'run-event', event, atMs }));
  return { commands, asked, send, dispatch: (a: DoctorAction) => dispatch(a) };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 50));

async function app(events: RunEvent[] = runEvents()) {
  const recorder = recordingCommands();
  const ui = render(
    <DoctorApp
      commands={recorder.commands}
      unicode
      color={false}
      verbose={false}
      clock={() => 2_000}
      tickMs={0}
    />,
  );
  await tick();
  recorder.send(events);
  await tick();
  const press = async (input: string) => {
    ui.stdin.write(input);
    await tick();
  };
  return { ...recorder, ...ui, press };
}

describe('DoctorApp', () => {
  it('connects once and shows the finished run with Start here first and the cursor and hint on its cause', async () => {
    const { lastFrame, asked } = await app();
    expect(asked).toEqual(['connect']);
    expect(lastFrame()).toMatchInlineSnapshot(`
      "  ✖ Start here
      ›   ✖ host stg.cocdev.co.kr — resolves to 127.0.10.9, load balancer is 127.0.10.10
                [DNS_WRONG_TARGET]
              → Update the A record of stg.cocdev.co.kr to 127.0.10.10; it still points at an old address.
              $ dig +short stg.cocdev.co.kr
              $ kubectl get ingress -n plate-stg -o wide
        ✖ Ingress, certificates and DNS
          ✔ Ingresses are admitted and have an address (2 passed)  42ms
          ✖ DNS records point at the ingress load balancer  1.2s
            ✖ host stg.cocdev.co.kr — resolves to 127.0.10.9, load balancer is 127.0.10.10
            ✔ 2 passed
        ✔ Secrets from OpenBao (1 passed)

      platform doctor · context kind-demo · cluster demo · env stg
      1 failed · 5 passed (6) · 1.3s

      j/k move  h hints  r rerun  c copy  f failures  t time  s save  ? help  q quit"
    `);
  });
});

describe('DoctorApp keys', () => {
  it('moves the cursor with j and k, and opens the folded passes with Enter', async () => {
    const { lastFrame, press } = await app();
    for (let i = 0; i < 5; i++) await press('j');
    expect(lastFrame()).toContain('›     ✔ 2 passed');
    expect(lastFrame()).not.toContain('→ Update the A record');
    await press('\r');
    expect(lastFrame()!.split('\n').slice(6, 9)).toEqual([
      '›     ✔ 2 passed',
      '        ✔ host cocdev.co.kr — resolves to 127.0.10.10',
      '        ✔ host llm.cocdev.co.kr — resolves to 127.0.10.10',
    ]);
    await press('k');
    expect(lastFrame()).toContain('→ Update the A record');
  });

  it('shows only problems with f and everything again with a second f', async () => {
    const { lastFrame, press } = await app();
    await press('f');
    expect(lastFrame()).toMatchInlineSnapshot(`
      "  ✖ Start here
      ›   ✖ host stg.cocdev.co.kr — resolves to 127.0.10.9, load balancer is 127.0.10.10
                [DNS_WRONG_TARGET]
              → Update the A record of stg.cocdev.co.kr to 127.0.10.10; it still points at an old address.
              $ dig +short stg.cocdev.co.kr
              $ kubectl get ingress -n plate-stg -o wide
        ✖ Ingress, certificates and DNS
          ✖ DNS records point at the ingress load balancer  1.2s
            ✖ host stg.cocdev.co.kr — resolves to 127.0.10.9, load balancer is 127.0.10.10

      platform doctor · context kind-demo · cluster demo · env stg
      1 failed · 5 passed (6) · 1.3s · failures only

      j/k move  h hints  r rerun  c copy  f failures  t time  s save  ? help  q quit"
    `);
    await press('f');
    expect(lastFrame()).toContain('✔ Secrets from OpenBao (1 passed)');
  });

  it('shows hints under every problem with h, even away from the cursor', async () => {
    const { lastFrame, press } = await app();
    await press('k');
    await press('k');
    expect(lastFrame()).not.toContain('→ Update the A record');
    await press('h');
    expect(lastFrame()).toContain('→ Update the A record of stg.cocdev.co.kr to 127.0.10.10');
  });

  it('shows the key help with ? and goes back to the tree with ?', async () => {
    const { lastFrame, press } = await app();
    await press('?');
    expect(lastFrame()!.split('\n')[0]).toBe('Keys');
    expect(lastFrame()).toContain('r           rerun the selected step with fresh reads');
    await press('j');
    expect(lastFrame()!.split('\n')[0]).toBe('Keys');
    await press('?');
    expect(lastFrame()!.split('\n')[0]).toBe('  ✖ Start here');
  });

  it('asks to rerun the step under the cursor with r, and everything with R', async () => {
    const { asked, press } = await app();
    await press('r');
    await press('R');
    expect(asked).toEqual(['connect', 'rerunStep ingress.dns', 'rerunAll']);
  });

  it('explains instead of rerunning while checks are still running, or when a runbook is selected', async () => {
    const { asked, press, lastFrame, send } = await app(runEvents().slice(0, 3));
    await press('r');
    expect(lastFrame()!.split('\n').at(-2)).toBe('checks are still running; rerun when they finish');
    expect(lastFrame()!.split('\n').at(-3)).toBe('running 0/3 · 1.0s');
    send(runEvents().slice(3));
    await press('k');
    await press('k');
    await press('k');
    await press('r');
    expect(lastFrame()!.split('\n').at(-2)).toBe('select a step to rerun it, or press R to rerun everything');
    expect(lastFrame()!.split('\n').at(-1)).toMatch(/^j\/k move {2}h hints/);
    expect(asked).toEqual(['connect']);
  });

  it('saves with s once the run has finished, and shows the notice the commands send', async () => {
    const early = await app(runEvents().slice(0, 1));
    await early.press('s');
    expect(early.lastFrame()!.split('\n').at(-2)).toBe('the report can be saved once the run has finished');
    expect(early.asked).toEqual(['connect']);

    const { asked, press, dispatch, lastFrame } = await app();
    await press('s');
    dispatch({ type: 'notice', text: 'saved /work/platform-doctor-2025.md' });
    await tick();
    expect(asked).toEqual(['connect', 'save']);
    expect(lastFrame()!.split('\n').at(-2)).toBe('saved /work/platform-doctor-2025.md');
  });

  it('copies the selected command with c, and the next one with c again', async () => {
    const { asked, press, lastFrame } = await app();
    await press('c');
    await press('c');
    const copies = asked.filter((a) => a.startsWith('copy '));
    expect(copies).toHaveLength(2);
    expect(copies[0]).not.toBe(copies[1]);
    expect(lastFrame()!.split('\n').at(-2)).toMatch(/^copied \(2\/\d\): /);
  });

  it('quits with q and with Ctrl-C', async () => {
    const q = await app();
    await q.press('q');
    const ctrlC = await app();
    await ctrlC.press('\u0003');
    expect([q.asked, ctrlC.asked]).toEqual([
      ['connect', 'quit'],
      ['connect', 'quit'],
    ]);
  });
});

describe('DoctorApp arrow keys', () => {
  it('moves with ↓ and ↑, expands with →, and goes to the parent with ←', async () => {
    const { lastFrame, press } = await app();
    await press('\u001B[B');
    await press('\u001B[B');
    await press('\u001B[C');
    expect(lastFrame()!.split('\n').slice(3, 6)).toEqual([
      '›   ✔ Ingresses are admitted and have an address  42ms',
      '      ✔ Ingress plate-stg/plate-ingress — address 127.0.10.10',
      '      ✔ Ingress plate-prod/plate-ingress — address 127.0.10.10',
    ]);
    await press('\u001B[B');
    await press('\u001B[D');
    expect(lastFrame()!.split('\n')[3]).toBe('›   ✔ Ingresses are admitted and have an address  42ms');
    await press('\u001B[D');
    expect(lastFrame()!.split('\n')[3]).toBe(
      '›   ✔ Ingresses are admitted and have an address (2 passed)  42ms',
    );
  });
});

describe('DoctorApp: what changed', () => {
  const sync: TimelineEntry = {
    time: '2025-01-01T02:42:00.000Z',
    kind: 'argocd.sync',
    subject: 'Application argocd/ingress-stg',
    message: 'Argo CD synced ingress-stg to 4f2c1e9 (automated, took 12s)',
  };
  const timeline: TimelineEntry[] = [
    {
      time: '2025-01-01T02:58:00.000Z',
      kind: 'event.warning',
      subject: 'Pod plate-stg/api-1',
      message: 'BackOff: Back-off restarting failed container api (×12)',
    },
    {
      time: '2025-01-01T02:50:00.000Z',
      kind: 'externalsecret.refreshed',
      subject: 'ExternalSecret plate-stg/api-env',
      message: 'refreshed Secret api-env from SecretStore openbao',
    },
    sync,
  ];
  /** The sample run with a timeline, and the failing host started after the sync. */
  function eventsWithTimeline() {
    const mark = (node: ResultNode): ResultNode =>
      node.id === 'ingress.dns:stg.cocdev.co.kr'
        ? { ...node, after: sync }
        : { ...node, ...(node.children ? { children: node.children.map(mark) } : {}) };
    const dns = mark(DNS_FAILING);
    const events = runEvents(dns);
    const report = reportOf({ resources: RESOURCES, dns, stores: STORES });
    return [...events.slice(0, -1), { type: 'done' as const, report: { ...report, timeline } }];
  }

  it('names the change before the failure under the selected row', async () => {
    const { lastFrame } = await app(eventsWithTimeline());
    expect(lastFrame()!.split('\n').slice(1, 4)).toEqual([
      '›   ✖ host stg.cocdev.co.kr — resolves to 127.0.10.9, load balancer is 127.0.10.10',
      '        ↶ started after Argo CD synced ingress-stg to 4f2c1e9 (automated, took 12s) at 02:42 UTC',
      '          (18m before the run)',
    ]);
  });

  it('shows the timeline with t, scrolls it with j and k, and goes back to the tree with t', async () => {
    const { lastFrame, press } = await app(eventsWithTimeline());
    await press('t');
    expect(lastFrame()!.split('\n').slice(0, 5)).toEqual([
      'What changed (3 changes, newest first; times in UTC, "ago" counts back from the run)',
      '  02:58   2m ago  ✖ Pod plate-stg/api-1 — BackOff: Back-off restarting failed container api (×12)',
      // Cut to the 100 columns of the test terminal.
      '  02:50  10m ago  · ExternalSecret plate-stg/api-env — refreshed Secret api-env from SecretStore op…',
      '  02:42  18m ago  ● Application argocd/ingress-stg — Argo CD synced ingress-stg to 4f2c1e9 (automat…',
      'j/k scroll  t tree',
    ]);
    await press('j');
    expect(lastFrame()!.split('\n')[1]).toBe(
      '  02:50  10m ago  · ExternalSecret plate-stg/api-env — refreshed Secret api-env from SecretStore op…',
    );
    expect(lastFrame()).toContain('1 newer above · j/k scroll  t tree');
    for (let i = 0; i < 5; i++) await press('j');
    expect(lastFrame()!.split('\n')[1]).toContain('02:42  18m ago');
    await press('t');
    expect(lastFrame()!.split('\n')[0]).toBe('  ✖ Start here');
  });

  it('says so when the run changed nothing it could see', async () => {
    const { lastFrame, press } = await app();
    await press('t');
    expect(lastFrame()!.split('\n')[0]).toBe(
      'Nothing changed in the window of this run, in what it read (press t to go back).',
    );
  });
});
