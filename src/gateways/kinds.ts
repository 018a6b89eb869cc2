/**
 * The Kubernetes kinds the runbooks read, with where the API serves them.
 * `versions` lists served versions to try in order: the first one the cluster serves wins
 * (external-secrets.io serves v1 since ESO v0.16 and stopped serving v1beta1 in v0.17).
 */
export interface KindDef {
  group: string; // '' for the core group
  versions: readonly string[];
  plural: string;
  kind: string;
  namespaced: boolean;
}

export const KINDS = {
  namespaces: { group: '', versions: ['v1'], plural: 'namespaces', kind: 'Namespace', namespaced: false },
  pods: { group: '', versions: ['v1'], plural: 'pods', kind: 'Pod', namespaced: true },
  services: { group: '', versions: ['v1'], plural: 'services', kind: 'Service', namespaced: true },
  endpoints: { group: '', versions: ['v1'], plural: 'endpoints', kind: 'Endpoints', namespaced: true },
  events: { group: '', versions: ['v1'], plural: 'events', kind: 'Event', namespaced: true },
  secrets: { group: '', versions: ['v1'], plural: 'secrets', kind: 'Secret', namespaced: true },
  endpointslices: {
    group: 'discovery.k8s.io',
    versions: ['v1'],
    plural: 'endpointslices',
    kind: 'EndpointSlice',
    namespaced: true,
  },
  ingresses: {
    group: 'networking.k8s.io',
    versions: ['v1'],
    plural: 'ingresses',
    kind: 'Ingress',
    namespaced: true,
  },
  ingressclasses: {
    group: 'networking.k8s.io',
    versions: ['v1'],
    plural: 'ingressclasses',
    kind: 'IngressClass',
    namespaced: false,
  },
  certificates: {
    group: 'cert-manager.io',
    versions: ['v1'],
    plural: 'certificates',
    kind: 'Certificate',
    namespaced: true,
  },
  certificaterequests: {
    group: 'cert-manager.io',
    versions: ['v1'],
    plural: 'certificaterequests',
    kind: 'CertificateRequest',
    namespaced: true,
  },
  issuers: {
    group: 'cert-manager.io',
    versions: ['v1'],
    plural: 'issuers',
    kind: 'Issuer',
    namespaced: true,
  },
  clusterissuers: {
    group: 'cert-manager.io',
    versions: ['v1'],
    plural: 'clusterissuers',
    kind: 'ClusterIssuer',
    namespaced: false,
  },
  orders: {
    group: 'acme.cert-manager.io',
    versions: ['v1'],
    plural: 'orders',
    kind: 'Order',
    namespaced: true,
  },
  challenges: {
    group: 'acme.cert-manager.io',
    versions: ['v1'],
    plural: 'challenges',
    kind: 'Challenge',
    namespaced: true,
  },
  secretstores: {
    group: 'external-secrets.io',
    versions: ['v1', 'v1beta1'],
    plural: 'secretstores',
    kind: 'SecretStore',
    namespaced: true,
  },
  clustersecretstores: {
    group: 'external-secrets.io',
    versions: ['v1', 'v1beta1'],
    plural: 'clustersecretstores',
    kind: 'ClusterSecretStore',
    namespaced: false,
  },
  externalsecrets: {
    group: 'external-secrets.io',
    versions: ['v1', 'v1beta1'],
    plural: 'externalsecrets',
    kind: 'ExternalSecret',
    namespaced: true,
  },
  applications: {
    group: 'argoproj.io',
    versions: ['v1alpha1'],
    plural: 'applications',
    kind: 'Application',
    namespaced: true,
  },
  gatewayclasses: {
    group: 'gateway.networking.k8s.io',
    versions: ['v1', 'v1beta1'],
    plural: 'gatewayclasses',
    kind: 'GatewayClass',
    namespaced: false,
  },
  gateways: {
    group: 'gateway.networking.k8s.io',
    versions: ['v1', 'v1beta1'],
    plural: 'gateways',
    kind: 'Gateway',
    namespaced: true,
  },
  httproutes: {
    group: 'gateway.networking.k8s.io',
    versions: ['v1', 'v1beta1'],
    plural: 'httproutes',
    kind: 'HTTPRoute',
    namespaced: true,
  },
  // Stored as v1beta1 and served as v1 only since gateway-api v1.5: ask for v1beta1 first.
  referencegrants: {
    group: 'gateway.networking.k8s.io',
    versions: ['v1beta1', 'v1'],
    plural: 'referencegrants',
    kind: 'ReferenceGrant',
    namespaced: true,
  },
} as const satisfies Record<string, KindDef>;

export type KindName = keyof typeof KINDS;

/** `plural.group` as RBAC and kubectl name a resource, e.g. `certificates.cert-manager.io`. */
export function resourceName(kind: KindName): string {
  const def: KindDef = KINDS[kind];
  return def.group ? `${def.plural}.${def.group}` : def.plural;
}
