/**
 * fast-check arbitraries for what a hostile or half-installed cluster can hand the doctor.
 *
 * Objects come in two mixes (see Mix). Hostile objects carry garbage and gaps at every level: null, '',
 * numbers, booleans, arrays, objects, prototype keys and 100 KB strings where a field belongs. Plausible
 * objects keep realistic shapes with random values, drawn from small shared pools of names, so references
 * between objects resolve and judgement reaches its deep branches. Metadata always follows the kube gateway's
 * guarantee (name a non-empty string, labels string records, …); `spec`, `status` and every top-level field
 * of an Event may be any JSON value. Gateway answers (DNS, HTTP, OpenBao, logs) are typed, as the gateways
 * guarantee, with arbitrary values.
 */
import fc from 'fast-check';
import type { KindName } from '../../src/gateways/kinds.js';
import type {
  BaoHealth,
  DnsAnswer,
  HttpReply,
  KubeObject,
  KvRead,
  SecretSummary,
  TlsProbe,
  TokenLookup,
} from '../../src/gateways/types.js';
import { GATEWAY_ERROR_KINDS, type GatewayErrorKind } from '../../src/gateways/errors.js';

/** The clock every property evaluates against. */
export const NOW = new Date('2026-03-01T00:00:00Z');
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------- garbage

/**
 * Text that shows a wrong shape was read as if it were right (`port undefined`, `expires in NaN days`).
 * Generated strings never contain it, so the property may reject any message that does.
 */
export const SHAPE_LEAK = /undefined|\[object Object\]|NaN|Invalid Date/;

/** Random text free of SHAPE_LEAK words. */
const text = (constraints: fc.StringConstraints = {}) =>
  fc.string(constraints).filter((s) => !SHAPE_LEAK.test(s));
const json = (maxDepth: number) =>
  fc.jsonValue({ maxDepth }).filter((v) => !SHAPE_LEAK.test(JSON.stringify(v) ?? ''));

const HUGE = [
  'x'.repeat(120_000),
  'a b\n\t'.repeat(30_000),
  `${'https://bao.example.test/'.repeat(5_000)}:8200`,
  `urn:ietf:params:acme:error:rateLimited: ${'too many '.repeat(15_000)}`,
];

/** A 100 KB+ string: long values must neither crash nor hang a reader. */
export const hugeString = fc.constantFrom(...HUGE);

/** Keys and values that collide with Object.prototype when used to index a plain record. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

const oddString = fc.oneof(
  fc.constantFrom('', ' ', '\n', '0', 'null', 'true', ...PROTOTYPE_KEYS),
  text({ maxLength: 12 }),
);

/** Any JSON value, shallow or nested, plus the shapes readers trip over most. */
export const garbage: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(null, '', 0, -1, 1.5, true, false, [], {}) },
  { weight: 2, arbitrary: oddString },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 2, arbitrary: json(2) },
  { weight: 1, arbitrary: fc.array(json(1), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(oddString, json(1), { maxKeys: 3, noNullPrototype: true }) },
  { weight: 1, arbitrary: hugeString },
);

/**
 * How hostile generated objects are. `hostile` puts garbage and gaps at every level; `plausible` keeps
 * realistic shapes (random values, few gaps) so runs reach the deep branches of judgement.
 */
export interface Mix {
  /** Weight of garbage against 8 for a plausible value, per field. */
  garbageWeight: number;
  /** A field is absent in 1 of `absentFreq` objects. */
  absentFreq: number;
  /** Names of objects and of the objects they reference. */
  name: fc.Arbitrary<string>;
  namespace: fc.Arbitrary<string>;
}

const ABSENT = Symbol('absent');

/** The field builders for one Mix. */
function builders(mix: Mix) {
  /** `arb` most of the time, garbage otherwise. */
  const loose = (arb: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
    mix.garbageWeight === 0
      ? arb
      : fc.oneof({ weight: 8, arbitrary: arb }, { weight: mix.garbageWeight, arbitrary: garbage });

  /** An object whose every field may be absent or garbage; the object itself may be garbage. */
  const shape = (fields: Record<string, fc.Arbitrary<unknown>>, isStrict = false): fc.Arbitrary<unknown> => {
    const keys = Object.keys(fields);
    const parts = keys.map((k) => fc.option(loose(fields[k]!), { freq: mix.absentFreq, nil: ABSENT }));
    const object = fc.tuple(...parts).map((values) => {
      const out: Record<string, unknown> = {};
      values.forEach((v, i) => {
        // defineProperty: a generated `__proto__` key must stay a plain own field, as JSON.parse makes it.
        if (v !== ABSENT)
          Object.defineProperty(out, keys[i]!, {
            value: v,
            enumerable: true,
            writable: true,
            configurable: true,
          });
      });
      return out;
    });
    return isStrict ? object : loose(object);
  };

  /** A list of `item`s, sometimes holding garbage entries; the list itself may be garbage. Plausible lists are not empty. */
  const list = (item: fc.Arbitrary<unknown>, maxLength = 3): fc.Arbitrary<unknown> =>
    loose(fc.array(loose(item), { minLength: mix.garbageWeight === 0 ? 1 : 0, maxLength }));

  return { loose, shape, list };
}

// ---------------------------------------------------------------- pools

/** Namespaces; the controller namespaces are here so controller lookups find something. */
export const NAMESPACES = [
  'plate-stg',
  'plate-prod',
  'ingress-nginx',
  'cert-manager',
  'external-secrets',
  'argocd',
  'default',
] as const;

const NAME_POOL = [
  'web',
  'api',
  'openbao',
  'tls-web',
  'tls-api',
  'app-env',
  'ingress-nginx-controller',
  'letsencrypt',
  'vault-token',
  'plate',
];

export const HOSTS = [
  'a.example.test',
  'b.example.test',
  '*.example.test',
  'example.test',
  'stg.cocdev.co.kr',
];
export const IPS = ['203.0.113.10', '203.0.113.11', '198.51.100.7', '2001:db8::1'];
export const LB_HOSTNAMES = ['lb.example.test', '198.51.100.7.nip.io', 'elb-1.amazonaws.test'];

/** A realistic name most of the time; prototype keys, odd and huge names sometimes (still non-empty). */
export const anyName = fc.oneof(
  // Most objects share two names, so references between them (backend → Service, store → token Secret) resolve.
  { weight: 12, arbitrary: fc.constantFrom('web', 'openbao') },
  { weight: 6, arbitrary: fc.constantFrom(...NAME_POOL) },
  { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
  { weight: 1, arbitrary: text({ minLength: 1, maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constant('y'.repeat(110_000)) },
);
/** Any namespace, application namespaces first. */
export const anyNamespace = fc.oneof(
  { weight: 3, arbitrary: fc.constant('plate-stg') },
  { weight: 2, arbitrary: fc.constantFrom(...NAMESPACES) },
);

export const HOSTILE: Mix = {
  garbageWeight: 2,
  absentFreq: 4,
  name: anyName,
  // Namespaces are only strings to the gateway; one named like an Object.prototype member tests every lookup.
  namespace: fc.oneof(
    { weight: 8, arbitrary: anyNamespace },
    { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
  ),
};
// Few names and mostly one namespace, so references between objects (backend → Service → EndpointSlice,
// store → token Secret) resolve and judgement gets past "does not exist".
export const PLAUSIBLE: Mix = {
  garbageWeight: 0,
  absentFreq: 10,
  name: fc.constantFrom('web', 'web', 'openbao', 'api'),
  namespace: fc.oneof(
    { weight: 8, arbitrary: fc.constant('plate-stg') },
    { weight: 2, arbitrary: fc.constantFrom(...NAMESPACES) },
  ),
};

const host = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...HOSTS) }, { weight: 1, arbitrary: anyName });
const ip = fc.constantFrom(...IPS);

/** RFC 3339 times around NOW, and the other ways people and controllers write times. */
export const time = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .integer({ min: -400, max: 400 })
      .map((d) => new Date(NOW.getTime() + d * DAY_MS).toISOString()),
  },
  {
    weight: 2,
    arbitrary: fc
      .integer({ min: -90, max: 30 })
      .map((m) => new Date(NOW.getTime() + m * 60_000).toISOString()),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('2026-08-15 19:14:33 UTC', 'yesterday', '', '0', '9999-99-99T99:99:99Z'),
  },
);

// Weighted towards True: a run should see healthy objects as often as broken ones.
const conditionStatus = fc.constantFrom('True', 'True', 'False', 'Unknown');
const reason = fc.constantFrom(
  'UpdateFailed',
  'Failed',
  'Ready',
  'Failed',
  'Pending',
  'SecretSynced',
  'SecretSyncedError',
  'SecretMissing',
  'ValidationFailed',
  'UpdateFailed',
  'ErrNotReady',
);
const RATE =
  'Failed to create Order: 429 urn:ietf:params:acme:error:rateLimited: Error creating new order :: too many certificates already issued: see https://letsencrypt.org/docs/rate-limits/, retry after 2026-02-28 19:14:33 UTC';
/** What cert-manager writes when issuance fails: each names a different cause. */
const acmeMessage = fc.constantFrom(
  RATE,
  'Waiting for HTTP-01 challenge propagation: wrong status code 404, expected 200',
  'Waiting for dns-01 challenge propagation: DNS record not yet propagated',
  'Referenced "ClusterIssuer" not found: clusterissuer.cert-manager.io "letsencrypt" not found',
);
const message = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      RATE,
      'Waiting for HTTP-01 challenge propagation: wrong status code 404, expected 200',
      'Waiting for dns-01 challenge propagation: DNS record not yet propagated',
      'Referenced "ClusterIssuer" not found: clusterissuer.cert-manager.io "letsencrypt" not found',
      'could not get secret data from provider',
      'unable to validate store: Error making API request.\n\nCode: 403. Errors:\n\n* permission denied',
      'Vault is sealed',
      'Certificate is up to date and has not expired',
    ),
  },
  { weight: 1, arbitrary: oddString },
);

// ---------------------------------------------------------------- metadata (the gateway guarantees its shape)

const ownerKinds = fc.constantFrom(
  'Certificate',
  'CertificateRequest',
  'Order',
  'ExternalSecret',
  'ReplicaSet',
);
const uid = fc.constantFrom('uid-1', 'uid-2', 'uid-3', 'uid-4');
const stringRecord = (keys: readonly string[], value: fc.Arbitrary<string>) =>
  fc.dictionary(fc.oneof(fc.constantFrom(...keys), text({ maxLength: 8 })), value, {
    maxKeys: 4,
    noNullPrototype: true,
  });

const ANNOTATION_KEYS = [
  'kubernetes.io/ingress.class',
  'cert-manager.io/cluster-issuer',
  'cert-manager.io/issuer',
  'cert-manager.io/certificate-name',
  'cert-manager.io/certificate-revision',
  'ingressclass.kubernetes.io/is-default-class',
  ...PROTOTYPE_KEYS,
];
const LABEL_KEYS = [
  'kubernetes.io/service-name',
  'app',
  'app.kubernetes.io/name',
  'app.kubernetes.io/component',
  'app.kubernetes.io/instance',
];
const labelValue = fc.constantFrom(
  'web',
  'api',
  'openbao',
  'cert-manager',
  'controller',
  'external-secrets',
  'nginx',
  '',
  'constructor',
);
const annotationValue = fc.oneof(
  fc.constantFrom(
    'nginx',
    'letsencrypt',
    'tls-web',
    'true',
    'false',
    '1',
    '2',
    '-3',
    'x',
    '',
    'constructor',
    '__proto__',
  ),
  text({ maxLength: 10 }),
);

const labels = stringRecord(LABEL_KEYS, labelValue);
const annotations = stringRecord(ANNOTATION_KEYS, annotationValue);
/** Labels the profile's controller pod selectors match, or random ones. */
const podLabels = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom<Record<string, string>>(
      { app: 'cert-manager' },
      { 'app.kubernetes.io/name': 'cert-manager', 'app.kubernetes.io/component': 'controller' },
      { 'app.kubernetes.io/name': 'external-secrets', 'app.kubernetes.io/instance': 'external-secrets' },
    ),
  },
  { weight: 1, arbitrary: labels },
);

/** What differs between kinds in their metadata. */
interface MetadataOptions {
  name?: fc.Arbitrary<string>;
  namespace?: fc.Arbitrary<string>;
  clusterScoped?: boolean;
  labels?: fc.Arbitrary<Record<string, string>>;
  annotations?: fc.Arbitrary<Record<string, string>>;
  /** The kind that usually owns objects of this kind (Certificate owns CertificateRequests, …). */
  ownerKind?: string;
}

/** `metadata` as the kube gateway guarantees it; cluster-scoped objects carry no namespace. */
export function metadata(options: MetadataOptions = {}): fc.Arbitrary<KubeObject['metadata']> {
  const { name = anyName, namespace = anyNamespace, clusterScoped = false, ownerKind } = options;
  const kinds = ownerKind
    ? fc.oneof({ weight: 4, arbitrary: fc.constant(ownerKind) }, ownerKinds)
    : ownerKinds;
  return fc.record(
    {
      name,
      ...(clusterScoped ? {} : { namespace }),
      uid,
      labels: options.labels ?? labels,
      annotations: options.annotations ?? annotations,
      ownerReferences: fc.array(
        fc.record(
          { apiVersion: fc.constant('v1'), kind: kinds, name, uid, controller: fc.boolean() },
          { requiredKeys: ['apiVersion', 'kind', 'name', 'uid'] },
        ),
        { maxLength: 2 },
      ),
      creationTimestamp: time,
      generation: fc.nat(),
    },
    { requiredKeys: clusterScoped ? ['name'] : ['name', 'namespace'] },
  );
}

// ---------------------------------------------------------------- kinds

/** Generated objects of every kind a list returns, at one level of hostility. */
export function kindArbitraries(mix: Mix): Record<Exclude<KindName, 'secrets'>, fc.Arbitrary<KubeObject>> {
  const { shape, list } = builders(mix);
  /** `arb` in one object of three, else absent-as-null (which readers treat like a missing field). */
  const sometimes = (arb: fc.Arbitrary<unknown>) =>
    fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, arb);
  const { name, namespace } = mix;
  /** One `status.conditions[]` entry. */
  const condition = shape({
    type: fc.oneof(
      { weight: 6, arbitrary: fc.constant('Ready') },
      { weight: 2, arbitrary: fc.constantFrom('Issuing', 'SyncError', 'SharedResourceWarning') },
      { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
    ),
    status: conditionStatus,
    reason,
    message,
    lastTransitionTime: time,
  });
  const conditions = list(condition, 3);
  /** cert-manager's Ready and Issuing conditions, with the failures issuance reports. */
  const issuanceConditions = list(
    shape({
      type: fc.constantFrom('Ready', 'Issuing'),
      status: conditionStatus,
      reason: fc.constantFrom('Failed', 'Pending', 'Ready'),
      message: fc.oneof({ weight: 3, arbitrary: acmeMessage }, { weight: 1, arbitrary: message }),
    }),
    2,
  );

  /** An object from the gateway: guaranteed metadata, then spec/status (and any other field) of any shape. */
  function kubeObject(
    kind: string,
    body: Record<string, fc.Arbitrary<unknown>>,
    meta: fc.Arbitrary<KubeObject['metadata']> = metadata({ name, namespace }),
  ): fc.Arbitrary<KubeObject> {
    return fc
      .tuple(meta, shape(body, true))
      .map(([meta, rest]) => ({ apiVersion: 'v1', kind, ...(rest as object), metadata: meta }) as KubeObject);
  }

  const loadBalancer = shape({
    ingress: list(
      shape({
        ip,
        hostname: fc.constantFrom(...LB_HOSTNAMES),
        ports: list(
          shape({ port: fc.constantFrom(80, 443), protocol: fc.constantFrom('TCP', 'UDP'), error: message }),
        ),
      }),
      2,
    ),
  });

  const backend = shape({
    service: shape({
      name,
      port: shape({ number: fc.constantFrom(80, 443, 8080), name: fc.constantFrom('http', 'https') }),
    }),
    resource: shape({ kind: fc.constant('StorageBucket'), name }),
  });
  const pathValue = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('/', '/api', '/static/', '/v1/(.*)', '/~user', '') },
    { weight: 1, arbitrary: text({ maxLength: 6 }) },
  );

  const ingress = kubeObject(
    'Ingress',
    {
      spec: shape({
        ingressClassName: fc.constantFrom('nginx', 'traefik', ''),
        rules: list(
          shape({
            host,
            http: shape({
              paths: list(
                shape({
                  path: pathValue,
                  pathType: fc.constantFrom('Prefix', 'Exact', 'ImplementationSpecific'),
                  backend,
                }),
              ),
            }),
          }),
        ),
        defaultBackend: backend,
        tls: list(shape({ hosts: list(host), secretName: name })),
      }),
      status: shape({ loadBalancer }),
    },
    metadata({
      name,
      namespace,
      annotations: fc.oneof(
        name.map((n) => ({ 'cert-manager.io/cluster-issuer': n })),
        name.map((n) => ({ 'cert-manager.io/issuer': n })),
        fc.constant({ 'kubernetes.io/ingress.class': 'nginx' }),
        annotations,
      ),
    }),
  );

  const ingressClass = kubeObject(
    'IngressClass',
    { spec: shape({ controller: fc.constant('k8s.io/ingress-nginx') }) },
    metadata({
      name: fc.oneof(fc.constant('nginx'), name),
      clusterScoped: true,
      annotations: fc.oneof(
        fc.constant({ 'ingressclass.kubernetes.io/is-default-class': 'true' }),
        annotations,
      ),
    }),
  );

  const service = kubeObject('Service', {
    spec: shape({
      type: fc.constantFrom('LoadBalancer', 'ClusterIP', 'NodePort', 'ExternalName'),
      ports: list(
        shape({ port: fc.constantFrom(80, 443, 8080, 8200), name: fc.constantFrom('http', 'https', 'web') }),
      ),
      selector: fc.dictionary(fc.constantFrom('app', 'tier'), labelValue, {
        maxKeys: 2,
        noNullPrototype: true,
      }),
      externalName: fc.constantFrom('backend.example.test'),
      externalIPs: list(ip),
    }),
    status: shape({ loadBalancer }),
  });

  const endpointSlice = kubeObject(
    'EndpointSlice',
    { endpoints: list(shape({ addresses: list(ip), conditions: shape({ ready: fc.boolean() }) })) },
    metadata({
      labels: fc.oneof(
        { weight: 4, arbitrary: name.map((n) => ({ 'kubernetes.io/service-name': n })) },
        labels,
      ),
    }),
  );

  const endpoints = kubeObject('Endpoints', {
    subsets: list(shape({ addresses: list(shape({ ip })), notReadyAddresses: list(shape({ ip })) })),
  });

  const issuerRef = shape({
    kind: fc.constantFrom('Issuer', 'ClusterIssuer'),
    name,
    group: fc.constant('cert-manager.io'),
  });

  // Owned by a Gateway when cert-manager's gateway-shim made it (gateway.certificates judges those).
  const certificate = kubeObject(
    'Certificate',
    {
      spec: shape({ secretName: name, dnsNames: list(host), issuerRef }),
      status: shape({ conditions: issuanceConditions, notAfter: time, renewalTime: time, notBefore: time }),
    },
    metadata({ name, namespace, ownerKind: 'Gateway' }),
  );

  const certificateRequest = kubeObject(
    'CertificateRequest',
    { spec: shape({ issuerRef }), status: shape({ conditions: issuanceConditions }) },
    metadata({
      name,
      namespace,
      ownerKind: 'Certificate',
      annotations: fc.oneof(
        fc.tuple(name, fc.constantFrom('1', '2', '10', 'x', '')).map(([certificate, revision]) => ({
          'cert-manager.io/certificate-name': certificate,
          'cert-manager.io/certificate-revision': revision,
        })),
        annotations,
      ),
    }),
  );

  const acmeState = fc.constantFrom('pending', 'valid', 'invalid', 'errored', 'processing');
  const order = kubeObject(
    'Order',
    { status: shape({ state: acmeState, reason: acmeMessage }) },
    metadata({ name, namespace, ownerKind: 'CertificateRequest' }),
  );
  const challenge = kubeObject(
    'Challenge',
    {
      spec: shape({ type: fc.constantFrom('HTTP-01', 'DNS-01'), dnsName: host }),
      status: shape({ state: acmeState, reason: acmeMessage, presented: fc.boolean() }),
    },
    metadata({ name, namespace, ownerKind: 'Order' }),
  );
  const issuer = kubeObject('Issuer', {
    spec: shape({ acme: shape({ server: fc.constant('https://acme.test') }) }),
    status: shape({ conditions }),
  });
  const clusterIssuer = kubeObject(
    'ClusterIssuer',
    { spec: shape({ selfSigned: fc.constant({}) }), status: shape({ conditions }) },
    metadata({ name, namespace, clusterScoped: true }),
  );

  const serverUrl = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constantFrom(
        'http://openbao.openbao.svc:8200',
        'https://bao.example.test:8200',
        'http://openbao:8200',
        'http://openbao.openbao.svc.cluster.local:8200',
      ),
    },
    { weight: 1, arbitrary: fc.constantFrom('openbao:8200', 'not a url', 'ftp://x', 'http://', '') },
  );
  const storeSpec = shape({
    provider: shape({
      vault: shape({
        server: serverUrl,
        path: fc.constantFrom('secret', '/kv/', 'server', ''),
        version: fc.constantFrom('v1', 'v2'),
        caBundle: fc.constantFrom('LS0tLS1CRUdJTg==', 'not base64 !', ''),
        auth: shape({
          tokenSecretRef: shape({ name, namespace, key: fc.constantFrom('token', 'vault-token', '') }),
          kubernetes: shape({ role: fc.constant('eso') }),
        }),
      }),
      aws: shape({ region: fc.constant('eu-west-1') }),
    }),
  });
  const secretStore = kubeObject('SecretStore', { spec: storeSpec, status: shape({ conditions }) });
  const clusterSecretStore = kubeObject(
    'ClusterSecretStore',
    { spec: storeSpec, status: shape({ conditions }) },
    metadata({ name, namespace, clusterScoped: true }),
  );

  const remoteKey = fc.constantFrom(
    'secret/data/plate/stg',
    'plate/stg',
    'server/staging',
    '/app',
    '',
    'constructor',
  );
  const externalSecret = kubeObject('ExternalSecret', {
    spec: shape({
      secretStoreRef: shape({ kind: fc.constantFrom('SecretStore', 'ClusterSecretStore'), name }),
      refreshInterval: fc.constantFrom('1h', '30m', '0', '1h30m', 'soon', '15s'),
      refreshPolicy: fc.constantFrom('Periodic', 'OnChange', 'CreatedOnce'),
      target: shape({
        name,
        creationPolicy: fc.constantFrom('Owner', 'Merge', 'None', 'Orphan'),
        // Without a template or dataFrom the mapped keys are known, which the target Secret check needs.
        template: sometimes(
          shape({
            data: fc.dictionary(
              fc.constantFrom('DATABASE_URL', 'API_KEY', 'config.json', '__proto__'),
              text({ maxLength: 5 }),
              { maxKeys: 2, noNullPrototype: true },
            ),
            mergePolicy: fc.constantFrom('Replace', 'Merge'),
            templateFrom: list(shape({ configMap: shape({ name }) })),
          }),
        ),
      }),
      data: list(
        shape({
          secretKey: fc.constantFrom('DATABASE_URL', 'API_KEY', 'password'),
          remoteRef: shape({ key: remoteKey, property: fc.constantFrom('url', 'key', 'db.password', '') }),
        }),
      ),
      dataFrom: sometimes(list(shape({ extract: shape({ key: remoteKey }) }), 2)),
    }),
    status: shape({ refreshTime: time, conditions }),
  });

  const containerName = fc.constantFrom('controller', 'app', 'sidecar');
  const waiting = shape({
    reason: fc.constantFrom('CrashLoopBackOff', 'CreateContainerConfigError', 'ImagePullBackOff'),
    message: fc.constantFrom(
      'secret "app-env" not found',
      "couldn't find key API_KEY in Secret plate-stg/app-env",
    ),
  });
  const containerStatus = shape({
    name: containerName,
    ready: fc.boolean(),
    restartCount: fc.nat(5),
    // A container is in one state at a time; both at once is the hostile case.
    state: fc.oneof(
      { weight: 3, arbitrary: shape({ running: shape({ startedAt: time }) }) },
      shape({ waiting }),
      shape({ waiting, running: shape({ startedAt: time }) }),
    ),
    lastState: shape({
      terminated: shape({
        reason: fc.constantFrom('Error', 'OOMKilled'),
        finishedAt: time,
        exitCode: fc.nat(2),
      }),
    }),
  });
  const secretKeyRef = shape({
    name,
    key: fc.constantFrom('API_KEY', 'DATABASE_URL', 'token'),
    optional: fc.boolean(),
  });
  const container = shape({
    name: containerName,
    env: list(
      shape({
        name: fc.constant('API_KEY'),
        value: text({ maxLength: 3 }),
        valueFrom: shape({ secretKeyRef }),
      }),
    ),
    envFrom: list(shape({ secretRef: shape({ name, optional: fc.boolean() }) }), 2),
  });
  const pod = kubeObject(
    'Pod',
    {
      spec: shape({
        containers: list(container, 2),
        initContainers: list(container, 1),
        volumes: list(
          shape({
            name: fc.constant('v'),
            secret: shape({
              secretName: name,
              optional: fc.boolean(),
              items: list(shape({ key: fc.constantFrom('API_KEY', 'tls.crt'), path: fc.constant('p') })),
            }),
          }),
          2,
        ),
      }),
      status: shape({
        phase: fc.constantFrom('Running', 'Running', 'Running', 'Pending', 'Failed', 'Unknown'),
        conditions: list(
          shape({ type: fc.constantFrom('Ready', 'Ready', 'PodScheduled'), status: conditionStatus }),
          2,
        ),
        containerStatuses: list(containerStatus, 2),
        initContainerStatuses: list(containerStatus, 1),
      }),
    },
    // Pods are read in the application namespaces and in the controllers' own.
    metadata({
      name,
      namespace: fc.constantFrom('plate-stg', 'cert-manager', 'external-secrets'),
      labels: podLabels,
    }),
  );

  /** A core/v1 Event: every top-level field (not metadata) may be any JSON value. */
  const event = kubeObject('Event', {
    involvedObject: shape({
      kind: fc.constantFrom(
        'ExternalSecret',
        'ExternalSecret',
        'SecretStore',
        'ClusterSecretStore',
        'Certificate',
      ),
      name,
      namespace,
    }),
    type: fc.constantFrom('Warning', 'Warning', 'Normal'),
    reason: fc.oneof(fc.constant('UpdateFailed'), reason),
    message,
    lastTimestamp: time,
    eventTime: time,
    series: shape({ lastObservedTime: time, count: fc.nat(9) }),
    count: fc.nat(9),
  });

  const application = kubeObject('Application', {
    spec: shape({ destination: shape({ namespace, server: fc.constant('https://kubernetes.default.svc') }) }),
    status: shape({
      sync: shape({
        status: fc.constantFrom('Synced', 'OutOfSync', 'Unknown'),
        revision: fc.constantFrom('3f2a9c1e0b7d', 'main', ''),
      }),
      health: shape({
        status: fc.constantFrom('Healthy', 'Degraded', 'Progressing', 'Missing', 'Suspended', 'Unknown'),
        message,
      }),
      conditions: list(
        shape({
          type: fc.constantFrom(
            'ComparisonError',
            'SyncError',
            'SharedResourceWarning',
            'OrphanedResourceWarning',
            ...PROTOTYPE_KEYS,
          ),
          message,
        }),
        2,
      ),
      operationState: shape({ phase: fc.constantFrom('Succeeded', 'Failed', 'Error', 'Running'), message }),
    }),
  });

  /** A Gateway API `conditions` list of the given types, with the reasons the spec and controllers use. */
  const gatewayConditions = (...types: string[]) =>
    list(
      shape({
        type: fc.constantFrom(...types, ...PROTOTYPE_KEYS.slice(0, 1)),
        status: conditionStatus,
        reason: fc.constantFrom(
          'Accepted',
          'Programmed',
          'ResolvedRefs',
          'Invalid',
          'Pending',
          'InvalidCertificateRef',
          'BackendNotFound',
          'RefNotPermitted',
          'NoMatchingListenerHostname',
          'NotAllowedByListeners',
          'AddressNotAssigned',
        ),
        message,
      }),
      3,
    );
  const gatewayGroup = fc.constantFrom('gateway.networking.k8s.io', '', 'example.com');
  // Mostly the same few parentRefs, so a route's spec and the status its controller wrote name one parent.
  const parentRef = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'web', namespace: 'plate-stg' },
        { name: 'web', namespace: 'plate-stg', sectionName: 'https' },
      ),
    },
    {
      weight: 1,
      arbitrary: shape({
        group: gatewayGroup,
        kind: fc.constantFrom('Gateway', 'Service'),
        namespace,
        name,
        sectionName: fc.constantFrom('https', 'http', 'https-stg'),
        port: fc.constantFrom(443, 80),
      }),
    },
  );
  const gatewayClass = kubeObject(
    'GatewayClass',
    {
      spec: shape({
        controllerName: fc.constantFrom(
          'gateway.nginx.org/nginx-gateway-controller',
          'gateway.envoyproxy.io/gatewayclass-controller',
        ),
      }),
      status: shape({ conditions: gatewayConditions('Accepted', 'SupportedVersion') }),
    },
    metadata({ name, namespace, clusterScoped: true }),
  );
  const gateway = kubeObject('Gateway', {
    spec: shape({
      gatewayClassName: fc.oneof(name, fc.constant('')),
      listeners: list(
        shape({
          name: fc.constantFrom('https', 'http', 'https-stg'),
          hostname: host,
          port: fc.constantFrom(443, 80, 8443, -1),
          protocol: fc.constantFrom('HTTPS', 'HTTP', 'TLS', 'TCP'),
          tls: shape({
            mode: fc.constantFrom('Terminate', 'Passthrough'),
            certificateRefs: list(
              shape({
                kind: fc.constantFrom('Secret', 'ConfigMap'),
                group: fc.constant(''),
                name,
                namespace,
              }),
            ),
          }),
          allowedRoutes: shape({ namespaces: shape({ from: fc.constantFrom('Same', 'All', 'Selector') }) }),
        }),
      ),
    }),
    status: shape({
      addresses: list(
        shape({ type: fc.constantFrom('IPAddress', 'Hostname'), value: fc.oneof(ip, host) }),
        2,
      ),
      conditions: gatewayConditions('Accepted', 'Programmed'),
      listeners: list(
        shape({
          name: fc.constantFrom('https', 'http', 'https-stg'),
          attachedRoutes: fc.oneof(fc.nat(3), fc.constant(-1)),
          conditions: gatewayConditions('Accepted', 'ResolvedRefs', 'Programmed', 'Conflicted'),
        }),
      ),
    }),
  });
  const httpRoute = kubeObject('HTTPRoute', {
    spec: shape({
      parentRefs: list(parentRef, 2),
      hostnames: list(host, 2),
      rules: list(
        shape({
          matches: list(
            shape({
              path: shape({
                type: fc.constantFrom('PathPrefix', 'Exact', 'RegularExpression'),
                value: pathValue,
              }),
            }),
          ),
          backendRefs: list(
            shape({
              kind: fc.constantFrom('Service', 'Backend'),
              name,
              namespace,
              port: fc.constantFrom(80, 8080),
            }),
          ),
        }),
      ),
    }),
    status: shape({
      parents: list(
        shape({
          parentRef,
          controllerName: fc.constantFrom('gateway.nginx.org/nginx-gateway-controller', 'example.com/other'),
          conditions: gatewayConditions('Accepted', 'ResolvedRefs', 'PartiallyInvalid'),
        }),
        2,
      ),
    }),
  });
  const referenceGrant = kubeObject('ReferenceGrant', {
    spec: shape({
      from: list(shape({ group: gatewayGroup, kind: fc.constantFrom('HTTPRoute', 'Gateway'), namespace })),
      to: list(shape({ group: fc.constant(''), kind: fc.constantFrom('Service', 'Secret'), name })),
    }),
  });

  const namespaceObject = kubeObject(
    'Namespace',
    { status: shape({ phase: fc.constantFrom('Active', 'Terminating') }) },
    metadata({ name, namespace, clusterScoped: true }),
  );

  return {
    namespaces: namespaceObject,
    pods: pod,
    services: service,
    endpoints,
    events: event,
    endpointslices: endpointSlice,
    ingresses: ingress,
    ingressclasses: ingressClass,
    certificates: certificate,
    certificaterequests: certificateRequest,
    issuers: issuer,
    clusterissuers: clusterIssuer,
    orders: order,
    challenges: challenge,
    secretstores: secretStore,
    clustersecretstores: clusterSecretStore,
    externalsecrets: externalSecret,
    applications: application,
    gatewayclasses: gatewayClass,
    gateways: gateway,
    httproutes: httpRoute,
    referencegrants: referenceGrant,
  };
}

/** PEMs handed in by the test (real certificates), mixed with junk text. */
export function secretSummary(pems: readonly string[]): fc.Arbitrary<SecretSummary> {
  return fc.record(
    {
      metadata: fc.oneof(
        metadata({ ownerKind: 'ExternalSecret' }),
        metadata({ name: PLAUSIBLE.name, namespace: PLAUSIBLE.namespace, ownerKind: 'ExternalSecret' }),
      ),
      type: fc.constantFrom(
        'kubernetes.io/tls',
        'kubernetes.io/tls',
        'Opaque',
        'kubernetes.io/service-account-token',
        '',
      ),
      keys: fc.oneof(
        fc.constantFrom<string[]>(['tls.crt', 'tls.key'], ['token'], ['API_KEY', 'DATABASE_URL', 'password']),
        fc
          .uniqueArray(
            fc.constantFrom(
              'tls.crt',
              'tls.key',
              'token',
              'DATABASE_URL',
              'API_KEY',
              'password',
              'constructor',
            ),
            {
              maxLength: 4,
            },
          )
          .map((k) => k.sort()),
      ),
      tlsCrtPem: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...pems) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            '',
            'not a pem',
            '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
          ),
        },
        { weight: 1, arbitrary: hugeString },
      ),
    },
    { requiredKeys: ['metadata', 'type', 'keys'] },
  );
}

// ---------------------------------------------------------------- gateway answers (typed by the gateways)

/** A GatewayError a call rejects with, as data. */
export interface FailureSpec {
  kind: GatewayErrorKind;
  message: string;
}
export const failureSpec: fc.Arbitrary<FailureSpec> = fc.record({
  kind: fc.constantFrom<GatewayErrorKind>(...GATEWAY_ERROR_KINDS),
  message: fc.oneof(fc.constantFrom('connection refused', 'timed out after 5s', ''), hugeString),
});

/** How one kind's list answers: its items, "not served", or a GatewayError (maybe only in one anyNamespace). */
export type ListAnswer =
  | { kind: 'items' }
  | { kind: 'not-served' }
  | { kind: 'failed'; failure: FailureSpec; namespace: string | null };
export const listAnswer: fc.Arbitrary<ListAnswer> = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ kind: 'items' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'not-served' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('failed' as const),
      failure: failureSpec,
      namespace: fc.option(anyNamespace, { nil: null }),
    }),
  },
);

const addresses = fc
  .uniqueArray(fc.oneof(ip, fc.constantFrom('192.0.2.1')), { maxLength: 3 })
  .map((a) => a.sort());
export const dnsAnswer: fc.Arbitrary<DnsAnswer> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('addresses' as const),
      addresses,
      cnames: fc.array(fc.constantFrom(...LB_HOSTNAMES, 'lb.example.test.', 'other.example.'), {
        maxLength: 2,
      }),
      ttlSeconds: fc.nat(86_400),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'nxdomain' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'nodata' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('unanswered' as const),
      reason: fc.constantFrom('timeout', 'SERVFAIL', ''),
    }),
  },
);

export function tlsProbe(pems: readonly string[]): fc.Arbitrary<TlsProbe> {
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('handshake' as const),
        chainPem: fc.array(
          fc.oneof(
            { weight: 5, arbitrary: fc.constantFrom(...pems) },
            { weight: 1, arbitrary: fc.constantFrom('junk', '') },
          ),
          { maxLength: 2 },
        ),
        isTrusted: fc.boolean(),
        verifyError: fc.option(
          fc.constantFrom('certificate has expired', 'unable to get local issuer certificate'),
          { nil: null },
        ),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('failed' as const),
        reason: fc.constantFrom('ECONNREFUSED', 'timeout', ''),
      }),
    },
  );
}

export const httpReply: fc.Arbitrary<HttpReply> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('response' as const),
      status: fc.constantFrom(200, 204, 301, 302, 308, 404, 500, 502, 503, 999, 0),
      location: fc.option(
        fc.constantFrom(
          'https://a.example.test/',
          'https://b.example.test/',
          'http://a.example.test/',
          '/relative',
          'https://[bad',
          'https://*.example.test/',
        ),
        { nil: null },
      ),
      server: fc.option(fc.constant('nginx'), { nil: null }),
      bodyStart: fc.constantFrom('', 'default backend - 404', '<center>nginx</center>', 'ok'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('failed' as const), reason: fc.constantFrom('ECONNRESET', '') }),
  },
);

export const baoHealth: fc.Arbitrary<BaoHealth> = fc.record({
  httpStatus: fc.constantFrom(200, 429, 501, 503),
  initialized: fc.constantFrom(true, true, true, false),
  sealed: fc.constantFrom(false, false, true),
  standby: fc.boolean(),
  version: fc.option(fc.constantFrom('2.2.0', ''), { nil: null }),
  clusterName: fc.option(fc.constant('bao'), { nil: null }),
});

export const tokenLookup: fc.Arbitrary<TokenLookup> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('valid' as const),
      ttlSeconds: fc.oneof(fc.constantFrom(0, 30, 3_600, 700_000), fc.nat(10_000_000)),
      expireTime: fc.option(fc.constantFrom('2026-03-02T00:00:00Z', 'garbage'), { nil: null }),
      policies: fc.array(fc.constantFrom('default', 'eso-read', 'root', '__proto__'), { maxLength: 3 }),
      renewable: fc.boolean(),
      tokenType: fc.constantFrom('service', 'batch'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('denied' as const),
      errors: fc.array(fc.constantFrom('1 error occurred:\n\t* permission denied\n\n', 'bad token', ''), {
        maxLength: 2,
      }),
    }),
  },
);

export const capabilityList = fc.array(fc.constantFrom('read', 'list', 'deny', 'root', 'create'), {
  maxLength: 3,
});
export const kvRead: fc.Arbitrary<KvRead> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('found' as const),
      keys: fc.oneof(
        fc.constant<string[]>(['db', 'key', 'password', 'url']),
        fc.uniqueArray(fc.constantFrom('url', 'key', 'db', 'password', 'constructor'), { maxLength: 4 }),
      ),
      version: fc.option(fc.nat(9), { nil: null }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<KvRead>(
      { kind: 'absent' },
      { kind: 'deleted' },
      { kind: 'denied', errors: ['permission denied'] },
    ),
  },
);

/** `T` most of the time, a GatewayError rejection sometimes. */
export type Answer<T> = { ok: true; value: T } | { ok: false; failure: FailureSpec };
export function answer<T>(arb: fc.Arbitrary<T>, failureWeight = 1): fc.Arbitrary<Answer<T>> {
  return fc.oneof(
    { weight: 8, arbitrary: arb.map((value) => ({ ok: true as const, value })) },
    { weight: failureWeight, arbitrary: failureSpec.map((failure) => ({ ok: false as const, failure })) },
  );
}

// ---------------------------------------------------------------- controller log text

const hostile = builders(HOSTILE);

const klogTime = fc
  .tuple(
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 1, max: 31 }),
    fc.integer({ min: 0, max: 23 }),
    fc.integer({ min: 0, max: 59 }),
  )
  .map(
    ([mo, d, h, m]) =>
      `${String(mo).padStart(2, '0')}${String(d).padStart(2, '0')} ${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00.000001`,
  );
const logKind = fc.constantFrom(
  'Challenge',
  'Order',
  'Certificate',
  'ExternalSecret',
  'SecretStore',
  'ClusterIssuer',
  '__proto__',
);
const quote = (s: string) => JSON.stringify(s);

const klogLine = fc
  .tuple(fc.constantFrom('E', 'I', 'W', 'F'), klogTime, message, logKind, anyNamespace, anyName, fc.boolean())
  .map(([sev, t, msg, kind, ns, n, isOld]) =>
    isOld
      ? `${sev}${t}       1 sync.go:210] cert-manager/controller "msg"=${quote(msg)} "error"=${quote(msg)} "resource_kind"=${quote(kind)} "resource_namespace"=${quote(ns)} "resource_name"=${quote(n)}`
      : `${sev}${t}       1 controller.go:75] ${quote(msg)} err=${quote(msg)} controllerKind=${quote(kind)} namespace=${ns} name=${quote(n)}`,
  );

const jsonLine = fc
  .tuple(
    hostile.loose(fc.constantFrom('error', 'info', 'warn', 'dpanic', 'ERROR', 'constructor')),
    hostile.loose(
      fc.oneof(
        fc.integer({ min: 1_772_000_000, max: 1_772_400_000 }),
        fc.integer({ min: 1_772_000_000_000, max: 1_772_400_000_000 }),
        time,
      ),
    ),
    hostile.loose(message),
    hostile.loose(message),
    hostile.loose(hostile.shape({ name: anyName, namespace: anyNamespace })),
    fc.dictionary(
      fc.constantFrom(
        'controller',
        'ExternalSecret',
        'externalsecret',
        'reconciler kind',
        'name',
        'namespace',
        '__proto__',
        'v',
        'err',
      ),
      json(2),
      { maxKeys: 3, noNullPrototype: true },
    ),
  )
  .map(([level, ts, msg, error, es, extra]) =>
    JSON.stringify({ ...extra, level, ts, msg, error, ExternalSecret: es }),
  );

// JSON that nests 20 000 levels in about 100 KB: parsers cope, recursive readers overflow the stack.
const NESTED = 20_000;
const DEEP_LINES = [
  `{"level":"error","msg":"deep","ExternalSecret":${'{"a":'.repeat(NESTED)}1${'}'.repeat(NESTED)}}`,
  `{"level":"error","msg":"deep","err":"x","items":${'['.repeat(NESTED)}${']'.repeat(NESTED)}}`,
];

const logLine = fc.oneof(
  { weight: 4, arbitrary: klogLine },
  { weight: 4, arbitrary: jsonLine },
  { weight: 1, arbitrary: text({ maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '{',
      '{"level":',
      'E0101 00:00:00.000000 1 x.go:1] "unterminated',
      '"msg"="',
      '\u0000\u001b[31m',
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(...DEEP_LINES) },
);

/** What `readPodLogs` returns: lines in every format, some with a Kubernetes timestamp prefix; sometimes huge. */
export const logText: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .array(fc.tuple(fc.option(time, { nil: null }), logLine), { maxLength: 8 })
      .map((lines) => lines.map(([t, l]) => (t ? `${t} ${l}` : l)).join('\n')),
  },
  { weight: 1, arbitrary: hugeString },
  { weight: 1, arbitrary: text() },
);
