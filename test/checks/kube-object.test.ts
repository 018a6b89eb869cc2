import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/gateways/types.js';
import {
  array,
  at,
  conditionOf,
  count,
  isOwnedBy,
  latestWarning,
  lookup,
  nonEmptyString,
  number,
  record,
  records,
  string,
  stringArray,
  stringRecord,
  timestamp,
} from '../../src/checks/kube-object.js';

const obj = (fields: Partial<KubeObject> & Record<string, unknown>, name = 'web'): KubeObject => ({
  metadata: { name, namespace: 'plate-stg' },
  ...fields,
});

/** JSON values as an API server may send them, including keys that collide with Object.prototype. */
const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(JSON.parse('{"__proto__": {"polluted": 1}}'), { constructor: 'x', toString: 1 }, [[null]]),
);

describe('kube-object readers', () => {
  it.each([
    ['an object', { a: 1 }, { a: 1 }],
    ['null', null, null],
    ['an array', [1], null],
    ['a string', 'x', null],
    ['a number', 3, null],
  ])('record() reads %s', (_, value, expected) => expect(record(value)).toEqual(expected));

  it('at() follows own fields only, so prototype members read as absent', () => {
    const spec = { rules: [{ host: 'a' }], issuerRef: { name: 'le' } };
    expect(at(spec, 'issuerRef', 'name')).toBe('le');
    expect(at(spec, 'rules', '0')).toBeUndefined();
    expect(at(spec, 'constructor')).toBeUndefined();
    expect(at('text', 'length')).toBeUndefined();
    expect(at(null, 'a')).toBeUndefined();
  });

  it('reads lists, strings, numbers and records, dropping what has the wrong shape', () => {
    expect(array('abc')).toEqual([]);
    expect(records([{ a: 1 }, null, 'x', [1], { b: 2 }])).toEqual([{ a: 1 }, { b: 2 }]);
    expect([string(''), string(5), nonEmptyString(''), nonEmptyString('x')]).toEqual(['', null, null, 'x']);
    expect([number(1.5), number(Infinity), number('1')]).toEqual([1.5, null, null]);
    expect([count(3), count(-1), count(1.5), count('3')]).toEqual([3, null, null, null]);
    expect(stringArray(['a', '', 3, null, 'b'])).toEqual(['a', 'b']);
    expect(stringArray('a')).toEqual([]);
    expect(stringRecord({ app: 'web', n: 1, o: {} })).toEqual({ app: 'web' });
    expect([timestamp('2026-03-01T00:00:00Z'), timestamp('yesterday'), timestamp(0)]).toEqual([
      '2026-03-01T00:00:00Z',
      null,
      null,
    ]);
  });

  it('lookup() finds own keys only', () => {
    const table = { SyncError: 'sync-failed' };
    expect(lookup(table, 'SyncError')).toBe('sync-failed');
    expect(lookup(table, 'constructor')).toBeUndefined();
    expect(lookup(table, '__proto__')).toBeUndefined();
  });

  it('stringRecord() keeps a `__proto__` key as a plain field', () => {
    const out = stringRecord(JSON.parse('{"__proto__": "x", "app": "web"}'));
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out).sort()).toEqual(['__proto__', 'app']);
  });

  it('never throws, whatever JSON value it is given', () => {
    fc.assert(
      fc.property(anyJson, fc.string(), (value, key) => {
        record(value);
        at(value, key, 'status', 'conditions');
        expect(Array.isArray(array(value))).toBe(true);
        expect(records(value).every((r) => record(r) !== null)).toBe(true);
        expect(stringArray(value).every((s) => typeof s === 'string' && s !== '')).toBe(true);
        expect(Object.values(stringRecord(value)).every((s) => typeof s === 'string')).toBe(true);
        for (const read of [string, nonEmptyString, timestamp])
          expect([null, 'string']).toContain(read(value) === null ? null : typeof read(value));
        const c = conditionOf(obj({ status: value }), key);
        if (c) expect(['True', 'False', 'Unknown']).toContain(c.status);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('conditionOf', () => {
  it.each([
    [
      'a Ready condition',
      [{ type: 'Ready', status: 'True', reason: 'Valid', message: 'ok' }],
      { status: 'True', reason: 'Valid', message: 'ok' },
    ],
    [
      'the first of two',
      [
        { type: 'Ready', status: 'False' },
        { type: 'Ready', status: 'True' },
      ],
      { status: 'False', reason: null, message: null },
    ],
    [
      'a status it does not know as Unknown',
      [{ type: 'Ready', status: 'Maybe' }],
      { status: 'Unknown', reason: null, message: null },
    ],
    [
      'empty reason and message as absent',
      [{ type: 'Ready', status: 'False', reason: '', message: '' }],
      { status: 'False', reason: null, message: null },
    ],
    [
      'garbage entries around the condition',
      [null, 'Ready', 3, { type: 'Ready', status: 'True', reason: 7 }],
      { status: 'True', reason: null, message: null },
    ],
    ['no Ready condition', [{ type: 'Issuing', status: 'True' }], null],
    ['conditions that are a string', 'Ready', null],
    ['conditions that are an object', { type: 'Ready', status: 'True' }, null],
  ])('reads %s', (_, conditions, expected) => {
    expect(conditionOf(obj({ status: { conditions } }), 'Ready')).toEqual(expected);
  });

  it('reads a status that is not an object as no conditions', () => {
    expect(conditionOf(obj({ status: 'Ready' }), 'Ready')).toBeNull();
    expect(conditionOf(obj({ status: null }), 'Ready')).toBeNull();
  });
});

describe('isOwnedBy', () => {
  const cert = obj({}, 'web');
  const withUid: KubeObject = { metadata: { ...cert.metadata, uid: 'u1' } };
  const owned = (refs: { kind: string; name: string; uid: string }[]): KubeObject => ({
    metadata: { name: 'web-1', ownerReferences: refs.map((r) => ({ apiVersion: 'v1', ...r })) },
  });
  it('matches by uid when the owner has one, else by name', () => {
    expect(
      isOwnedBy(owned([{ kind: 'Certificate', name: 'other', uid: 'u1' }]), 'Certificate', withUid),
    ).toBe(true);
    expect(isOwnedBy(owned([{ kind: 'Certificate', name: 'web', uid: 'u2' }]), 'Certificate', withUid)).toBe(
      false,
    );
    expect(isOwnedBy(owned([{ kind: 'Certificate', name: 'web', uid: 'u2' }]), 'Certificate', cert)).toBe(
      true,
    );
    expect(isOwnedBy(owned([{ kind: 'Order', name: 'web', uid: 'u2' }]), 'Certificate', cert)).toBe(false);
  });
});

describe('latestWarning', () => {
  const store = { kind: 'SecretStore', name: 'openbao', namespace: 'plate-stg' };
  const warning = (fields: Record<string, unknown>, name = 'e'): KubeObject =>
    obj(
      {
        type: 'Warning',
        involvedObject: { kind: 'SecretStore', name: 'openbao', namespace: 'plate-stg' },
        ...fields,
      },
      name,
    );

  it('skips events whose fields have the wrong shape, and keeps the newest that is right', () => {
    const events = [
      warning({ involvedObject: 'SecretStore/openbao' }, 'a'),
      warning({ type: ['Warning'] }, 'b'),
      warning(
        { reason: 'ValidationFailed', message: 'old\nerror', lastTimestamp: '2026-03-01T00:00:00Z' },
        'c',
      ),
      warning({ reason: 'ValidationFailed', message: 42, lastTimestamp: 'yesterday', series: 'x' }, 'd'),
      warning({ reason: 'ValidationFailed', message: 'new  error', eventTime: '2026-03-01T01:00:00Z' }, 'e'),
    ];
    expect(latestWarning(events, store)).toEqual({
      reason: 'ValidationFailed',
      message: 'new error',
      at: '2026-03-01T01:00:00Z',
      count: null,
    });
  });

  it('reads a message that is not a string as empty', () => {
    expect(latestWarning([warning({ reason: 'X', message: { text: 'x' } })], store)).toEqual({
      reason: 'X',
      message: '',
      at: null,
      count: null,
    });
  });
});

describe('checks read spec and status only through kube-object readers', () => {
  const CHECKS = new URL('../../src/checks/', import.meta.url).pathname;
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((e) => {
      const path = join(dir, e);
      return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
    });

  it('has no unchecked `.spec.x` or `.status?.x` chains (KubeObject types both as any)', () => {
    const offenders = files(CHECKS)
      .filter((f) => !f.endsWith('kube-object.ts'))
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .flatMap((line, i) =>
            /\.(spec|status)(\?\.|\.|\[)/.test(line) ? [`${relative(CHECKS, f)}:${i + 1}`] : [],
          ),
      );
    expect(offenders).toEqual([]);
  });
});
