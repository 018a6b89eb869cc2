import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  SNAPSHOT_FORMAT,
  SNAPSHOT_FORMAT_VERSION,
  SnapshotError,
  decodeSnapshot,
  encodeSnapshot,
  type Snapshot,
} from '../../src/engine/snapshot.js';
import { resolveProfile } from '../../src/config/schema.js';
import { FAKE_TARGET } from '../fakes/gateways.js';

const snapshot: Snapshot = {
  format: SNAPSHOT_FORMAT,
  formatVersion: SNAPSHOT_FORMAT_VERSION,
  doctorVersion: '0.1.0',
  recordedAt: '2026-11-26T14:20:00.000Z',
  run: {
    steps: ['ingress.dns'],
    target: { context: 'prod', cluster: 'prod', env: 'prod' },
    commandFlags: ['--context', 'prod'],
    kubeTarget: FAKE_TARGET,
    dnsResolvers: ['127.0.0.53:53'],
    sinceMs: 86_400_000,
    scope: {
      profile: { ...resolveProfile('prod', undefined, undefined) },
      namespaces: null,
      readSecrets: true,
      ports: { http: 80, https: 443 },
      openbaoAddress: null,
      openbaoCaPem: null,
      openbaoToken: { holder: 'BAO_TOKEN' },
    },
  },
  answers: [{ system: 'dns', call: 'resolve', args: ['cocdev.co.kr'], value: [] }],
  report: {
    schemaVersion: 1,
    tool: { name: 'platform-doctor', version: '0.1.0' },
    startedAt: '2026-11-26T14:20:00.000Z',
    durationMs: 12,
    target: { context: 'prod', cluster: 'prod', env: 'prod' },
    status: 'pass',
    summary: { pass: 0, warn: 0, fail: 0, error: 0, skip: 0 },
    runbooks: [],
  },
};

const decode = (bytes: Buffer) => decodeSnapshot(bytes, 'incident.snap', '0.1.0');
const failure = (bytes: Buffer) => {
  try {
    decode(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(SnapshotError);
    return (error as Error).message;
  }
  throw new Error('decoded a snapshot that should have been refused');
};
const gz = (value: unknown) => gzipSync(typeof value === 'string' ? value : JSON.stringify(value));

describe('the snapshot format', () => {
  it('reads back what it wrote, as gzip-compressed JSON naming its format and version', () => {
    const bytes = encodeSnapshot(snapshot);
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(decode(bytes)).toEqual(snapshot);
  });

  it.each([
    [
      'not gzip',
      Buffer.from('{"format":"platform-doctor-snapshot"}'),
      /^incident\.snap is not a platform doctor snapshot: it is not gzip-compressed \(/,
    ],
    [
      'truncated',
      encodeSnapshot(snapshot).subarray(0, 60),
      /^incident\.snap is truncated: its compressed data ends early$/,
    ],
    [
      'not JSON',
      gz('{"format": "platform-doctor-snapshot", '),
      /^incident\.snap is corrupt: its content is not JSON$/,
    ],
    [
      'JSON of something else',
      gz({ kind: 'List', items: [] }),
      /^incident\.snap is not a platform doctor snapshot \(no "format": "platform-doctor-snapshot"\)$/,
    ],
    ['a report, not a snapshot', gz(snapshot.report), /^incident\.snap is not a platform doctor snapshot/],
    [
      'a field that does not fit',
      gz({ ...snapshot, answers: [{ system: 'ldap', call: 'bind', args: [] }] }),
      /^incident\.snap is corrupt: answers\.0\.system: /,
    ],
  ])('refuses a file that is %s with one clear message', (_what, bytes, message) => {
    expect(failure(bytes)).toMatch(message);
  });

  it('refuses a newer format by name, saying who wrote it and what to do', () => {
    const newer = gz({ ...snapshot, formatVersion: 2, doctorVersion: '0.9.0', answers: 'in another shape' });
    expect(failure(newer)).toBe(
      'incident.snap is in snapshot format 2, written by platform doctor 0.9.0; this doctor (0.1.0) reads format 1 and older: upgrade platform doctor to replay it',
    );
  });

  it('keeps a recorded report with fields a newer doctor added, since it is only kept for the record', () => {
    const withMore = { ...snapshot, report: { ...snapshot.report, somethingNew: [1, 2] } };
    expect(decode(gz(withMore)).report).toEqual(withMore.report);
  });

  it('tells people where to look next', () => {
    expect(new SnapshotError('x').tryLine).toBe(
      'try: platform doctor --from FILE, where FILE was written by platform doctor --snapshot FILE',
    );
  });
});
