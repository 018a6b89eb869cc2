import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findBinary } from '../support/require-binary.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const TMUX = findBinary('tmux');
if (!TMUX && process.env.CI === 'true') {
  throw new Error(
    'tmux is not installed; install the Debian package "tmux" (apt-get install tmux): the TTY test cannot run in CI without it',
  );
}
if (!TMUX) console.warn('skipping the TTY end-to-end test: tmux is not installed (apt-get install tmux)');

const SOCKET = `platform-doctor-e2e-${process.pid}`;
const tmux = (...args: string[]) => execFileSync(TMUX!, ['-L', SOCKET, ...args], { encoding: 'utf8' });
const screen = (session: string) => tmux('capture-pane', '-p', '-t', session);

/** Polls the pane until `matches` holds; fails with the last screen so a broken layout is visible. */
async function waitForScreen(
  matches: (text: string) => boolean,
  timeoutMs = 20_000,
  session = 'doctor',
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = screen(session);
    if (matches(text)) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect.fail(`the screen never matched; it showed:\n${text}`);
}

const lines = (text: string) => text.split('\n').map((l) => l.trimEnd());

afterAll(async () => {
  if (!TMUX) return;
  try {
    // After a failed assertion the doctor is still running: let it quit so its sandbox cleans up.
    for (const session of ['doctor', 'sealed']) {
      try {
        tmux('send-keys', '-t', session, 'q');
      } catch {
        // that session already ended
      }
    }
    await new Promise((r) => setTimeout(r, 1_000));
    tmux('kill-server');
  } catch {
    // the server already exited with its last session
  }
});

describe.skipIf(!TMUX)('platform doctor in a real terminal (tmux, 100x40)', () => {
  it(
    'shows the live tree, reacts to keys, and exits 2 for the dns-mismatch demo',
    { timeout: 60_000 },
    async () => {
      const exitFile = join(mkdtempSync(join(tmpdir(), 'doctor-tty-')), 'exit');
      // Ink renders only the last frame when it sees CI in the environment (is-in-ci); a person at a terminal has none.
      const command = `env -u CI -u CONTINUOUS_INTEGRATION LANG=C.UTF-8 node bin/platform.js doctor --demo dns-mismatch; echo EXIT=$? > ${exitFile}; sleep 60`;
      tmux('new-session', '-d', '-s', 'doctor', '-x', '100', '-y', '40', '-c', ROOT, command);

      const finished = await waitForScreen((text) =>
        /^1 failed · \d+ passed( · \d+ skipped)? \(\d+\) · [\d.]+m?s$/m.test(text),
      );
      const tree = lines(finished);
      // Start here comes first, its cause under the cursor with its code, hint and commands.
      expect(tree.slice(0, 4)).toEqual([
        '  ✖ Start here',
        '›   ✖ host stg.cocdev.co.kr — resolves to 127.0.10.9, load balancer is 127.0.10.10',
        '          [DNS_WRONG_TARGET]',
        '        → Update the A record of stg.cocdev.co.kr (TTL 300s) to 127.0.10.10.',
      ]);
      expect(
        tree[
          tree.indexOf(
            '      ✖ host stg.cocdev.co.kr — resolves to 127.0.10.9, load balancer is 127.0.10.10',
          ) - 1
        ],
      ).toMatch(/^ {4}✖ DNS records point at the ingress load balancer {2}[\d.]+m?s$/);
      expect(tree).toContain('      ✔ 2 passed');
      expect(tree).toContain('platform doctor · context sandbox-dns-mismatch · cluster sandbox-dns-mismatch');
      expect(tree).toContain(
        'j/k move  h hints  r rerun  c copy  f failures  t time  s save  ? help  q quit',
      );
      expect(tree.every((l) => l.length <= 100)).toBe(true);

      tmux('send-keys', '-t', 'doctor', 'j');
      const moved = await waitForScreen((text) => lines(text).includes('› ✖ Ingress, certificates and DNS'));
      expect(moved).not.toContain('→ Update the A record');

      tmux('send-keys', '-t', 'doctor', 'f');
      const failuresOnly = lines(await waitForScreen((text) => /· failures only$/m.test(text)));
      expect(failuresOnly.slice(0, 3)).toEqual([
        '  ✖ Start here',
        '    ✖ host stg.cocdev.co.kr — resolves to 127.0.10.9, load balancer is 127.0.10.10',
        '› ✖ Ingress, certificates and DNS',
      ]);
      expect(failuresOnly[3]).toMatch(/^ {4}✖ DNS records point at the ingress load balancer {2}[\d.]+m?s$/);
      expect(failuresOnly[4]).toBe(
        '      ✖ host stg.cocdev.co.kr — resolves to 127.0.10.9, load balancer is 127.0.10.10',
      );
      expect(failuresOnly[5]).toBe('');
      expect(failuresOnly.join('\n')).not.toContain('Secrets from OpenBao');

      tmux('send-keys', '-t', 'doctor', '?');
      const help = lines(await waitForScreen((text) => text.startsWith('Keys')));
      expect(help).toContain('  r           rerun the selected step with fresh reads');
      expect(help).toContain(
        '  t           what changed (the timeline), newest first; j/k scroll it; t again for the tree',
      );

      tmux('send-keys', '-t', 'doctor', '?');
      await waitForScreen((text) => text.startsWith('  ✖ Start here'));
      tmux('send-keys', '-t', 'doctor', 't');
      const changes = lines(await waitForScreen((text) => text.startsWith('What changed (')));
      expect(changes[0]).toMatch(
        /^What changed \(\d+ changes, newest first; times in UTC, "ago" counts back from the run\)$/,
      );
      expect(changes[1]).toMatch(
        /^ {2}\d\d:\d\d +\d+m ago {2}· ExternalSecret plate-\w+\/plate-[\w-]+ — refreshed Secret /,
      );
      expect(changes.every((l) => l.length <= 100)).toBe(true);

      tmux('send-keys', '-t', 'doctor', 'q');
      await waitForScreen(() => existsSync(exitFile) && readFileSync(exitFile, 'utf8') !== '');
      expect(readFileSync(exitFile, 'utf8')).toBe('EXIT=2\n');
    },
  );

  it(
    'opens on the Start here panel for a sealed OpenBao: the cause, what it explains, its hint and command',
    { timeout: 60_000 },
    async () => {
      const exitFile = join(mkdtempSync(join(tmpdir(), 'doctor-tty-')), 'exit');
      const command = `env -u CI -u CONTINUOUS_INTEGRATION LANG=C.UTF-8 node bin/platform.js doctor --demo openbao-sealed; echo EXIT=$? > ${exitFile}; sleep 60`;
      tmux('new-session', '-d', '-s', 'sealed', '-x', '100', '-y', '40', '-c', ROOT, command);

      const finished = lines(
        await waitForScreen(
          (text) => /^11 failed · \d+ passed · \d+ skipped \(\d+\) · [\d.]+m?s$/m.test(text),
          20_000,
          'sealed',
        ),
      );
      expect(finished[0]).toBe('  ✖ Start here');
      expect(finished[1]).toMatch(
        /^› {3}✖ OpenBao openbao\/openbao:8200 — sealed \(HTTP 503, version 2\.2\.0\);.*…$/,
      );
      const panel = finished.slice(2, finished.indexOf('  ✔ Ingress, certificates and DNS'));
      expect(panel).toContain('          explains 10 other failures');
      expect(panel.join('\n')).toContain(
        '        → Unseal OpenBao openbao/openbao:8200 with the unseal keys (bao operator unseal);',
      );
      expect(panel).toContain('        $ kubectl exec -n openbao svc/openbao -- bao status');
      expect(finished.every((l) => l.length <= 100)).toBe(true);

      tmux('send-keys', '-t', 'sealed', 'q');
      await waitForScreen(
        () => existsSync(exitFile) && readFileSync(exitFile, 'utf8') !== '',
        20_000,
        'sealed',
      );
      expect(readFileSync(exitFile, 'utf8')).toBe('EXIT=2\n');
    },
  );
});
