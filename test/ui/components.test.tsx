import { Box } from 'ink';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { Help, KEY_LINE } from '../../src/ui/Help.js';
import { ResultRow, type RowLook } from '../../src/ui/ResultRow.js';
import { ResultTree } from '../../src/ui/ResultTree.js';
import { cursorIndex, visibleRows, type Row } from '../../src/ui/state.js';
import { StatusBar } from '../../src/ui/StatusBar.js';
import { runEvents, stateAfter, TARGET } from './sample.js';

const look: RowLook = { unicode: true, color: false, width: 100, nowMs: 5_250 };
const finished = stateAfter(runEvents());
const rows = visibleRows(finished);
/** The failing leaf in the tree; rows 0 and 1 are Start here and its cause. */
const failing = rows[5]!;

describe('ResultRow', () => {
  it('shows the cursor, status glyph, subject and message of a failing leaf, then its hint and commands', () => {
    const { lastFrame } = render(<ResultRow row={failing} isSelected showDetails look={look} />);
    expect(lastFrame()).toMatchInlineSnapshot(`
      "›     ✖ host stg.cocdev.co.kr — resolves to 127.0.10.9, load balancer is 127.0.10.10
                  [DNS_WRONG_TARGET]
                → Update the A record of stg.cocdev.co.kr to 127.0.10.10; it still points at an old
                  address.
                $ dig +short stg.cocdev.co.kr
                $ kubectl get ingress -n plate-stg -o wide"
    `);
  });

  it('shows a collapsed passing step as one line with its count and duration', () => {
    const { lastFrame } = render(
      <ResultRow row={rows[3]!} isSelected={false} showDetails={false} look={look} />,
    );
    expect(lastFrame()).toBe('    ✔ Ingresses are admitted and have an address (2 passed)  42ms');
  });

  it('shows a running step with a spinner frame and the time since it started', () => {
    const running: Row = { ...rows[4]!, status: 'running', startedAtMs: 1_000, isExpandable: false };
    const { lastFrame } = render(
      <ResultRow row={running} isSelected={false} showDetails={false} look={look} />,
    );
    expect(lastFrame()).toBe('    ⠹ DNS records point at the ingress load balancer  4.3s');
  });

  it('draws a pending step and folded passes with glyphs, in ASCII when the terminal is not UTF-8', () => {
    const ascii = { ...look, unicode: false };
    const pending: Row = {
      key: 'secrets\tsecrets.stores',
      depth: 1,
      kind: 'node',
      status: 'pending',
      label: 'SecretStores are ready',
      isExpandable: false,
      isExpanded: false,
    };
    expect(render(<ResultRow row={pending} isSelected showDetails={false} look={ascii} />).lastFrame()).toBe(
      '>   . SecretStores are ready',
    );
    expect(
      render(<ResultRow row={rows[6]!} isSelected={false} showDetails={false} look={ascii} />).lastFrame(),
    ).toBe('      + 2 passed');
    expect(render(<ResultRow row={failing} isSelected showDetails look={ascii} />).lastFrame())
      .toMatchInlineSnapshot(`
        ">     x host stg.cocdev.co.kr - resolves to 127.0.10.9, load balancer is 127.0.10.10
                    [DNS_WRONG_TARGET]
                  -> Update the A record of stg.cocdev.co.kr to 127.0.10.10; it still points at an old
                     address.
                  $ dig +short stg.cocdev.co.kr
                  $ kubectl get ingress -n plate-stg -o wide"
      `);
  });

  it('cuts a long line with an ellipsis at the terminal width and repeats the whole message under it', () => {
    const narrow = { ...look, width: 60 };
    const { lastFrame } = render(
      <Box width={60}>
        <ResultRow row={failing} isSelected showDetails look={narrow} />
      </Box>,
    );
    expect(lastFrame()).toMatchInlineSnapshot(`
      "›     ✖ host stg.cocdev.co.kr — resolves to 127.0.10.9, loa…
                  resolves to 127.0.10.9, load balancer is
                  127.0.10.10
                  [DNS_WRONG_TARGET]
                → Update the A record of stg.cocdev.co.kr to
                  127.0.10.10; it still points at an old address.
                $ dig +short stg.cocdev.co.kr
                $ kubectl get ingress -n plate-stg -o wide"
    `);
    expect(
      lastFrame()!
        .split('\n')
        .every((line) => line.length <= 60),
    ).toBe(true);
  });
});

describe('ResultTree', () => {
  it('shows the hint only under the cursor unless hints are on for every problem', () => {
    const selected = cursorIndex(rows, finished.cursor);
    const withoutHints = render(
      <ResultTree rows={rows} selected={0} showHints={false} look={look} />,
    ).lastFrame();
    expect(withoutHints).toMatchInlineSnapshot(`
      "› ✖ Start here
          ✖ host stg.cocdev.co.kr — resolves to 127.0.10.9, load balancer is 127.0.10.10
        ✖ Ingress, certificates and DNS
          ✔ Ingresses are admitted and have an address (2 passed)  42ms
          ✖ DNS records point at the ingress load balancer  1.2s
            ✖ host stg.cocdev.co.kr — resolves to 127.0.10.9, load balancer is 127.0.10.10
            ✔ 2 passed
        ✔ Secrets from OpenBao (1 passed)"
    `);
    const atCursor = render(
      <ResultTree rows={rows} selected={selected} showHints={false} look={look} />,
    ).lastFrame();
    expect(atCursor).toMatchInlineSnapshot(`
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
        ✔ Secrets from OpenBao (1 passed)"
    `);
    const allHints = render(<ResultTree rows={rows} selected={0} showHints look={look} />).lastFrame();
    expect(allHints).toContain('→ Update the A record of stg.cocdev.co.kr');
    expect(allHints).toContain('$ dig +short stg.cocdev.co.kr');
  });

  it('scrolls to keep the cursor in view and says how many rows are above and below', () => {
    const verbose = visibleRows(stateAfter(runEvents(), [], true));
    const { lastFrame } = render(
      <ResultTree rows={verbose} selected={10} showHints={false} look={look} height={6} />,
    );
    expect(lastFrame()).toMatchInlineSnapshot(`
      "  ↑ 8 more
            ✔ host cocdev.co.kr — resolves to 127.0.10.10
            ✔ host llm.cocdev.co.kr — resolves to 127.0.10.10
      › ✔ Secrets from OpenBao
          ✔ SecretStores are ready  7ms
        ↓ 1 more"
    `);
  });
});

describe('StatusBar', () => {
  const base = {
    target: TARGET,
    summary: { pass: 5, warn: 0, fail: 1, error: 0, skip: 0 },
    progress: null,
    isStarting: false,
    elapsedMs: 1300,
    failuresOnly: false,
    showHints: false,
    nextRunInMs: null,
    notice: null,
    unicode: true,
    color: false,
  };

  it('names the target, leads the summary with failures and reminds of the keys', () => {
    expect(render(<StatusBar {...base} />).lastFrame()).toMatchInlineSnapshot(`
      "platform doctor · context kind-demo · cluster demo · env stg
      1 failed · 5 passed (6) · 1.3s

      j/k move  h hints  r rerun  c copy  f failures  t time  s save  ? help  q quit"
    `);
  });

  it('shows progress while running, the filter, the hints, the watch countdown, and a notice above the keys', () => {
    const frame = render(
      <StatusBar
        {...base}
        summary={{ pass: 2, warn: 0, fail: 0, error: 0, skip: 0 }}
        progress={{ finished: 1, total: 3 }}
        failuresOnly
        showHints
        nextRunInMs={41_200}
        notice="saved /tmp/platform-doctor.md"
      />,
    ).lastFrame();
    expect(frame).toMatchInlineSnapshot(`
      "platform doctor · context kind-demo · cluster demo · env stg
      running 1/3 · 2 passed (2) · 1.3s · failures only · hints shown · next run in 42s
      saved /tmp/platform-doctor.md
      j/k move  h hints  r rerun  c copy  f failures  t time  s save  ? help  q quit"
    `);
  });

  it('says only how long it has been running before any step has finished', () => {
    const frame = render(
      <StatusBar
        {...base}
        target={{ context: 'prod', cluster: null, env: null }}
        summary={{ pass: 0, warn: 0, fail: 0, error: 0, skip: 0 }}
        progress={{ finished: 0, total: 11 }}
        elapsedMs={300}
      />,
    ).lastFrame();
    expect(frame!.split('\n').slice(0, 2)).toEqual([
      'platform doctor · context prod',
      'running 0/11 · 300ms',
    ]);
  });

  it('says it is starting, not that nothing was checked, before the first run begins', () => {
    const frame = render(
      <StatusBar {...base} isStarting summary={{ pass: 0, warn: 0, fail: 0, error: 0, skip: 0 }} />,
    ).lastFrame();
    expect(frame!.split('\n')[1]).toBe('starting…');
  });

  it('keeps the key reminder within 80 columns', () => {
    expect(KEY_LINE).toBe('j/k move  h hints  r rerun  c copy  f failures  t time  s save  ? help  q quit');
    expect(KEY_LINE.length).toBeLessThanOrEqual(78);
  });
});

describe('Help', () => {
  it('lists every key with what it does', () => {
    expect(render(<Help unicode />).lastFrame()).toMatchInlineSnapshot(`
      "Keys
        ↑ ↓  j k    move the cursor
        → ←  enter  expand / collapse; ← on a leaf goes to its parent
        h           hints and commands under every problem, not only the cursor
        r           rerun the selected step with fresh reads
        R           rerun everything
        c           copy the selected command (again: the next one); printed again when you quit
        f           show only failures, errors and warnings
        t           what changed (the timeline), newest first; j/k scroll it; t again for the tree
        s           save a markdown report
        ?  esc      show / close this help
        q  ctrl-c   quit (the exit code is the last run's)"
    `);
  });
});
