import { describe, expect, it } from 'vitest';
import {
  groupErrors,
  loggedObject,
  displayText,
  errorSignature,
  parseLogLine,
  parseLogText,
  type LogLine,
} from '../../src/checks/log-lines.js';

const NOW = new Date('2025-06-02T10:00:00Z');

describe('parseLogLine', () => {
  it('reads the old logr form with a logger path and quoted keys (cert-manager ≤ v1.11)', () => {
    const line =
      'E0512 19:24:44.860101       1 sync.go:210] cert-manager/controller/orders "msg"="failed to create Order resource due to bad request, marking Order as failed" "error"="429 urn:ietf:params:acme:error:rateLimited: Error creating new order :: too many new orders recently: see https://letsencrypt.org/docs/rate-limits/" "resource_kind"="Order" "resource_name"="www-wefixlocksnow-com-cert-qgrjk-3407622049" "resource_namespace"="pig-prd-5" "resource_version"="v1"';
    expect(parseLogLine(line, NOW)).toEqual<LogLine>({
      level: 'error',
      time: new Date('2025-05-12T19:24:44.860Z'),
      message: 'failed to create Order resource due to bad request, marking Order as failed',
      error:
        '429 urn:ietf:params:acme:error:rateLimited: Error creating new order :: too many new orders recently: see https://letsencrypt.org/docs/rate-limits/',
      fields: {
        logger: 'cert-manager/controller/orders',
        resource_kind: 'Order',
        resource_name: 'www-wefixlocksnow-com-cert-qgrjk-3407622049',
        resource_namespace: 'pig-prd-5',
        resource_version: 'v1',
      },
    });
  });

  it('reads new structured klog with escaped quotes inside values (cert-manager ≥ v1.12)', () => {
    const line =
      'E0303 21:51:07.633314       1 sync.go:208] "propagation check failed" err="DNS record for \\"nginx.sylvain.cloud\\" not yet propagated" logger="cert-manager.controller" resource_name="nginx-sylvain-cloud-tls-1-772529587-1208554888" resource_namespace="default" resource_kind="Challenge" resource_version="v1" dnsName="nginx.sylvain.cloud" type="DNS-01"';
    expect(parseLogLine(line, NOW)).toEqual<LogLine>({
      level: 'error',
      time: new Date('2025-03-03T21:51:07.633Z'),
      message: 'propagation check failed',
      error: 'DNS record for "nginx.sylvain.cloud" not yet propagated',
      fields: {
        logger: 'cert-manager.controller',
        resource_name: 'nginx-sylvain-cloud-tls-1-772529587-1208554888',
        resource_namespace: 'default',
        resource_kind: 'Challenge',
        resource_version: 'v1',
        dnsName: 'nginx.sylvain.cloud',
        type: 'DNS-01',
      },
    });
  });

  it('keeps free-text klog lines as the message', () => {
    const line =
      'I0530 01:13:33.440197       1 conditions.go:252] Found status change for CertificateRequest "letsencrypt-nginx-quote-1" condition "Ready": "False" -> "True"';
    expect(parseLogLine(line, NOW)).toMatchObject({
      level: 'info',
      message:
        'Found status change for CertificateRequest "letsencrypt-nginx-quote-1" condition "Ready": "False" -> "True"',
      error: null,
      fields: {},
    });
  });

  it.each([
    ['W', 'warning'],
    ['F', 'error'],
  ] as const)('maps klog severity %s to %s', (severity, level) => {
    expect(parseLogLine(`${severity}0601 08:00:00.000000       1 x.go:1] "m"`, NOW).level).toBe(level);
  });

  it('puts a klog line from late December read in early January into the previous year', () => {
    const line = 'E1231 23:59:00.000000       1 sync.go:1] "late"';
    expect(parseLogLine(line, new Date('2026-01-01T00:10:00Z')).time).toEqual(
      new Date('2025-12-31T23:59:00Z'),
    );
  });

  it('reads component-base JSON: epoch milliseconds, error by `err`, info by `v`', () => {
    const error =
      '{"ts":1717031592302.627,"caller":"acmechallenges/sync.go:190","msg":"propagation check failed","err":"wrong status code \'404\', expected \'200\'","logger":"cert-manager.challenges","resource_name":"shop-tls-1-3066565044-3627852778","resource_namespace":"shop","resource_kind":"Challenge","resource_version":"v1","dnsName":"shop.example.com","type":"HTTP-01"}';
    const info =
      '{"ts":1708340328661.3528,"caller":"leaderelection/leaderelection.go:260","msg":"successfully acquired lease kube-system/cert-manager-controller","v":0}';
    expect(parseLogLine(error, NOW)).toEqual<LogLine>({
      level: 'error',
      time: new Date(1717031592302.627),
      message: 'propagation check failed',
      error: "wrong status code '404', expected '200'",
      fields: {
        caller: 'acmechallenges/sync.go:190',
        logger: 'cert-manager.challenges',
        resource_name: 'shop-tls-1-3066565044-3627852778',
        resource_namespace: 'shop',
        resource_kind: 'Challenge',
        resource_version: 'v1',
        dnsName: 'shop.example.com',
        type: 'HTTP-01',
      },
    });
    expect(parseLogLine(info, NOW)).toMatchObject({
      level: 'info',
      time: new Date(1708340328661.3528),
      error: null,
    });
  });

  it('reads zap JSON: level, epoch seconds, nested object keys flattened, stack trace dropped', () => {
    const line =
      '{"level":"error","ts":1741012852.9381456,"msg":"Reconciler error","controller":"externalsecret","controllerGroup":"external-secrets.io","controllerKind":"ExternalSecret","ExternalSecret":{"name":"vault-brucewillis","namespace":"external-secrets"},"namespace":"external-secrets","name":"vault-brucewillis","reconcileID":"5d62ed4f-ae89-4168-ab19-f81ec781c862","error":"error processing spec.data[0] (key: test-bruce-willis), err: SecretStore \\"vault-prod\\" is not ready","stacktrace":"sigs.k8s.io/controller-runtime/pkg/internal/controller.(*Controller[...]).reconcileHandler\\n\\t..."}';
    expect(parseLogLine(line, NOW)).toEqual<LogLine>({
      level: 'error',
      time: new Date(1741012852938.145),
      message: 'Reconciler error',
      error:
        'error processing spec.data[0] (key: test-bruce-willis), err: SecretStore "vault-prod" is not ready',
      fields: {
        controller: 'externalsecret',
        controllerGroup: 'external-secrets.io',
        controllerKind: 'ExternalSecret',
        'ExternalSecret.name': 'vault-brucewillis',
        'ExternalSecret.namespace': 'external-secrets',
        namespace: 'external-secrets',
        name: 'vault-brucewillis',
        reconcileID: '5d62ed4f-ae89-4168-ab19-f81ec781c862',
      },
    });
  });

  it('strips the kubelet timestamps=true prefix and takes its time, which carries the year', () => {
    const line = '2024-12-31T23:59:58.123456789Z E1231 23:59:58.120000       1 sync.go:1] "boom" err="x"';
    expect(parseLogLine(line, NOW)).toMatchObject({
      level: 'error',
      time: new Date('2024-12-31T23:59:58.123Z'),
      message: 'boom',
      error: 'x',
    });
  });

  it.each([
    ['a Go panic', 'panic: runtime error: invalid memory address or nil pointer dereference'],
    ['broken JSON', '{"level":"error","ts":'],
    ['a JSON array', '[1,2]'],
  ])('keeps %s as an unknown line', (_name, line) => {
    expect(parseLogLine(line, NOW)).toEqual<LogLine>({
      level: 'unknown',
      time: null,
      message: line,
      error: null,
      fields: {},
    });
  });

  it('parses a stream that mixes JSON and klog lines, skipping blank lines', () => {
    const text = [
      '{"ts":1708340302756.7686,"caller":"clientcmd/client_config.go:618","msg":"Neither --kubeconfig nor --master was specified.","v":0}',
      '',
      'I0219 11:38:22.756000       1 leaderelection.go:250] attempting to acquire leader lease kube-system/cert-manager-controller...',
    ].join('\n');
    expect(parseLogText(text, NOW).map((l) => [l.level, l.message])).toEqual([
      ['info', 'Neither --kubeconfig nor --master was specified.'],
      ['info', 'attempting to acquire leader lease kube-system/cert-manager-controller...'],
    ]);
  });
});

describe('loggedObject', () => {
  it.each([
    [
      'cert-manager resource_* keys',
      { resource_kind: 'Challenge', resource_namespace: 'shop', resource_name: 'c-1' },
      { kind: 'Challenge', namespace: 'shop', name: 'c-1' },
    ],
    [
      'a cluster-scoped cert-manager object',
      { resource_kind: 'ClusterIssuer', resource_namespace: '', resource_name: 'letsencrypt-prod' },
      { kind: 'ClusterIssuer', namespace: null, name: 'letsencrypt-prod' },
    ],
    [
      'newer controller-runtime nested keys',
      { 'ExternalSecret.name': 'api-env', 'ExternalSecret.namespace': 'plate-stg' },
      { kind: 'ExternalSecret', namespace: 'plate-stg', name: 'api-env' },
    ],
    [
      'older ESO `clustersecretstore` key',
      { clustersecretstore: '/vault-backend' },
      { kind: 'ClusterSecretStore', namespace: null, name: 'vault-backend' },
    ],
    [
      'older ESO `secretstore` key',
      { secretstore: 'plate-prod/openbao-backend' },
      { kind: 'SecretStore', namespace: 'plate-prod', name: 'openbao-backend' },
    ],
    [
      'older controller-runtime `reconciler kind`',
      { 'reconciler kind': 'SecretStore', name: 'be-vault-secretstore', namespace: 'be' },
      { kind: 'SecretStore', namespace: 'be', name: 'be-vault-secretstore' },
    ],
  ])('finds the object from %s', (_name, fields, object) => {
    expect(loggedObject(fields)).toEqual(object);
  });

  it('returns null when a line names no object', () => {
    expect(loggedObject({ logger: 'cert-manager.controller' })).toBeNull();
  });
});

describe('errorSignature', () => {
  it('collapses times, numbers and hashes so retries of one error compare equal', () => {
    expect(
      errorSignature(
        'order "stg-tls-2-1375982045" failed: retry after 2026-08-15 19:14:33 UTC: see https://letsencrypt.org/docs/rate-limits/',
      ),
    ).toBe('order "stg-tls-2-<n>" failed: retry after <time>: see https://letsencrypt.org/docs/rate-limits/');
  });
});

describe('displayText', () => {
  it('puts a multi-line Vault API error on one line', () => {
    expect(
      displayText(
        'invalid vault credentials: Error making API request.\n\nURL: GET http://openbao.openbao.svc:8200/v1/auth/token/lookup-self\nCode: 403. Errors:\n\n* permission denied',
      ),
    ).toBe(
      'invalid vault credentials: Error making API request. URL: GET http://openbao.openbao.svc:8200/v1/auth/token/lookup-self Code: 403. Errors: * permission denied',
    );
  });

  it('redacts token-shaped strings a controller might log', () => {
    expect(displayText('lookup failed for s.CANARY-prod-token-4f9c2a71 and hvs.CAESIabcdefgh12345')).toBe(
      'lookup failed for <token> and <token>',
    );
  });

  it('keeps a real cert-manager 429 whole, URL included', () => {
    const text =
      'failed to create Order resource due to bad request, marking Order as failed: 429 urn:ietf:params:acme:error:rateLimited: too many certificates (5) already issued for this exact set of identifiers in the last 168h0m0s, retry after 2026-08-15 19:14:33 UTC: see https://letsencrypt.org/docs/rate-limits/#new-certificates-per-exact-set-of-identifiers';
    expect(displayText(text)).toBe(text);
  });

  it('shortens a flood by cutting the middle between words, keeping the root cause at the end', () => {
    const words = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
    const out = displayText(`${words} see https://example.org/a/very/long/url#anchor permission denied`);
    expect(out.length).toBeLessThanOrEqual(1000);
    expect(out.startsWith('word0 word1 ')).toBe(true);
    expect(out.endsWith(' see https://example.org/a/very/long/url#anchor permission denied')).toBe(true);
    // Every piece on either side of the cut is a whole word.
    const [head, tail] = out.split(' … ');
    expect(head!.split(' ').every((w) => /^word\d+$/.test(w))).toBe(true);
    expect(tail!.split(' ')[0]).toMatch(/^word\d+$/);
  });

  it('leaves out a single token longer than the budget rather than cutting it', () => {
    expect(displayText(`x${'A'.repeat(5000)}`)).toBe('(5001 characters without a break, left out)');
  });
});

describe('groupErrors', () => {
  const err = (time: string, name: string, error = "wrong status code '404', expected '200'"): LogLine => ({
    level: 'error',
    time: new Date(time),
    message: 'propagation check failed',
    error,
    fields: { resource_kind: 'Challenge', resource_namespace: 'plate-stg', resource_name: name },
  });

  it('groups retries that differ only in volatile parts and shows the latest one', () => {
    const [group, ...rest] = groupErrors([
      {
        pod: 'cm-a',
        lines: [
          err('2025-06-02T09:50:00Z', 'c-1', 'timeout at 2025-06-02T09:50:00Z'),
          err('2025-06-02T09:55:00Z', 'c-1', 'timeout at 2025-06-02T09:55:00Z'),
        ],
      },
    ]);
    expect(rest).toEqual([]);
    expect(group).toMatchObject({ count: 2, error: 'timeout at 2025-06-02T09:55:00Z' });
  });

  it('counts repeats per object and error, keeps the last time and pod, and ignores non-error lines', () => {
    const groups = groupErrors([
      { pod: 'cm-a', lines: [err('2025-06-02T09:50:00Z', 'c-1'), err('2025-06-02T09:55:00Z', 'c-2')] },
      {
        pod: 'cm-b',
        lines: [
          err('2025-06-02T09:58:00Z', 'c-1'),
          { level: 'warning', time: null, message: 'w', error: null, fields: {} },
          { level: 'unknown', time: null, message: 'panic: x', error: null, fields: {} },
        ],
      },
    ]);
    expect(groups).toEqual([
      {
        object: { kind: 'Challenge', namespace: 'plate-stg', name: 'c-1' },
        message: 'propagation check failed',
        error: "wrong status code '404', expected '200'",
        count: 2,
        lastSeen: new Date('2025-06-02T09:58:00Z'),
        pod: 'cm-b',
      },
      {
        object: { kind: 'Challenge', namespace: 'plate-stg', name: 'c-2' },
        message: 'propagation check failed',
        error: "wrong status code '404', expected '200'",
        count: 1,
        lastSeen: new Date('2025-06-02T09:55:00Z'),
        pod: 'cm-a',
      },
    ]);
  });
});
