import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, selectProfile } from '../../src/config/load.js';
import { isFindingCode } from '../../src/checks/codes.js';

function dirWith(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pd-config-'));
  writeFileSync(join(dir, 'platform.yaml'), content);
  return dir;
}

describe('loadConfig', () => {
  it('reads the shipped example and picks its default environment', () => {
    const loaded = loadConfig('examples/platform.yaml', process.cwd());
    const profile = selectProfile(loaded!.config, undefined);
    expect(profile).toMatchObject({
      name: 'stg',
      context: 'stg-cluster',
      namespaces: ['plate-stg'],
      hosts: ['stg.cocdev.co.kr', 'llm.cocdev.co.kr'],
      ingress: { controllerService: { namespace: 'ingress-nginx', name: 'ingress-nginx-controller' } },
      certManager: { namespace: 'cert-manager' },
      logs: { tailLines: 200, sinceSeconds: 3600 },
    });
    expect(selectProfile(loaded!.config, 'prod').namespaces).toEqual(['plate-prod']);
  });

  it('is optional: no ./platform.yaml means discovery with defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-config-'));
    expect(loadConfig(undefined, dir)).toBeNull();
    expect(selectProfile(null, undefined)).toMatchObject({
      name: null,
      namespaces: null,
      externalSecrets: { namespace: 'external-secrets' },
      argocd: { namespace: 'argocd' },
    });
  });

  it.each([
    [
      'a wrong type',
      'environments:\n  prod:\n    namespaces: plate-prod\n',
      'platform.yaml: environments.prod.namespaces: Invalid input: expected array, received string',
    ],
    [
      'an unknown key',
      'environments:\n  prod:\n    namspaces: [a]\n',
      'platform.yaml: environments.prod: Unrecognized key: "namspaces"',
    ],
    [
      'a bad URL',
      'environments:\n  prod:\n    openbao: { address: "not a url" }\n',
      'platform.yaml: environments.prod.openbao.address: takes an http(s) URL like https://bao.example:8200, not "not a url"',
    ],
    [
      'an OpenBao address that is a host and port, not a URL',
      'environments:\n  prod:\n    openbao: { address: "openbao:8200" }\n',
      'platform.yaml: environments.prod.openbao.address: takes an http(s) URL like https://bao.example:8200, not "openbao:8200"',
    ],
    [
      'broken YAML',
      'environments:\n  prod: [\n',
      'platform.yaml (line 3): Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
  ])('points at the bad key for %s', (_, content, message) => {
    expect(() => loadConfig(undefined, dirWith(content))).toThrow(new ConfigError(message));
  });

  it('reads a file that sets only some keys, without environments', () => {
    const loaded = loadConfig(undefined, dirWith('logs:\n  tailLines: 50\n'));
    expect(selectProfile(loaded!.config, undefined)).toMatchObject({ name: null, logs: { tailLines: 50 } });
  });

  it('says --config names a folder instead of failing on it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-config-dir-'));
    expect(() => loadConfig(dir, process.cwd())).toThrow(
      new ConfigError(`${dir}: is a directory, not a file`),
    );
  });

  it('says which file is missing when --config names one', () => {
    expect(() => loadConfig('nope.yaml', process.cwd())).toThrow(new ConfigError('nope.yaml: no such file'));
  });

  it('lists the known environments for an unknown --env', () => {
    const loaded = loadConfig('examples/platform.yaml', process.cwd());
    expect(() => selectProfile(loaded!.config, 'dev')).toThrow(
      new ConfigError('environment "dev" is not in the config (known: prod, stg)'),
    );
  });
});

describe('mute entries', () => {
  const MUTES = [
    'environments:',
    '  prod: { namespaces: [plate-prod] }',
    '  stg: { namespaces: [plate-stg] }',
    'mute:',
    '  - code: CERT_EXPIRING',
    "    subject: 'Certificate plate-stg/*'",
    '    env: stg',
    '    reason: staging certificate replaced by hand (OPS-77)',
    '    until: 2026-12-31',
    '  - code: DNS_WRONG_TARGET',
    "    subject: 'host *.cocdev.co.kr'",
    '    reason: old LB kept for the migration',
    '    until: 2027-01-15',
    '',
  ].join('\n');

  it('keeps, per environment, the entries without env and those for it', () => {
    const loaded = loadConfig(undefined, dirWith(MUTES), isFindingCode);
    expect(selectProfile(loaded!.config, 'stg').mutes).toEqual([
      {
        code: 'CERT_EXPIRING',
        subject: 'Certificate plate-stg/*',
        reason: 'staging certificate replaced by hand (OPS-77)',
        until: '2026-12-31',
      },
      {
        code: 'DNS_WRONG_TARGET',
        subject: 'host *.cocdev.co.kr',
        reason: 'old LB kept for the migration',
        until: '2027-01-15',
      },
    ]);
    expect(selectProfile(loaded!.config, 'prod').mutes.map((m) => m.code)).toEqual(['DNS_WRONG_TARGET']);
  });

  it.each([
    [
      'an unknown code',
      MUTES.replace('CERT_EXPIRING', 'CERT_EXPIRNG'),
      'platform.yaml: mute.0.code: unknown finding code CERT_EXPIRNG (docs/findings.md lists them)',
    ],
    [
      'an environment the file does not define',
      MUTES.replace('env: stg', 'env: stage'),
      'platform.yaml: mute.0.env: environment "stage" is not in the config (known: prod, stg)',
    ],
    [
      'a missing reason',
      MUTES.replace('    reason: old LB kept for the migration\n', ''),
      'platform.yaml: mute.1.reason: Invalid input: expected string, received undefined',
    ],
    [
      'an until that is not a date',
      MUTES.replace('2027-01-15', 'next week'),
      'platform.yaml: mute.1.until: Invalid ISO date',
    ],
    [
      'a code that is not SCREAMING_SNAKE',
      MUTES.replace('DNS_WRONG_TARGET', 'dns-wrong-target'),
      'platform.yaml: mute.1.code: a finding code is SCREAMING_SNAKE_CASE, e.g. CERT_EXPIRING',
    ],
  ])('refuses %s, naming the entry', (_, content, message) => {
    expect(() => loadConfig(undefined, dirWith(content), isFindingCode)).toThrow(new ConfigError(message));
  });
});
