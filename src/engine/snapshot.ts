/**
 * The `--snapshot FILE` format: one gzip-compressed JSON document with every answer a run's gateways got
 * (see gateways/recording.ts for what is and is never kept), what the run looked at, and its report.
 * `platform doctor --from FILE` replays it (gateways/replay.ts); `platform sandbox up --from FILE` serves it.
 *
 * The document names its format and version. Within a version fields are only added; a snapshot of a newer
 * version is refused by name, so an old doctor never misreads a new file.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import type { Report, StepId } from '../checks/result.js';
import type { Scope } from '../checks/step.js';
import { GATEWAY_ERROR_KINDS, UserError, errorMessage } from '../gateways/errors.js';
import type { RecordedAnswer, TokenHolder } from '../gateways/recording.js';
import type { KubeTarget } from '../gateways/types.js';

export const SNAPSHOT_FORMAT = 'platform-doctor-snapshot';
/** The snapshot format this doctor writes, and the newest it reads. */
export const SNAPSHOT_FORMAT_VERSION = 1;
/** Most bytes a snapshot may inflate to: far above a real platform's, and no gzip bomb gets past it. */
const MAX_INFLATED_BYTES = 1 << 30;

/** What a run looked at, so a replay asks the same questions: the scope without its token, and the target. */
export interface RecordedRun {
  steps: StepId[];
  target: Report['target'];
  /** The kubectl flags printed commands carry (`--kubeconfig`, `--context`). */
  commandFlags: string[];
  kubeTarget: KubeTarget;
  dnsResolvers: string[];
  /** The `--since` window of the recorded run, in milliseconds. */
  sinceMs: number;
  /** The scope without its token (named by holder instead); the profile as written, newer fields included. */
  scope: Omit<Scope, 'openbaoToken' | 'profile'> & {
    profile: Record<string, unknown>;
    openbaoToken: TokenHolder | null;
  };
}

export interface Snapshot {
  format: typeof SNAPSHOT_FORMAT;
  formatVersion: number;
  /** The version of platform doctor that wrote it. */
  doctorVersion: string;
  /** The recorded run's clock: its report's `startedAt`; a replay evaluates at this time. */
  recordedAt: string;
  run: RecordedRun;
  answers: RecordedAnswer[];
  report: Report;
}

/** A `--from` file the doctor cannot use: one line for people, exit 3. */
export class SnapshotError extends UserError {
  override readonly name = 'SnapshotError';

  override get tryLine(): string {
    return 'try: platform doctor --from FILE, where FILE was written by platform doctor --snapshot FILE';
  }
}

const holderSchema = z.object({ holder: z.string(), key: z.string().optional() });

const answerSchema = z.object({
  system: z.enum(['kubernetes', 'openbao', 'dns', 'http']),
  call: z.string(),
  args: z.array(z.unknown()),
  value: z.unknown().optional(),
  error: z
    .object({
      kind: z.enum(GATEWAY_ERROR_KINDS),
      message: z.string(),
      permission: z.string().optional(),
      httpStatus: z.number().optional(),
    })
    .optional(),
  about: z.string().optional(),
});

const runSchema = z.object({
  steps: z.array(z.string()),
  target: z.object({
    context: z.string().nullable(),
    cluster: z.string().nullable(),
    env: z.string().nullable(),
  }),
  commandFlags: z.array(z.string()),
  kubeTarget: z.object({
    context: z.string().nullable(),
    cluster: z.string().nullable(),
    server: z.string(),
    user: z.string().nullable(),
    namespace: z.string().nullable(),
    inCluster: z.boolean(),
  }),
  dnsResolvers: z.array(z.string()),
  sinceMs: z.number().int().positive(),
  scope: z.object({
    // Checked field by field where a step reads it; a profile of a newer doctor may hold more.
    profile: z.record(z.string(), z.unknown()),
    namespaces: z.array(z.string()).nullable(),
    readSecrets: z.boolean(),
    ports: z.object({ http: z.number().int(), https: z.number().int() }),
    openbaoAddress: z.string().nullable(),
    openbaoCaPem: z.string().nullable(),
    openbaoToken: holderSchema.nullable(),
  }),
});

const snapshotSchema = z.object({
  format: z.literal(SNAPSHOT_FORMAT),
  formatVersion: z.literal(SNAPSHOT_FORMAT_VERSION),
  doctorVersion: z.string(),
  recordedAt: z.iso.datetime(),
  run: runSchema,
  answers: z.array(answerSchema),
  // Kept for the record, not replayed: a newer doctor's report may hold fields this one does not know.
  report: z.looseObject({ schemaVersion: z.number(), startedAt: z.string() }),
});

/** The snapshot as file bytes: gzip-compressed JSON. */
export function encodeSnapshot(snapshot: Snapshot): Buffer {
  return gzipSync(JSON.stringify(snapshot));
}

/**
 * Reads a snapshot's bytes; `name` is the file as the user gave it. Anything that is not a whole snapshot of
 * a format this doctor reads is a SnapshotError that says which: not gzip, truncated, not JSON, not a
 * snapshot, a newer format, or a field that does not fit.
 */
export function decodeSnapshot(bytes: Buffer, name: string, doctorVersion: string): Snapshot {
  let text: string;
  try {
    text = gunzipSync(bytes, { maxOutputLength: MAX_INFLATED_BYTES }).toString('utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'Z_BUF_ERROR' || /unexpected end/i.test(errorMessage(error))) {
      throw new SnapshotError(`${name} is truncated: its compressed data ends early`);
    }
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw new SnapshotError(`${name} inflates to more than ${MAX_INFLATED_BYTES >> 20} MB; not reading it`);
    }
    throw new SnapshotError(
      `${name} is not a platform doctor snapshot: it is not gzip-compressed (${errorMessage(error)})`,
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new SnapshotError(`${name} is corrupt: its content is not JSON`);
  }
  const head = z
    .object({ format: z.string(), formatVersion: z.number(), doctorVersion: z.string().optional() })
    .safeParse(document);
  if (!head.success || head.data.format !== SNAPSHOT_FORMAT) {
    throw new SnapshotError(`${name} is not a platform doctor snapshot (no "format": "${SNAPSHOT_FORMAT}")`);
  }
  const { formatVersion, doctorVersion: writer } = head.data;
  if (formatVersion > SNAPSHOT_FORMAT_VERSION) {
    throw new SnapshotError(
      `${name} is in snapshot format ${formatVersion}, written by platform doctor ${writer ?? '(unknown version)'}; ` +
        `this doctor (${doctorVersion}) reads format ${SNAPSHOT_FORMAT_VERSION} and older: upgrade platform doctor to replay it`,
    );
  }
  const parsed = snapshotSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.map(String).join('.') || '(top level)';
    throw new SnapshotError(`${name} is corrupt: ${where}: ${issue.message}`);
  }
  return parsed.data as Snapshot;
}
