/**
 * Kubernetes objects for the hostile servers to serve: just the fields the doctor's checks read.
 */
import type { KubeObject } from './servers/kube-api.js';

let uid = 0;
const nextUid = () => `00000000-0000-4000-8000-${String((uid += 1)).padStart(12, '0')}`;

export interface AppOptions {
  namespace?: string;
  health?: string;
  healthMessage?: string;
  sync?: string;
  conditions?: unknown;
}

/** An Argo CD Application; Synced and Healthy unless told otherwise. */
export function application(name: string, options: AppOptions = {}): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: options.namespace ?? 'argocd', uid: nextUid() },
    spec: {
      project: 'default',
      source: { repoURL: 'https://git.example/platform.git', path: 'apps', targetRevision: 'main' },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'plate-stg' },
    },
    status: {
      sync: { status: options.sync ?? 'Synced', revision: '0123456789abcdef0123456789abcdef01234567' },
      health: {
        status: options.health ?? 'Healthy',
        ...(options.healthMessage ? { message: options.healthMessage } : {}),
      },
      ...(options.conditions === undefined ? {} : { conditions: options.conditions }),
    },
  };
}

/** A cert-manager Certificate with the given status conditions. */
export function certificate(name: string, namespace: string, conditions: unknown): KubeObject {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name, namespace, uid: nextUid(), generation: 1 },
    spec: {
      secretName: `${name}-tls`,
      dnsNames: [`${name}.example.test`],
      issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer', group: 'cert-manager.io' },
    },
    status: { conditions },
  };
}

/** A SecretStore using OpenBao (vault provider) at `server`, its token in Secret `tokenSecret`/`token`. */
export function vaultSecretStore(
  name: string,
  namespace: string,
  server: string,
  tokenSecret = 'bao-token',
): KubeObject {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'SecretStore',
    metadata: { name, namespace, uid: nextUid(), generation: 1 },
    spec: {
      provider: {
        vault: {
          server,
          path: 'secret',
          version: 'v2',
          auth: { tokenSecretRef: { name: tokenSecret, key: 'token' } },
        },
      },
    },
    status: {
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Valid',
          message: 'store validated',
          lastTransitionTime: new Date().toISOString(),
        },
      ],
    },
  };
}

/** An ExternalSecret reading `remoteKey` (property `password`) through store `store`. */
export function externalSecret(
  name: string,
  namespace: string,
  store: string,
  remoteKey: string,
): KubeObject {
  const now = new Date().toISOString();
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace, uid: nextUid(), generation: 1 },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { name: store, kind: 'SecretStore' },
      target: { name, creationPolicy: 'Owner' },
      data: [{ secretKey: 'password', remoteRef: { key: remoteKey, property: 'password' } }],
    },
    status: {
      refreshTime: now,
      syncedResourceVersion: '1-abc',
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'SecretSynced',
          message: 'secret synced',
          lastTransitionTime: now,
        },
      ],
    },
  };
}

/** An Opaque Secret with `data` (values are base64-encoded here). */
export function secret(name: string, namespace: string, data: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, uid: nextUid() },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

/** The ingress-nginx controller's LoadBalancer Service with `address` as its load balancer IP. */
export function loadBalancerService(address: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'ingress-nginx-controller',
      namespace: 'ingress-nginx',
      uid: nextUid(),
      labels: {
        'app.kubernetes.io/name': 'ingress-nginx',
        'app.kubernetes.io/instance': 'ingress-nginx',
        'app.kubernetes.io/component': 'controller',
      },
    },
    spec: {
      type: 'LoadBalancer',
      clusterIP: '10.43.18.180',
      ports: [
        { name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' },
        { name: 'https', port: 443, protocol: 'TCP', targetPort: 'https' },
      ],
    },
    status: { loadBalancer: { ingress: [{ ip: address }] } },
  };
}

/** An IngressClass `nginx` for ingress-nginx. */
export function ingressClass(): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: 'nginx', uid: nextUid() },
    spec: { controller: 'k8s.io/ingress-nginx' },
  };
}

/** An Ingress for `host` (path `/` to Service `web:80`), published at `address`, TLS with `tlsSecret` if given. */
export function ingress(
  name: string,
  namespace: string,
  host: string,
  address: string,
  tlsSecret?: string,
): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace, uid: nextUid(), generation: 1 },
    spec: {
      ingressClassName: 'nginx',
      ...(tlsSecret ? { tls: [{ hosts: [host], secretName: tlsSecret }] } : {}),
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
    },
    status: { loadBalancer: { ingress: [{ ip: address }] } },
  };
}
