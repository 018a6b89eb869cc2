import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Report } from '../checks/result.js';
import type { Scope } from '../checks/step.js';
import { resolveProfile, type Profile } from '../config/schema.js';
import type { CommandTarget } from '../engine/commands.js';
import {
  SNAPSHOT_FORMAT,
  SNAPSHOT_FORMAT_VERSION,
  SnapshotError,
  decodeSnapshot,
  encodeSnapshot,
  type RecordedRun,
  type Snapshot,
} from '../engine/snapshot.js';
import { ConfigError } from '../config/load.js';
import { errorMessage } from '../gateways/errors.js';
import { redactDeep } from '../gateways/redact.js';
import type { Recorder } from '../gateways/recording.js';
import { replayGateways, type Replay } from '../gateways/replay.js';
import { displayable } from '../text.js';
import type { CliIO } from './io.js';
import { writeFileAtomically } from './report-file.js';

/** Reads and checks a `--from` file; every way it can be unusable is one SnapshotError (exit 3). */
export async function readSnapshotFile(file: string, io: CliIO, doctorVersion: string): Promise<Snapshot> {
  let bytes: Buffer;
  try {
    bytes = await readFile(resolve(io.cwd, file));
  } catch (error) {
    throw new SnapshotError(`cannot read ${file}: ${errorMessage(error)}`);
  }
  return decodeSnapshot(bytes, file, doctorVersion);
}

/** Writes `--snapshot FILE` (owner-readable only: it holds the cluster's objects) and says so on stderr. */
export async function writeSnapshotFile(
  file: string,
  io: CliIO,
  content: { recorder: Recorder; run: RecordedRun; report: Report; doctorVersion: string },
): Promise<void> {
  const snapshot: Snapshot = {
    format: SNAPSHOT_FORMAT,
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    doctorVersion: content.doctorVersion,
    recordedAt: content.report.startedAt,
    // The run's scope may hold a URL with a password (an OpenBao address): redacted like every answer.
    run: redactDeep(content.run) as RecordedRun,
    answers: content.recorder.recordedAnswers(),
    report: redactDeep(content.report) as Report,
  };
  const bytes = encodeSnapshot(snapshot);
  try {
    await writeFileAtomically(resolve(io.cwd, file), bytes, 0o600);
  } catch (error) {
    throw new ConfigError(`cannot write the snapshot ${file}: ${errorMessage(error)}`);
  }
  const size = bytes.length < 10_240 ? `${bytes.length} bytes` : `${Math.round(bytes.length / 1024)} KB`;
  io.stderr.write(
    `platform: wrote ${displayable(file, 1024)} (snapshot of ${snapshot.answers.length} answers, ${size})\n`,
  );
}

/** What a run looked at, as a snapshot records it: the scope with its token named, never kept. */
export function recordedRun(parts: {
  steps: RecordedRun['steps'];
  target: Report['target'];
  commandTarget: CommandTarget;
  recorder: Recorder;
  kube: RecordedRun['kubeTarget'];
  dnsResolvers: readonly string[];
  sinceMs: number;
  scope: Scope;
}): RecordedRun {
  const { scope } = parts;
  return {
    steps: [...parts.steps],
    target: parts.target,
    commandFlags: [...parts.commandTarget.flags],
    kubeTarget: parts.kube,
    dnsResolvers: [...parts.dnsResolvers],
    sinceMs: parts.sinceMs,
    scope: {
      ...scope,
      profile: { ...scope.profile },
      openbaoToken: scope.openbaoToken ? parts.recorder.tokens.of(scope.openbaoToken) : null,
    },
  };
}

/** The gateways, scope, target and clock of a replay of `snapshot`. */
export function replayTarget(snapshot: Snapshot): {
  replay: Replay;
  scope: Scope;
  target: Report['target'];
  commandTarget: CommandTarget;
  now: () => Date;
} {
  const { run } = snapshot;
  const replay = replayGateways({
    answers: snapshot.answers,
    kubeTarget: run.kubeTarget,
    dnsResolvers: run.dnsResolvers,
  });
  const scope: Scope = {
    ...run.scope,
    profile: recordedProfile(run.scope.profile),
    openbaoToken: run.scope.openbaoToken ? replay.standIn(run.scope.openbaoToken.holder) : null,
  };
  const recordedAt = new Date(snapshot.recordedAt);
  return {
    replay,
    scope,
    target: run.target,
    commandTarget: { flags: run.commandFlags },
    now: () => new Date(recordedAt),
  };
}

/** The recorded profile over today's defaults: a field an older doctor did not write reads as its default. */
function recordedProfile(recorded: Record<string, unknown>): Profile {
  return { ...resolveProfile(null, undefined, undefined), ...recorded } as Profile;
}
