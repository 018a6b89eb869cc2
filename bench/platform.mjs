// The bench platform: the `healthy` scenario's cluster components (ingress-nginx, cert-manager, ESO, OpenBao,
// Argo CD) with its application namespaces replaced by N hosts spread over 20 namespaces, every object built
// from the healthy scenario's own plate-stg objects so the statuses and fields are the ones the doctor
// already accepts as healthy.
import { createHash } from 'node:crypto';
import { loadScenario } from '../dist/sandbox/load.js';

export const NAMESPACE_COUNT = 20;
/** ExternalSecrets (each with its target Secret) per host. */
export const EXTERNAL_SECRETS_PER_HOST = 3;
export const DOMAIN = 'bench.cocdev.co.kr';
export const LB_ADDRESS = '127.0.10.10';

const pad = (n, width) => String(n).padStart(width, '0');
export const namespaceName = (k) => `team-${pad(k, 2)}`;
export const hostName = (i) => `svc-${pad(i, 4)}.${DOMAIN}`;

/** Deterministic uids, so ownerReferences can point at their owners and reruns serve the same objects. */
function uid(key) {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const clone = (o) => structuredClone(o);

/** Base64 of a canary value: scenario values are canaries that tests search outputs for. */
const canary = (text) => Buffer.from(`CANARY-${text}`).toString('base64');

/**
 * The healthy scenario scaled to `n` hosts. `latencyMs` is added to every Kubernetes API response.
 * Returns the scenario plus the facts the bench reports (hosts, namespaces).
 */
export async function benchScenario(n, { latencyMs = 20, now = new Date() } = {}) {
  const base = await loadScenario('healthy', { now });
  const appNamespaces = new Set(['plate-prod', 'plate-stg']);
  const find = (kind, namespace, name) => {
    const found = base.kubernetes.objects.find(
      (o) => o.kind === kind && o.metadata?.namespace === namespace && o.metadata?.name === name,
    );
    if (!found) throw new Error(`healthy scenario has no ${kind} ${namespace}/${name}`);
    return found;
  };
  const t = {
    namespace: base.kubernetes.objects.find((o) => o.kind === 'Namespace' && o.metadata.name === 'plate-stg'),
    ingress: find('Ingress', 'plate-stg', 'plate-ingress'),
    service: find('Service', 'plate-stg', 'plate-web-stg'),
    endpoints: find('Endpoints', 'plate-stg', 'plate-web-stg'),
    slice: find('EndpointSlice', 'plate-stg', 'plate-web-stg-v7c4r'),
    pod: find('Pod', 'plate-stg', 'plate-web-stg-6d8f7c5b9-h2j6t'),
    certificate: find('Certificate', 'plate-stg', 'stg-cocdev-co-kr-tls'),
    tlsSecret: find('Secret', 'plate-stg', 'stg-cocdev-co-kr-tls'),
    tokenSecret: find('Secret', 'plate-stg', 'openbao-token'),
    store: find('SecretStore', 'plate-stg', 'openbao-backend'),
    externalSecret: find('ExternalSecret', 'plate-stg', 'plate-api-stg-env'),
    targetSecret: find('Secret', 'plate-stg', 'plate-api-stg-env'),
    application: base.kubernetes.objects.find(
      (o) => o.kind === 'Application' && o.metadata.name === 'plate-web-stg',
    ),
  };

  // Cluster components stay; the seed's two application namespaces and their Applications go.
  const objects = base.kubernetes.objects.filter(
    (o) =>
      !appNamespaces.has(o.metadata?.namespace) &&
      !(o.kind === 'Namespace' && appNamespaces.has(o.metadata.name)) &&
      o.kind !== 'Application',
  );
  const tokens = [];
  const kv = {};
  const iso = (msAgo) => new Date(now.getTime() - msAgo).toISOString().replace(/\.\d{3}Z$/, 'Z');

  for (let k = 0; k < NAMESPACE_COUNT; k += 1) {
    const ns = namespaceName(k);
    const nsObj = clone(t.namespace);
    nsObj.metadata = { name: ns, uid: uid(`ns/${ns}`), labels: { 'kubernetes.io/metadata.name': ns } };
    objects.push(nsObj);

    // One backend per namespace that every Ingress of the namespace routes to.
    const labels = { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': `web-${ns}` };
    const podName = `web-6d8f7c5b9-${pad(k, 5)}`;
    const podIp = `10.42.${10 + k}.11`;
    const svc = clone(t.service);
    svc.metadata = { name: 'web', namespace: ns, uid: uid(`svc/${ns}/web`), labels };
    svc.spec = { ...svc.spec, clusterIP: `10.43.${10 + k}.11`, selector: labels };
    const ep = clone(t.endpoints);
    ep.metadata = { name: 'web', namespace: ns, labels };
    ep.subsets[0].addresses = [{ ip: podIp, targetRef: { kind: 'Pod', namespace: ns, name: podName } }];
    const slice = clone(t.slice);
    slice.metadata = {
      ...slice.metadata,
      name: `web-${pad(k, 5)}`,
      namespace: ns,
      labels: { ...slice.metadata.labels, 'kubernetes.io/service-name': 'web' },
      ownerReferences: [{ ...slice.metadata.ownerReferences[0], name: 'web', uid: svc.metadata.uid }],
    };
    slice.endpoints[0] = {
      ...slice.endpoints[0],
      addresses: [podIp],
      targetRef: { kind: 'Pod', namespace: ns, name: podName },
    };
    const pod = clone(t.pod);
    pod.metadata = {
      ...pod.metadata,
      name: podName,
      namespace: ns,
      uid: uid(`pod/${ns}/${podName}`),
      labels,
    };
    pod.status = { ...pod.status, podIP: podIp };
    objects.push(svc, ep, slice, pod);

    // A SecretStore per namespace with its own OpenBao token, reading the namespace's KV path.
    const token = `s.CANARY-bench-${ns}-token`;
    tokens.push({
      token,
      policies: ['default', `${ns}-read`],
      ttlSeconds: 2_592_000,
      capabilities: { [`server/data/${ns}`]: ['read'], [`server/metadata/${ns}`]: ['read'] },
    });
    kv[`server/${ns}`] = {
      DB_PASSWORD: `CANARY-db-password-${ns}`,
      JWT_SECRET: `CANARY-jwt-secret-${ns}`,
    };
    const tokenSecret = clone(t.tokenSecret);
    tokenSecret.metadata = { name: 'openbao-token', namespace: ns, uid: uid(`secret/${ns}/openbao-token`) };
    tokenSecret.data = { token: Buffer.from(token).toString('base64') };
    const store = clone(t.store);
    store.metadata = {
      ...store.metadata,
      namespace: ns,
      uid: uid(`store/${ns}`),
      labels: { 'app.kubernetes.io/instance': `secrets-${ns}` },
    };
    objects.push(tokenSecret, store);

    const app = clone(t.application);
    app.metadata = { name: `web-${ns}`, namespace: 'argocd', uid: uid(`app/${ns}`) };
    app.spec.destination = { ...app.spec.destination, namespace: ns };
    objects.push(app);
  }

  const hosts = {};
  const records = [];
  const esoLog = [];
  for (let i = 1; i <= n; i += 1) {
    const ns = namespaceName(i % NAMESPACE_COUNT);
    const host = hostName(i);
    const name = `svc-${pad(i, 4)}`;
    const tlsName = `${name}-tls`;

    const ingress = clone(t.ingress);
    ingress.metadata = {
      ...ingress.metadata,
      name,
      namespace: ns,
      uid: uid(`ing/${ns}/${name}`),
      labels: { 'app.kubernetes.io/instance': name },
    };
    ingress.spec = {
      ...ingress.spec,
      tls: [{ hosts: [host], secretName: tlsName }],
      rules: [
        {
          host,
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } },
            ],
          },
        },
      ],
    };
    ingress.status = { loadBalancer: { ingress: [{ ip: LB_ADDRESS }] } };

    const cert = clone(t.certificate);
    cert.metadata = {
      ...cert.metadata,
      name: tlsName,
      namespace: ns,
      uid: uid(`cert/${ns}/${tlsName}`),
      labels: { 'app.kubernetes.io/instance': name },
      ownerReferences: [{ ...cert.metadata.ownerReferences[0], name, uid: ingress.metadata.uid }],
    };
    cert.spec = { ...cert.spec, dnsNames: [host], secretName: tlsName };

    // Empty tls.crt/tls.key: the sandbox fills them with the certificate the endpoint serves for the host.
    const tls = clone(t.tlsSecret);
    tls.metadata = {
      ...tls.metadata,
      name: tlsName,
      namespace: ns,
      uid: uid(`secret/${ns}/${tlsName}`),
      annotations: {
        ...tls.metadata.annotations,
        'cert-manager.io/alt-names': host,
        'cert-manager.io/certificate-name': tlsName,
        'cert-manager.io/common-name': host,
      },
    };
    objects.push(ingress, cert, tls);

    for (let j = 1; j <= EXTERNAL_SECRETS_PER_HOST; j += 1) {
      const esName = `${name}-env-${j}`;
      const es = clone(t.externalSecret);
      const esUid = uid(`es/${ns}/${esName}`);
      es.metadata = {
        ...es.metadata,
        name: esName,
        namespace: ns,
        uid: esUid,
        labels: { 'app.kubernetes.io/instance': `secrets-${ns}` },
      };
      es.spec = {
        ...es.spec,
        target: { ...es.spec.target, name: esName },
        data: es.spec.data.map((d) => ({ ...d, remoteRef: { ...d.remoteRef, key: ns } })),
      };
      // Refreshed within the last interval (30m), spread so the list is not uniform.
      const ago = ((i * EXTERNAL_SECRETS_PER_HOST + j) % 25) * 60_000 + 60_000;
      es.status = { ...es.status, binding: { name: esName }, refreshTime: iso(ago) };
      const target = clone(t.targetSecret);
      target.metadata = {
        ...target.metadata,
        name: esName,
        namespace: ns,
        uid: uid(`secret/${ns}/${esName}`),
        ownerReferences: [{ ...target.metadata.ownerReferences[0], name: esName, uid: esUid }],
      };
      target.data = { DB_PASSWORD: canary(`db-password-${ns}`), JWT_SECRET: canary(`jwt-secret-${ns}`) };
      objects.push(es, target);
      esoLog.push({ ago, line: { namespace: ns, name: esName } });
    }

    hosts[host] = { certificate: { kind: 'valid' }, redirectToHttps: true, paths: { '/': 200 } };
    records.push({ name: host, type: 'A', value: LB_ADDRESS, ttl: 300 });
  }

  // ESO logs one "reconciled secret" per refresh: the last hour of them, oldest first.
  const esoPod = 'external-secrets/external-secrets-6b8d7f9c5-w2q7j';
  const epoch = (msAgo) => ((now.getTime() - msAgo) / 1000).toFixed(6);
  const esoLines = esoLog
    .sort((a, b) => b.ago - a.ago)
    .map(
      ({ ago, line }) =>
        `{"level":"info","ts":${epoch(ago)},"logger":"controllers.ExternalSecret","msg":"reconciled secret","ExternalSecret":${JSON.stringify(line)}}`,
    );
  const logs = { ...base.kubernetes.logs, [esoPod]: { 'external-secrets': esoLines } };

  return {
    scenario: {
      ...base,
      name: `bench-${n}`,
      description: `bench platform: ${n} hosts over ${NAMESPACE_COUNT} namespaces`,
      kubernetes: { ...base.kubernetes, objects, logs },
      openbao: { ...base.openbao, tokens, kv },
      dns: { ...base.dns, records },
      endpoint: { ...base.endpoint, address: LB_ADDRESS, hosts },
      faults: { forbid: [], latencyMs },
    },
    hosts: Object.keys(hosts),
    namespaces: Array.from({ length: NAMESPACE_COUNT }, (_, k) => namespaceName(k)),
  };
}
