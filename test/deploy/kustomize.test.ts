import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { KINDS, resourceName, type KindName } from '../../src/gateways/kinds.js';

const DEPLOY = fileURLToPath(new URL('../../deploy', import.meta.url));
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { timeout: 10_000 }).status === 0;
// CI must render the manifests; a laptop without kubectl skips instead of failing.
if (!hasKubectl && process.env.CI === 'true')
  throw new Error('kubectl is missing: the deploy tests render with it');

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
type Manifest = {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: any;
};

function kustomize(dir: string): Manifest[] {
  const out = execFileSync('kubectl', ['kustomize', dir], {
    timeout: 30_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseAllDocuments(out.toString()).map((doc) => doc.toJS() as Manifest);
}

const scratch: string[] = [];
/** Builds deploy/ with components, as a user's overlay would. */
function withComponents(...components: string[]): Manifest[] {
  const dir = mkdtempSync(join(tmpdir(), 'doctor-overlay-'));
  scratch.push(dir);
  // kustomize refuses absolute paths to other kustomizations.
  const base = relative(dir, DEPLOY);
  writeFileSync(
    join(dir, 'kustomization.yaml'),
    [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      `resources: [${base}]`,
      `components: [${components.map((c) => `${base}/components/${c}`).join(', ')}]`,
    ].join('\n'),
  );
  return kustomize(dir);
}

const find = (manifests: Manifest[], kind: string) => {
  const found = manifests.find((m) => m.kind === kind);
  if (!found) throw new Error(`no ${kind} rendered`);
  return found;
};
const rulesOf = (manifests: Manifest[]) => find(manifests, 'ClusterRole').rules as Rule[];
const podOf = (manifests: Manifest[]) => find(manifests, 'CronJob').spec.jobTemplate.spec.template.spec;

/** `verb resource.group` for every permission a rule set grants, e.g. `list certificates.cert-manager.io`. */
function grants(rules: Rule[]): string[] {
  return rules
    .flatMap((rule) =>
      rule.apiGroups.flatMap((group) =>
        rule.resources.flatMap((resource) =>
          rule.verbs.map((verb) => `${verb} ${group ? `${resource}.${group}` : resource}`),
        ),
      ),
    )
    .sort();
}

afterAll(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe.skipIf(!hasKubectl)('deploy/ kustomization', () => {
  const manifests = hasKubectl ? kustomize(DEPLOY) : [];

  it('renders the namespace, identity, read-only role, binding and CronJob', () => {
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
      'Namespace/platform-doctor',
      'ServiceAccount/platform-doctor',
      'ClusterRole/platform-doctor',
      'ClusterRoleBinding/platform-doctor',
      'CronJob/platform-doctor',
    ]);
    expect(find(manifests, 'ServiceAccount').metadata.namespace).toBe('platform-doctor');
    expect(find(manifests, 'CronJob').metadata.namespace).toBe('platform-doctor');
    expect(find(manifests, 'Namespace').metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe(
      'restricted',
    );
  });

  it('grants get and list on exactly the kinds the runbooks read, and no write verb', () => {
    const kinds = Object.keys(KINDS) as KindName[];
    const expected = [
      ...kinds.flatMap((kind) => [`get ${resourceName(kind)}`, `list ${resourceName(kind)}`]),
      'get pods/log',
      'get services/proxy',
      'create selfsubjectaccessreviews.authorization.k8s.io',
    ].sort();
    expect(grants(rulesOf(manifests))).toEqual(expected);
  });

  it('allows create only on selfsubjectaccessreviews and nothing but get and list elsewhere', () => {
    for (const rule of rulesOf(manifests)) {
      const writes = rule.verbs.filter((verb) => verb !== 'get' && verb !== 'list');
      if (writes.length === 0) continue;
      expect(rule).toEqual({
        apiGroups: ['authorization.k8s.io'],
        resources: ['selfsubjectaccessreviews'],
        verbs: ['create'],
      });
    }
    expect(JSON.stringify(rulesOf(manifests))).not.toContain('*');
  });

  it('binds the role to the service account the CronJob runs as', () => {
    const binding = find(manifests, 'ClusterRoleBinding');
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'platform-doctor',
    });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'platform-doctor', namespace: 'platform-doctor' },
    ]);
    expect(podOf(manifests).serviceAccountName).toBe('platform-doctor');
  });

  it('schedules one run every 5 minutes that never overlaps, retries or outlives its slot', () => {
    const cron = find(manifests, 'CronJob').spec;
    expect({
      schedule: cron.schedule,
      concurrencyPolicy: cron.concurrencyPolicy,
      startingDeadlineSeconds: cron.startingDeadlineSeconds,
      successfulJobsHistoryLimit: cron.successfulJobsHistoryLimit,
      failedJobsHistoryLimit: cron.failedJobsHistoryLimit,
      backoffLimit: cron.jobTemplate.spec.backoffLimit,
      activeDeadlineSeconds: cron.jobTemplate.spec.activeDeadlineSeconds,
      restartPolicy: podOf(manifests).restartPolicy,
    }).toEqual({
      schedule: '*/5 * * * *',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 120,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      backoffLimit: 0,
      activeDeadlineSeconds: 240,
      restartPolicy: 'Never',
    });
  });

  it('runs the container non-root, read-only, without privileges and within resource limits', () => {
    const pod = podOf(manifests);
    const [container] = pod.containers;
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.resources).toEqual({
      requests: { cpu: '50m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    });
  });

  it('prints the JSON report to stdout by default', () => {
    const [container] = podOf(manifests).containers;
    expect(container.image).toBe('platform-doctor:0.1.0');
    expect(container.args).toEqual(['doctor', '--output', 'json']);
  });

  it('drops every Secret permission and passes --no-read-secrets with the no-read-secrets component', () => {
    const rendered = withComponents('no-read-secrets');
    const granted = grants(rulesOf(rendered));
    expect(granted.filter((g) => / secrets$/.test(g))).toEqual([]);
    expect(granted).toHaveLength(grants(rulesOf(manifests)).length - 2);
    expect(podOf(rendered).containers[0].args).toEqual(['doctor', '--output', 'json', '--no-read-secrets']);
  });

  it('writes the Prometheus textfile on one labelled node with the textfile-collector component', () => {
    const rendered = withComponents('no-read-secrets', 'textfile-collector');
    const pod = podOf(rendered);
    expect(pod.containers[0].args).toEqual([
      'doctor',
      '--output',
      'json',
      '--no-read-secrets',
      '--report',
      '/textfile/platform_doctor.prom',
    ]);
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'textfile', mountPath: '/textfile' });
    expect(pod.volumes).toContainEqual({
      name: 'textfile',
      hostPath: { path: '/var/lib/node_exporter/textfile_collector', type: 'Directory' },
    });
    expect(pod.nodeSelector).toEqual({ 'platform-doctor/textfile': 'true' });
    expect(find(rendered, 'Namespace').metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe(
      'privileged',
    );
  });
});

describe('deploy/Dockerfile', () => {
  const dockerfile = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');

  it('builds on node:20-slim with production dependencies only and runs as the CronJob user', () => {
    const lines = dockerfile.split('\n');
    expect(lines.filter((l) => l.startsWith('FROM '))).toEqual([
      'FROM node:20-slim AS build',
      'FROM node:20-slim',
    ]);
    expect(lines).toContain('RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force');
    expect(lines).toContain('USER 1000:1000');
    expect(lines).toContain('ENTRYPOINT ["platform"]');
  });
});
