import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Report, ResultNode } from '../../src/checks/result.js';
import { listScenarios, loadScenario } from '../../src/sandbox/load.js';
import { canariesOf } from '../support/canaries.js';
import { runCli } from '../support/run-cli.js';

const scenarios = await listScenarios();

/** The tree without timings: what a replay must reproduce exactly. */
function judged(nodes: readonly ResultNode[]): unknown[] {
  return nodes.map(({ durationMs: _durationMs, children, ...rest }) => ({
    ...rest,
    ...(children ? { children: judged(children) } : {}),
  }));
}

/** Runs `--demo NAME` writing a snapshot, then replays it; both reports and the snapshot's text. */
async function recordAndReplay(name: string) {
  const dir = mkdtempSync(join(tmpdir(), `pd-snapshot-${name}-`));
  const file = join(dir, `${name}.snap`);
  const live = await runCli(['doctor', '--demo', name, '-o', 'json', '--snapshot', file]);
  const replayed = await runCli(['doctor', '--from', file, '-o', 'json']);
  return {
    live,
    replayed,
    liveReport: JSON.parse(live.stdout) as Report,
    replayedReport: JSON.parse(replayed.stdout) as Report,
    snapshotText: gunzipSync(readFileSync(file)).toString('utf8'),
  };
}

describe('platform doctor --snapshot, then --from', () => {
  it.each(scenarios.map((s) => s.name))(
    '%s: the replay gives the same statuses, messages, causes and timeline, and the snapshot holds no planted secret',
    async (name) => {
      const scenario = await loadScenario(name);
      const { live, replayed, liveReport, replayedReport, snapshotText } = await recordAndReplay(name);

      expect(replayed.exitCode).toBe(live.exitCode);
      expect(live.exitCode).toBe(scenario.expect!.exitCode);
      expect(judged(replayedReport.runbooks)).toEqual(judged(liveReport.runbooks));
      expect(replayedReport.causes).toEqual(liveReport.causes);
      expect(replayedReport.summary).toEqual(liveReport.summary);
      // The replay runs on the recorded clock, so it also says the same about what changed and when.
      expect(replayedReport.startedAt).toBe(liveReport.startedAt);
      expect(replayedReport.timeline).toEqual(liveReport.timeline);
      expect(replayedReport.target).toEqual(liveReport.target);
      expect(replayed.stderr).toBe('');

      const canaries = canariesOf(scenario);
      expect(canaries.length).toBeGreaterThanOrEqual(4);
      for (const canary of canaries) {
        expect(snapshotText.includes(canary), `canary ${canary.slice(0, 6)}… in the snapshot`).toBe(false);
      }
      const snapshot = JSON.parse(snapshotText) as {
        formatVersion: number;
        doctorVersion: string;
        report: Report;
      };
      expect(snapshot.formatVersion).toBe(1);
      expect(snapshot.doctorVersion).toBe(liveReport.tool.version);
      expect(snapshot.report).toEqual(liveReport);
    },
    60_000,
  );
});

describe('what changed in the demo scenarios', () => {
  /** The entries about `subjects`, as `kind: message`, newest first. */
  const about = (report: Report, subjects: string[]) =>
    (report.timeline ?? []).filter((e) => subjects.includes(e.subject)).map((e) => `${e.kind}: ${e.message}`);

  it('argocd-degraded: the failed sync after the last good one, its conditions, events and health, in order', async () => {
    const run = await runCli(['doctor', '--demo', 'argocd-degraded', '-o', 'json']);
    const report = JSON.parse(run.stdout) as Report;
    const failure =
      'one or more objects failed to apply, reason: Deployment.apps "plate-api-stg" is invalid: spec.template.spec.containers[0].image: Required value';
    expect(about(report, ['Application argocd/plate-api-stg'])).toEqual([
      'argocd.unhealthy: health became Degraded: Deployment "plate-api-stg" exceeded its progress deadline',
      `argocd.condition: SyncError: Failed last sync attempt to [7b21e4c9d0a3f58e6c1b9d2a4f7e0c3b5a8d6e91]: ${failure}`,
      `argocd.sync-failed: Argo CD sync of plate-api-stg to 7b21e4c failed: ${failure} (retried 5 times)`,
      `event.warning: OperationCompleted: Sync operation to 7b21e4c9d0a3f58e6c1b9d2a4f7e0c3b5a8d6e91 failed: ${failure}`,
      'argocd.condition: ComparisonError: Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unavailable desc = error reading from server: EOF',
      // The sync of 26 hours ago is outside the default 24h window.
      'argocd.sync: Argo CD synced plate-api-stg to 4f2c1e9 (automated, took 60s)',
    ]);
    const app = report.runbooks
      .flatMap((r) => r.children ?? [])
      .flatMap((s) => s.children ?? [])
      .find((l) => l.id === 'gitops.applications:argocd/plate-api-stg')!;
    expect(app.after).toMatchObject({
      kind: 'argocd.sync-failed',
      subject: 'Application argocd/plate-api-stg',
    });
    expect(run.stdout).not.toContain('9d0e1f2');
  });

  it('argocd-degraded with --since 2h: only what happened in the last two hours', async () => {
    const run = await runCli(['doctor', '--demo', 'argocd-degraded', '-o', 'json', '--since', '2h']);
    const report = JSON.parse(run.stdout) as Report;
    expect(about(report, ['Application argocd/plate-api-stg']).map((e) => e.split(':')[0])).toEqual([
      'argocd.unhealthy',
      'argocd.condition',
      'argocd.sync-failed',
      'event.warning',
      'argocd.condition',
    ]);
  });

  it('backend-no-endpoints: the sync and the rollout of the crash-looping pod, then its start, crash and back-off', async () => {
    const run = await runCli(['doctor', '--demo', 'backend-no-endpoints', '-o', 'json']);
    const report = JSON.parse(run.stdout) as Report;
    const pod = 'Pod plate-prod/plate-api-prod-5f7b9c4d8-q8w3n';
    const deployment = 'Deployment plate-prod/plate-api-prod';
    expect(about(report, ['Application argocd/plate-api-prod', deployment, pod])).toEqual([
      'event.warning: BackOff: Back-off restarting failed container api in pod plate-api-prod-5f7b9c4d8-q8w3n_plate-prod(0d000000-0000-4000-8000-000000000004) (×212)',
      'pod.crashed: container api exited with code 1 (Error); now CrashLoopBackOff, 14 restarts',
      'argocd.unhealthy: health became Degraded: Deployment "plate-api-prod" exceeded its progress deadline',
      'deployment.scaled-up: Scaled up replica set plate-api-prod-5f7b9c4d8 to 1 from 0',
      'pod.started: pod started',
      'argocd.sync: Argo CD synced plate-api-prod to a91c3d7 (automated, took 60s)',
    ]);
    // The failing Service and the 503 it causes both name the rollout of its pods before them; the
    // Application names its own sync.
    const leaves = report.runbooks
      .flatMap((r) => r.children ?? [])
      .flatMap((s) => s.children ?? [])
      .flatMap((g) => g.children ?? [g]);
    const after = (id: string) => leaves.find((l) => l.id === id)?.after?.message;
    expect(after('ingress.resources:plate-prod/plate-ingress/backend/plate-api-prod:80')).toBe(
      'Scaled up replica set plate-api-prod-5f7b9c4d8 to 1 from 0',
    );
    expect(after('ingress.https:cocdev.co.kr/api')).toBe(
      'Scaled up replica set plate-api-prod-5f7b9c4d8 to 1 from 0',
    );
  });

  it('backend-no-endpoints: the plain tree leads with the cause, names the rollout before it and lists what changed', async () => {
    const run = await runCli(['doctor', '--demo', 'backend-no-endpoints']);
    const lines = run.stdout.split('\n');
    const cause = lines.indexOf(
      '  ✖ Service plate-prod/plate-api-prod — no ready endpoints (1 not ready) [BACKEND_NO_READY_ENDPOINTS]',
    );
    expect(cause).toBeGreaterThan(0);
    expect(lines[cause + 2]).toMatch(
      /^ {6}↶ started after Deployment plate-prod\/plate-api-prod: Scaled up replica set plate-api-prod-5f7b9c4d8 to 1 from 0 at \d\d:\d\d UTC \(51m before the run\)$/,
    );
    const heading = lines.findIndex((l) => l.startsWith('What changed ('));
    expect(lines[heading]).toBe(
      'What changed (9 changes, newest first; times in UTC, "ago" counts back from the run)',
    );
    expect(lines.slice(heading + 1, heading + 3)).toEqual([
      expect.stringMatching(
        /^ {2}\d\d:\d\d {3}1m ago {2}✖ Pod plate-prod\/plate-api-prod-5f7b9c4d8-q8w3n — BackOff: /,
      ),
      expect.stringMatching(
        /^ {2}\d\d:\d\d {3}4m ago {2}✖ Pod plate-prod\/plate-api-prod-5f7b9c4d8-q8w3n — container api exited/,
      ),
    ]);
  });
});
