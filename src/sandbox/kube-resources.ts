/**
 * What the sandbox API server serves: each resource with its discovery entry and the table columns the real
 * server sends for `kubectl get`. Built-in columns follow kubernetes pkg/printers/internalversion/printers.go;
 * CRD columns are the `additionalPrinterColumns` of the upstream CRDs (cert-manager v1.x, ESO v0.16+, Argo CD,
 * Gateway API v1.x standard channel: config/crd/standard/gateway.networking.k8s.io_*.yaml).
 */

import { lastSeen, toCoreEvent } from './kube-events.js';

/** A Kubernetes object as stored by the sandbox: loose, the columns read what they need. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KubeObj = Record<string, any> & { metadata: Record<string, any> };

export interface Column {
  name: string;
  type: 'string' | 'integer' | 'date';
  /** Shown only with `-o wide` when > 0. */
  priority?: number;
  description?: string;
  cell(obj: KubeObj, now: Date): string | number;
}

/** CRD families are served only when the scenario holds objects of them (see `servedResources`). */
export type Family = 'cert-manager' | 'external-secrets' | 'argocd' | 'gateway-api';

export interface ApiResource {
  group: string;
  versions: readonly string[];
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  verbs: readonly string[];
  shortNames?: readonly string[];
  categories?: readonly string[];
  family?: Family;
  /** Columns after NAME. */
  columns: readonly Column[];
  /** Field selectors beyond metadata.name/metadata.namespace, as the real registry supports them. */
  fields?: Readonly<Record<string, (obj: KubeObj) => string>>;
  subresources?: readonly { name: string; kind: string; verbs: readonly string[] }[];
}

const READ_WRITE = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
] as const;
/** Gateway API serves v1 and still v1beta1 of its core kinds (gateway-api v1.x standard channel). */
const gatewayVersions = ['v1', 'v1beta1'] as const;

const AGE_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not ' +
  'guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It ' +
  'is represented in RFC3339 form and is in UTC.';

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration, as the AGE column renders. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

/** printers.go translateTimestampSince: `<unknown>` without a timestamp. */
export function since(timestamp: unknown, now: Date): string {
  if (typeof timestamp !== 'string' || timestamp === '') return '<unknown>';
  return humanDuration(now.getTime() - Date.parse(timestamp));
}

const age: Column = {
  name: 'Age',
  type: 'date',
  description: AGE_DESCRIPTION,
  cell: (obj, now) => since(obj.metadata.creationTimestamp, now),
};

/** `.status.conditions[?(@.type=="X")].field` as a CRD printer column renders it ('' when absent). */
function condition(type: string, field: 'status' | 'reason' | 'message') {
  return (obj: KubeObj): string => {
    const found = (obj.status?.conditions ?? []).find((c: { type?: string }) => c.type === type);
    return found?.[field] === undefined ? '' : String(found[field]);
  };
}

function path(...keys: string[]) {
  return (obj: KubeObj): string => {
    let value: unknown = obj;
    for (const key of keys) value = (value as Record<string, unknown> | undefined)?.[key];
    if (value === undefined || value === null) return '';
    return typeof value === 'object' ? JSON.stringify(value) : String(value as string | number | boolean);
  };
}

const text = (name: string, cell: (obj: KubeObj) => string, priority?: number): Column => ({
  name,
  type: 'string',
  cell,
  ...(priority ? { priority } : {}),
});

/** Joins up to `max` items the way printers.go does: `a,b,c + 2 more...`. */
function joinMax(items: string[], max: number, separator = ','): string {
  if (items.length <= max) return items.join(separator);
  return `${items.slice(0, max).join(separator)} + ${items.length - max} more...`;
}

function none(value: string): string {
  return value === '' ? '<none>' : value;
}

function loadBalancerAddresses(obj: KubeObj, wide: boolean): string {
  const addresses: string[] = (obj.status?.loadBalancer?.ingress ?? [])
    .map((i: { ip?: string; hostname?: string }) => i.ip || i.hostname || '')
    .filter((a: string) => a !== '');
  const joined = addresses.join(',');
  // printers.go loadBalancerWidth: long addresses are cut unless -o wide.
  return !wide && joined.length > 16 ? `${joined.slice(0, 13)}...` : joined;
}

function podColumns(): Column[] {
  const summary = (obj: KubeObj, now: Date) => {
    const statuses: KubeObj[] = obj.status?.containerStatuses ?? [];
    let reason: string = obj.status?.reason || obj.status?.phase || '';
    let ready = 0;
    let restarts = 0;
    let lastRestart = 0;
    let hasRunning = false;
    for (const status of [...statuses].reverse()) {
      restarts += status.restartCount ?? 0;
      const finished = status.lastState?.terminated?.finishedAt;
      if (finished) lastRestart = Math.max(lastRestart, Date.parse(finished));
      const { waiting, terminated, running } = status.state ?? {};
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated)
        reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`;
      else if (status.ready && running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const isReady = (obj.status?.conditions ?? []).some(
        (c: { type?: string; status?: string }) => c.type === 'Ready' && c.status === 'True',
      );
      reason = isReady ? 'Running' : 'NotReady';
    }
    if (obj.metadata.deletionTimestamp) reason = 'Terminating';
    const restartText =
      restarts !== 0 && lastRestart > 0
        ? `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)`
        : String(restarts);
    return { ready: `${ready}/${(obj.spec?.containers ?? []).length}`, reason, restartText };
  };
  return [
    { name: 'Ready', type: 'string', cell: (obj, now) => summary(obj, now).ready },
    { name: 'Status', type: 'string', cell: (obj, now) => summary(obj, now).reason },
    { name: 'Restarts', type: 'string', cell: (obj, now) => summary(obj, now).restartText },
    age,
    text('IP', (obj) => none(obj.status?.podIP ?? ''), 1),
    text('Node', (obj) => none(obj.spec?.nodeName ?? ''), 1),
    text('Nominated Node', (obj) => none(obj.status?.nominatedNodeName ?? ''), 1),
    text('Readiness Gates', () => '<none>', 1),
  ];
}

function serviceColumns(): Column[] {
  const externalIp = (obj: KubeObj): string => {
    const external: string[] = obj.spec?.externalIPs ?? [];
    switch (obj.spec?.type) {
      case 'LoadBalancer': {
        const lb = loadBalancerAddresses(obj, true);
        const all = [...(lb ? lb.split(',') : []), ...external];
        return all.length ? all.join(',') : '<pending>';
      }
      case 'ExternalName':
        return obj.spec.externalName ?? '';
      default:
        return external.length ? external.join(',') : '<none>';
    }
  };
  const ports = (obj: KubeObj): string => {
    const list: string[] = (obj.spec?.ports ?? []).map(
      (p: { port: number; nodePort?: number; protocol?: string }) =>
        `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`,
    );
    return list.length ? list.join(',') : '<none>';
  };
  return [
    text('Type', path('spec', 'type')),
    text('Cluster-IP', (obj) => none(obj.spec?.clusterIP ?? '')),
    text('External-IP', externalIp),
    text('Port(s)', ports),
    age,
    text(
      'Selector',
      (obj) =>
        none(
          Object.entries(obj.spec?.selector ?? {})
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(','),
        ),
      1,
    ),
  ];
}

function ingressColumns(): Column[] {
  const hosts = (obj: KubeObj): string => {
    const names: string[] = (obj.spec?.rules ?? [])
      .map((r: { host?: string }) => r.host ?? '')
      .filter((h: string) => h !== '');
    const rules = (obj.spec?.rules ?? []).length;
    if (names.length === 0) return '*';
    const shown = names.slice(0, 3).join(',');
    return rules > 3 ? `${shown} + ${rules - 3} more...` : shown;
  };
  return [
    text('Class', (obj) => obj.spec?.ingressClassName ?? '<none>'),
    text('Hosts', hosts),
    text('Address', (obj) => loadBalancerAddresses(obj, false)),
    text('Ports', (obj) => ((obj.spec?.tls ?? []).length ? '80, 443' : '80')),
    age,
  ];
}

function endpointAddresses(obj: KubeObj): string {
  const list: string[] = [];
  for (const subset of obj.subsets ?? []) {
    for (const address of subset.addresses ?? []) {
      for (const port of subset.ports ?? [{}])
        list.push(port.port ? `${address.ip}:${port.port}` : address.ip);
    }
  }
  return list.length ? joinMax(list, 3) : '<none>';
}

function endpointSliceColumns(): Column[] {
  return [
    text('AddressType', path('addressType')),
    text('Ports', (obj) => {
      const ports: string[] = (obj.ports ?? []).map((p: { port?: number }) => String(p.port ?? ''));
      return ports.length ? joinMax(ports, 3) : '<unset>';
    }),
    text('Endpoints', (obj) => {
      const addresses: string[] = (obj.endpoints ?? []).flatMap(
        (e: { addresses?: string[] }) => e.addresses ?? [],
      );
      return addresses.length ? joinMax(addresses, 3) : '<unset>';
    }),
    age,
  ];
}

const count = (name: string, pick: (obj: KubeObj) => unknown): Column => ({
  name,
  type: 'integer',
  cell: (obj) => {
    const value = pick(obj);
    return Array.isArray(value) ? value.length : Object.keys(value ?? {}).length;
  },
});

const number = (name: string, pick: (obj: KubeObj) => unknown): Column => ({
  name,
  type: 'integer',
  cell: (obj) => Number(pick(obj) ?? 0),
});

const podFields = {
  'spec.nodeName': path('spec', 'nodeName'),
  'spec.restartPolicy': path('spec', 'restartPolicy'),
  'spec.schedulerName': path('spec', 'schedulerName'),
  'spec.serviceAccountName': path('spec', 'serviceAccountName'),
  'spec.hostNetwork': (obj: KubeObj) => String(obj.spec?.hostNetwork ?? false),
  'status.phase': path('status', 'phase'),
  'status.podIP': path('status', 'podIP'),
  'status.nominatedNodeName': path('status', 'nominatedNodeName'),
};

const eventFields = {
  'involvedObject.kind': path('involvedObject', 'kind'),
  'involvedObject.namespace': path('involvedObject', 'namespace'),
  'involvedObject.name': path('involvedObject', 'name'),
  'involvedObject.uid': path('involvedObject', 'uid'),
  'involvedObject.apiVersion': path('involvedObject', 'apiVersion'),
  'involvedObject.resourceVersion': path('involvedObject', 'resourceVersion'),
  'involvedObject.fieldPath': path('involvedObject', 'fieldPath'),
  reason: path('reason'),
  reportingComponent: path('reportingComponent'),
  source: path('source', 'component'),
  type: path('type'),
};

/** What the Event resource is in both groups that serve it. */
const EVENTS = {
  versions: ['v1'],
  plural: 'events',
  singular: 'event',
  kind: 'Event',
  namespaced: true,
  verbs: READ_WRITE,
  shortNames: ['ev'],
} as const;

/** `kubectl get events` columns, read from the core/v1 view of an event of either group. */
function eventColumns(core: (obj: KubeObj) => KubeObj): Column[] {
  return [
    { name: 'Last Seen', type: 'string', cell: (obj, now) => since(lastSeen(core(obj)), now) },
    text('Type', (obj) => path('type')(core(obj))),
    text('Reason', (obj) => path('reason')(core(obj))),
    text('Object', (obj) => {
      const involved = core(obj).involvedObject;
      return `${String(involved?.kind ?? '').toLowerCase()}/${involved?.name ?? ''}`;
    }),
    text('Message', (obj) => path('message')(core(obj))),
  ];
}

const certManagerReady = [
  text('Ready', condition('Ready', 'status')),
  text('Status', condition('Ready', 'message'), 1),
  age,
];

const storeColumns = [
  { ...age, name: 'AGE' },
  text('Status', condition('Ready', 'reason')),
  text('Capabilities', path('status', 'capabilities')),
  text('Ready', condition('Ready', 'status')),
];

const esoVersions = ['v1', 'v1beta1'] as const;

/** Every resource the sandbox knows, in discovery order. */
export const RESOURCES: readonly ApiResource[] = [
  {
    group: '',
    versions: ['v1'],
    plural: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['ns'],
    columns: [text('Status', path('status', 'phase')), age],
    fields: { 'status.phase': path('status', 'phase') },
  },
  {
    group: '',
    versions: ['v1'],
    plural: 'pods',
    singular: 'pod',
    kind: 'Pod',
    namespaced: true,
    verbs: READ_WRITE,
    shortNames: ['po'],
    categories: ['all'],
    columns: podColumns(),
    fields: podFields,
    subresources: [
      { name: 'log', kind: 'Pod', verbs: ['get'] },
      { name: 'status', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
    ],
  },
  {
    group: '',
    versions: ['v1'],
    plural: 'services',
    singular: 'service',
    kind: 'Service',
    namespaced: true,
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['svc'],
    categories: ['all'],
    columns: serviceColumns(),
    subresources: [
      { name: 'proxy', kind: 'ServiceProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
    ],
  },
  {
    group: '',
    versions: ['v1'],
    plural: 'endpoints',
    singular: 'endpoints',
    kind: 'Endpoints',
    namespaced: true,
    verbs: READ_WRITE,
    shortNames: ['ep'],
    columns: [text('Endpoints', endpointAddresses), age],
  },
  { ...EVENTS, group: '', columns: eventColumns((obj) => obj), fields: eventFields },
  {
    group: '',
    versions: ['v1'],
    plural: 'secrets',
    singular: 'secret',
    kind: 'Secret',
    namespaced: true,
    verbs: READ_WRITE,
    columns: [text('Type', path('type')), count('Data', (obj) => obj.data), age],
    fields: { type: path('type') },
  },
  {
    group: '',
    versions: ['v1'],
    plural: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    namespaced: true,
    verbs: READ_WRITE,
    shortNames: ['cm'],
    columns: [count('Data', (obj) => ({ ...obj.data, ...obj.binaryData })), age],
  },
  {
    group: '',
    versions: ['v1'],
    plural: 'serviceaccounts',
    singular: 'serviceaccount',
    kind: 'ServiceAccount',
    namespaced: true,
    verbs: READ_WRITE,
    shortNames: ['sa'],
    columns: [count('Secrets', (obj) => obj.secrets), age],
  },
  {
    group: 'apps',
    versions: ['v1'],
    plural: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    namespaced: true,
    verbs: READ_WRITE,
    shortNames: ['deploy'],
    categories: ['all'],
    columns: [
      text('Ready', (obj) => `${obj.status?.readyReplicas ?? 0}/${obj.spec?.replicas ?? 1}`),
      number('Up-to-date', (obj) => obj.status?.updatedReplicas),
      number('Available', (obj) => obj.status?.availableReplicas),
      age,
    ],
  },
  {
    group: 'apps',
    versions: ['v1'],
    plural: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    namespaced: true,
    verbs: READ_WRITE,
    shortNames: ['rs'],
    categories: ['all'],
    columns: [
      number('Desired', (obj) => obj.spec?.replicas ?? 1),
      number('Current', (obj) => obj.status?.replicas),
      number('Ready', (obj) => obj.status?.readyReplicas),
      age,
    ],
  },
  {
    group: 'apps',
    versions: ['v1'],
    plural: 'statefulsets',
    singular: 'statefulset',
    kind: 'StatefulSet',
    namespaced: true,
    verbs: READ_WRITE,
    shortNames: ['sts'],
    categories: ['all'],
    columns: [text('Ready', (obj) => `${obj.status?.readyReplicas ?? 0}/${obj.spec?.replicas ?? 1}`), age],
  },
  {
    group: 'apps',
    versions: ['v1'],
    plural: 'daemonsets',
    singular: 'daemonset',
    kind: 'DaemonSet',
    namespaced: true,
    verbs: READ_WRITE,
    shortNames: ['ds'],
    categories: ['all'],
    columns: [
      number('Desired', (obj) => obj.status?.desiredNumberScheduled),
      number('Current', (obj) => obj.status?.currentNumberScheduled),
      number('Ready', (obj) => obj.status?.numberReady),
      number('Up-to-date', (obj) => obj.status?.updatedNumberScheduled),
      number('Available', (obj) => obj.status?.numberAvailable),
      text('Node Selector', (obj) =>
        none(
          Object.entries(obj.spec?.template?.spec?.nodeSelector ?? {})
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(','),
        ),
      ),
      age,
    ],
  },
  {
    // The same Events in the newer group (kubernetes pkg/apis/events/v1); see kube-events.ts.
    ...EVENTS,
    group: 'events.k8s.io',
    columns: eventColumns(toCoreEvent),
    fields: {
      'regarding.kind': path('regarding', 'kind'),
      'regarding.namespace': path('regarding', 'namespace'),
      'regarding.name': path('regarding', 'name'),
      'regarding.uid': path('regarding', 'uid'),
      reason: path('reason'),
      reportingController: path('reportingController'),
      type: path('type'),
    },
  },
  {
    group: 'discovery.k8s.io',
    versions: ['v1'],
    plural: 'endpointslices',
    singular: 'endpointslice',
    kind: 'EndpointSlice',
    namespaced: true,
    verbs: READ_WRITE,
    columns: endpointSliceColumns(),
  },
  {
    group: 'networking.k8s.io',
    versions: ['v1'],
    plural: 'ingresses',
    singular: 'ingress',
    kind: 'Ingress',
    namespaced: true,
    verbs: READ_WRITE,
    shortNames: ['ing'],
    columns: ingressColumns(),
    subresources: [{ name: 'status', kind: 'Ingress', verbs: ['get', 'patch', 'update'] }],
  },
  {
    group: 'networking.k8s.io',
    versions: ['v1'],
    plural: 'ingressclasses',
    singular: 'ingressclass',
    kind: 'IngressClass',
    namespaced: false,
    verbs: READ_WRITE,
    columns: [
      text('Controller', path('spec', 'controller')),
      text('Parameters', (obj) =>
        obj.spec?.parameters ? `${obj.spec.parameters.kind}/${obj.spec.parameters.name}` : '<none>',
      ),
      age,
    ],
  },
  {
    group: 'authorization.k8s.io',
    versions: ['v1'],
    plural: 'selfsubjectaccessreviews',
    singular: 'selfsubjectaccessreview',
    kind: 'SelfSubjectAccessReview',
    namespaced: false,
    verbs: ['create'],
    columns: [],
  },
  {
    group: 'cert-manager.io',
    versions: ['v1'],
    plural: 'certificates',
    singular: 'certificate',
    kind: 'Certificate',
    namespaced: true,
    verbs: READ_WRITE,
    shortNames: ['cert', 'certs'],
    categories: ['cert-manager'],
    family: 'cert-manager',
    columns: [
      text('Ready', condition('Ready', 'status')),
      text('Secret', path('spec', 'secretName')),
      text('Issuer', path('spec', 'issuerRef', 'name'), 1),
      text('Status', condition('Ready', 'message'), 1),
      age,
    ],
  },
  {
    group: 'cert-manager.io',
    versions: ['v1'],
    plural: 'certificaterequests',
    singular: 'certificaterequest',
    kind: 'CertificateRequest',
    namespaced: true,
    verbs: READ_WRITE,
    shortNames: ['cr', 'crs'],
    categories: ['cert-manager'],
    family: 'cert-manager',
    columns: [
      text('Approved', condition('Approved', 'status')),
      text('Denied', condition('Denied', 'status')),
      text('Ready', condition('Ready', 'status')),
      text('Issuer', path('spec', 'issuerRef', 'name')),
      text('Requester', path('spec', 'username')),
      text('Status', condition('Ready', 'message'), 1),
      age,
    ],
  },
  {
    group: 'cert-manager.io',
    versions: ['v1'],
    plural: 'issuers',
    singular: 'issuer',
    kind: 'Issuer',
    namespaced: true,
    verbs: READ_WRITE,
    categories: ['cert-manager'],
    family: 'cert-manager',
    columns: certManagerReady,
  },
  {
    group: 'cert-manager.io',
    versions: ['v1'],
    plural: 'clusterissuers',
    singular: 'clusterissuer',
    kind: 'ClusterIssuer',
    namespaced: false,
    verbs: READ_WRITE,
    categories: ['cert-manager'],
    family: 'cert-manager',
    columns: certManagerReady,
  },
  {
    group: 'acme.cert-manager.io',
    versions: ['v1'],
    plural: 'orders',
    singular: 'order',
    kind: 'Order',
    namespaced: true,
    verbs: READ_WRITE,
    categories: ['cert-manager', 'cert-manager-acme'],
    family: 'cert-manager',
    columns: [
      text('State', path('status', 'state')),
      text('Issuer', path('spec', 'issuerRef', 'name'), 1),
      text('Reason', path('status', 'reason'), 1),
      age,
    ],
  },
  {
    group: 'acme.cert-manager.io',
    versions: ['v1'],
    plural: 'challenges',
    singular: 'challenge',
    kind: 'Challenge',
    namespaced: true,
    verbs: READ_WRITE,
    categories: ['cert-manager', 'cert-manager-acme'],
    family: 'cert-manager',
    columns: [
      text('State', path('status', 'state')),
      text('Domain', path('spec', 'dnsName')),
      text('Reason', path('status', 'reason'), 1),
      age,
    ],
  },
  {
    group: 'external-secrets.io',
    versions: esoVersions,
    plural: 'externalsecrets',
    singular: 'externalsecret',
    kind: 'ExternalSecret',
    namespaced: true,
    verbs: READ_WRITE,
    shortNames: ['es'],
    categories: ['external-secrets'],
    family: 'external-secrets',
    columns: [
      text('StoreType', path('spec', 'secretStoreRef', 'kind')),
      text('Store', path('spec', 'secretStoreRef', 'name')),
      text('Refresh Interval', path('spec', 'refreshInterval')),
      text('Status', condition('Ready', 'reason')),
      text('Ready', condition('Ready', 'status')),
    ],
  },
  {
    group: 'external-secrets.io',
    versions: esoVersions,
    plural: 'secretstores',
    singular: 'secretstore',
    kind: 'SecretStore',
    namespaced: true,
    verbs: READ_WRITE,
    shortNames: ['ss'],
    categories: ['external-secrets'],
    family: 'external-secrets',
    columns: storeColumns,
  },
  {
    group: 'external-secrets.io',
    versions: esoVersions,
    plural: 'clustersecretstores',
    singular: 'clustersecretstore',
    kind: 'ClusterSecretStore',
    namespaced: false,
    verbs: READ_WRITE,
    shortNames: ['css'],
    categories: ['external-secrets'],
    family: 'external-secrets',
    columns: storeColumns,
  },
  {
    group: 'argoproj.io',
    versions: ['v1alpha1'],
    plural: 'applications',
    singular: 'application',
    kind: 'Application',
    namespaced: true,
    verbs: READ_WRITE,
    shortNames: ['app', 'apps'],
    family: 'argocd',
    columns: [
      text('Sync Status', path('status', 'sync', 'status')),
      text('Health Status', path('status', 'health', 'status')),
      text('Revision', path('status', 'sync', 'revision'), 10),
      text('Project', path('spec', 'project'), 10),
    ],
  },
  {
    group: 'argoproj.io',
    versions: ['v1alpha1'],
    plural: 'appprojects',
    singular: 'appproject',
    kind: 'AppProject',
    namespaced: true,
    verbs: READ_WRITE,
    shortNames: ['appproj', 'appprojs'],
    family: 'argocd',
    columns: [age],
  },
  {
    group: 'gateway.networking.k8s.io',
    versions: gatewayVersions,
    plural: 'gatewayclasses',
    singular: 'gatewayclass',
    kind: 'GatewayClass',
    namespaced: false,
    verbs: READ_WRITE,
    shortNames: ['gc'],
    categories: ['gateway-api'],
    family: 'gateway-api',
    columns: [
      text('Controller', path('spec', 'controllerName')),
      text('Accepted', condition('Accepted', 'status')),
      age,
      text('Description', path('spec', 'description'), 1),
    ],
  },
  {
    group: 'gateway.networking.k8s.io',
    versions: gatewayVersions,
    plural: 'gateways',
    singular: 'gateway',
    kind: 'Gateway',
    namespaced: true,
    verbs: READ_WRITE,
    shortNames: ['gtw'],
    categories: ['gateway-api'],
    family: 'gateway-api',
    columns: [
      text('Class', path('spec', 'gatewayClassName')),
      // `.status.addresses[*].value`: several matches print comma-separated.
      text('Address', (obj) =>
        (obj.status?.addresses ?? []).map((a: { value?: string }) => a.value ?? '').join(','),
      ),
      text('Programmed', condition('Programmed', 'status')),
      age,
    ],
  },
  {
    group: 'gateway.networking.k8s.io',
    versions: gatewayVersions,
    plural: 'httproutes',
    singular: 'httproute',
    kind: 'HTTPRoute',
    namespaced: true,
    verbs: READ_WRITE,
    categories: ['gateway-api'],
    family: 'gateway-api',
    columns: [text('Hostnames', path('spec', 'hostnames')), age],
  },
  {
    group: 'gateway.networking.k8s.io',
    // Stored as v1beta1; v1 is served only since gateway-api v1.5.
    versions: ['v1beta1'],
    plural: 'referencegrants',
    singular: 'referencegrant',
    kind: 'ReferenceGrant',
    namespaced: true,
    verbs: READ_WRITE,
    shortNames: ['refgrant'],
    categories: ['gateway-api'],
    family: 'gateway-api',
    columns: [age],
  },
];

/** The resource for an object's apiVersion group and kind, or undefined when the sandbox does not serve it. */
export function resourceForKind(group: string, kind: string): ApiResource | undefined {
  return RESOURCES.find((r) => r.group === group && r.kind === kind);
}

/** `plural.group` as RBAC and error messages name a resource (`ingresses.networking.k8s.io`, `pods`). */
export function qualifiedName(resource: Pick<ApiResource, 'group' | 'plural'>): string {
  return resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
}
