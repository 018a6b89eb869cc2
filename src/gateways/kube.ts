import { KINDS, resourceName, type KindDef, type KindName } from './kinds.js';
import { resolveKubeConfig, type KubeConfigOptions } from './kube-config.js';
import { ExecCredentialPlugin } from './kube-exec.js';
import { KubeHttp, parseJson, statusError, type Access } from './kube-http.js';
import { SharedReads } from './memo.js';
import { clip } from '../text.js';
import { GatewayError } from './errors.js';
import { Sensitive } from './sensitive.js';
import type {
  BaoEndpoint,
  KubeGateway,
  KubeObject,
  KubeTarget,
  ListOptions,
  PodLogOptions,
  SecretSummary,
} from './types.js';

export { KubeConfigError } from './kube-config.js';

/** How to build the real Kubernetes gateway: kubectl's config resolution plus our transport settings. */
export interface KubeGatewayOptions extends KubeConfigOptions {
  /** Per-request timeout, combined with each caller's AbortSignal. Default 10 s. */
  requestTimeoutMs?: number;
  /** `--debug`: one line per request (method, path, status, duration), never headers or bodies. */
  trace?: (line: string) => void;
  /**
   * Serve namespaced lists from one memoized cluster-wide list of the kind (filtered here), falling back to
   * the namespaced list when the cluster-wide one is forbidden. Set when the run's scope is every namespace,
   * so steps that look into one namespace cost no extra request.
   */
  preferClusterWideLists?: boolean;
}

/** The real KubeGateway. Throws KubeConfigError when no usable kubeconfig or in-cluster account exists. */
export function createKubeGateway(options: KubeGatewayOptions): KubeGateway {
  const { kubeConfig, target, server, exec } = resolveKubeConfig(options);
  const plugin = exec ? new ExecCredentialPlugin(exec, { server }, options.env ?? process.env) : null;
  const http = new KubeHttp(
    kubeConfig,
    server,
    target.server,
    options.requestTimeoutMs ?? 10_000,
    plugin,
    options.trace,
  );
  return new ApiKubeGateway(target, http, options.preferClusterWideLists ?? false);
}

/**
 * Objects per list page. kubectl and client-go page at 500, and the API server takes any limit; at 500 a
 * 1,000-host platform's 4,000 Secrets took nine round trips one after the other. A page is parsed (and
 * Secrets summarized) before the next is asked for, so this bounds the raw JSON held at once: a page of
 * 5,000 Secrets is ~6 MB.
 */
const PAGE_SIZE = 5000;
/**
 * One list may bring at most this much JSON across all its pages: far above a real platform's lists,
 * low enough that a server sending fat pages forever cannot exhaust memory before the deadline.
 */
const MAX_LIST_BYTES = 96 << 20;
/**
 * Longest string kept in an object. No field the doctor reads is near it (a CA bundle of every public
 * root is about 300 KB); a 2 MB condition message is cut here, once, instead of being copied by every reader.
 */
const MAX_FIELD_CHARS = 512 * 1024;
/** A thousand pages: more than any cluster the doctor is meant for, even paged at 500, far less than forever. */
const MAX_PAGES = 1000;

/**
 * `kubectl apply` copies the whole object, Secret data included, into this annotation: it never leaves the
 * gateway (on a SecretSummary it would leak values), and no check reads it (on other objects it doubles
 * their size in memory).
 */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

interface RawList {
  items?: unknown;
  metadata?: { continue?: unknown };
}

interface RawSecret {
  metadata: KubeObject['metadata'];
  type?: unknown;
  data?: unknown;
}

class ApiKubeGateway implements KubeGateway {
  readonly #reads = new SharedReads();

  constructor(
    readonly target: KubeTarget,
    private readonly http: KubeHttp,
    private readonly preferClusterWideLists: boolean,
  ) {}

  readVersion(signal: AbortSignal): Promise<string> {
    return this.#reads.read('version', signal, this.#asking('GET /version'), async (s) => {
      const body = await this.#getJson<{ gitVersion?: unknown }>(
        '/version',
        { verb: 'get', resource: '/version' },
        s,
      );
      if (typeof body?.gitVersion !== 'string') {
        throw new GatewayError(
          'kubernetes',
          'protocol',
          'the API server answered /version without a gitVersion',
        );
      }
      return body.gitVersion;
    });
  }

  list(
    kind: Exclude<KindName, 'secrets'>,
    options: ListOptions,
    signal: AbortSignal,
  ): Promise<KubeObject[] | null> {
    if (this.#servesFromClusterWide(kind, options)) {
      return this.#fromClusterWide(kind, options, (o) => this.list(kind, o, signal));
    }
    return this.#reads.read(listKey(kind, options), signal, this.#asking(listText(kind, options)), (s) =>
      this.#listServed(kind, options, (item, version) => withType(item, KINDS[kind], version), s),
    );
  }

  listSecrets(options: ListOptions, signal: AbortSignal): Promise<SecretSummary[]> {
    if (this.#servesFromClusterWide('secrets', options)) {
      return this.#fromClusterWide('secrets', options, (o) => this.listSecrets(o, signal)).then(
        (l) => l ?? [],
      );
    }
    return this.#reads.read(
      listKey('secrets', options),
      signal,
      this.#asking(listText('secrets', options)),
      async (s) => {
        // Summaries are made page by page, so Secret values are never held beyond one page's parse.
        const summaries = await this.#listServed(
          'secrets',
          options,
          (item) => summarizeSecret(item as RawSecret),
          s,
        );
        // The core group always serves secrets (a 404 there is a protocol error), so this is never null.
        return summaries ?? [];
      },
    );
  }

  /** Kinds whose cluster-wide list was forbidden this run: their namespaced lists go straight to the namespace. */
  readonly #clusterWideForbidden = new Set<KindName>();

  #servesFromClusterWide(kind: KindName, options: ListOptions): boolean {
    // A selector list (controller pods by label) stays namespaced: the server filters it, and it is small.
    return (
      this.preferClusterWideLists &&
      options.namespace !== undefined &&
      options.labelSelector === undefined &&
      options.fieldSelector === undefined &&
      KINDS[kind].namespaced &&
      !this.#clusterWideForbidden.has(kind)
    );
  }

  /** A namespaced list answered from the cluster-wide one; the namespaced request only when that is forbidden. */
  async #fromClusterWide<T extends { metadata: KubeObject['metadata'] }>(
    kind: KindName,
    options: ListOptions,
    listWith: (options: ListOptions) => Promise<T[] | null>,
  ): Promise<T[] | null> {
    const { namespace, ...clusterWide } = options;
    try {
      const all = await listWith(clusterWide);
      return all === null ? null : all.filter((item) => item.metadata.namespace === namespace);
    } catch (error) {
      if (!(error instanceof GatewayError && error.kind === 'forbidden')) throw error;
      this.#clusterWideForbidden.add(kind);
      return listWith(options);
    }
  }

  readSecretValue(
    namespace: string,
    name: string,
    key: string,
    signal: AbortSignal,
  ): Promise<Sensitive | null> {
    const path = `/api/v1/namespaces/${enc(namespace)}/secrets/${enc(name)}`;
    const what = this.#asking(`get secret ${namespace}/${name}`);
    return this.#reads.read(
      JSON.stringify(['secret-value', namespace, name, key]),
      signal,
      what,
      async (s) => {
        const secret = await this.#getJson<RawSecret>(
          path,
          { verb: 'get', resource: 'secrets', namespace },
          s,
        );
        const encoded = isRecord(secret?.data) ? secret.data[key] : undefined;
        return typeof encoded === 'string'
          ? new Sensitive(Buffer.from(encoded, 'base64').toString('utf8'))
          : null;
      },
    );
  }

  readPodLogs(namespace: string, pod: string, options: PodLogOptions, signal: AbortSignal): Promise<string> {
    const query = new URLSearchParams({ tailLines: String(options.tailLines) });
    if (options.container !== undefined) query.set('container', options.container);
    if (options.previous) query.set('previous', 'true');
    if (options.sinceSeconds !== undefined) query.set('sinceSeconds', String(options.sinceSeconds));
    if (options.timestamps) query.set('timestamps', 'true');
    const target = `/api/v1/namespaces/${enc(namespace)}/pods/${enc(pod)}/log?${query}`;
    return this.#reads.read(
      `logs ${target}`,
      signal,
      this.#asking(`logs of ${namespace}/${pod}`),
      async (s) => {
        const reply = await this.http.send('GET', target, undefined, s);
        // The pod went away between listing and reading its logs: nothing to read, not an error.
        if (reply.status === 404) return '';
        if (reply.status !== 200)
          throw statusError(reply, 'GET', target, { verb: 'get', resource: 'pods/log', namespace });
        return reply.body;
      },
    );
  }

  canI(
    verb: 'get' | 'list' | 'watch' | 'create',
    resource: { group: string; resource: string; namespace?: string; subresource?: string; name?: string },
    signal: AbortSignal,
  ): Promise<boolean> {
    const target = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
    const review = {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { verb, ...resource } },
    };
    const what = this.#asking(`can-i ${verb} ${resource.resource}`);
    return this.#reads.read(JSON.stringify(['can-i', verb, resource]), signal, what, async (s) => {
      // The gateway's only write: a review is evaluated and discarded by the API server, nothing is stored.
      const reply = await this.http.send('POST', target, JSON.stringify(review), s);
      if (reply.status !== 200 && reply.status !== 201) {
        throw statusError(reply, 'POST', target, {
          verb: 'create',
          resource: 'selfsubjectaccessreviews.authorization.k8s.io',
        });
      }
      const answer = parseJson<{ status?: { allowed?: unknown } }>(reply, 'POST', target);
      return answer.status?.allowed === true;
    });
  }

  serviceProxy(
    namespace: string,
    service: string,
    port: string | number,
    scheme: 'http' | 'https' = 'http',
  ): BaoEndpoint {
    const credentials = this.http.credentials();
    // The proxy speaks plain HTTP to the Service unless the name carries the `https:` scheme prefix.
    const target = `${scheme === 'https' ? 'https:' : ''}${enc(service)}:${port}`;
    const endpoint: BaoEndpoint = {
      address: `${this.target.server}/api/v1/namespaces/${enc(namespace)}/services/${target}/proxy`,
      label: `${namespace}/${service}:${port} via the API server proxy`,
      via: 'service-proxy',
      tls: {
        caPem: credentials.caPem,
        certPem: credentials.certPem,
        keyPem: credentials.keyPem,
        ...(credentials.insecureSkipVerify ? { insecureSkipVerify: true } : {}),
      },
    };
    if (Object.keys(credentials.headers).length > 0) endpoint.headers = credentials.headers;
    return endpoint;
  }

  forget(signal?: AbortSignal): void {
    this.#reads.clear(signal);
    // Which kinds may be listed cluster-wide is learned once per full run, not per step.
    if (signal === undefined) this.#clusterWideForbidden.clear();
  }

  /** `the API server at https://… (list pods in plate-stg)`: what a caller waits for, named for people. */
  #asking(question: string): () => string {
    return () => `${this.http.waitingFor} (${question})`;
  }

  async close(): Promise<void> {
    this.forget();
    this.http.close();
  }

  /** GET a JSON object; 404 resolves to null, any other non-200 rejects with a GatewayError. */
  async #getJson<T>(target: string, access: Access, signal: AbortSignal): Promise<T | null> {
    const reply = await this.http.send('GET', target, undefined, signal);
    if (reply.status === 404) return null;
    if (reply.status !== 200) throw statusError(reply, 'GET', target, access);
    return parseJson<T>(reply, 'GET', target);
  }

  /** Tries each served version in order; null when the group serves none of them. */
  async #listServed<T>(
    kind: KindName,
    options: ListOptions,
    map: (item: KubeObject, version: string) => T,
    signal: AbortSignal,
  ): Promise<T[] | null> {
    for (const version of KINDS[kind].versions) {
      const items = await this.#listPages(kind, version, options, map, signal);
      if (items !== null) return items;
    }
    return null;
  }

  async #listPages<T>(
    kind: KindName,
    version: string,
    options: ListOptions,
    map: (item: KubeObject, version: string) => T,
    signal: AbortSignal,
  ): Promise<T[] | null> {
    const def: KindDef = KINDS[kind];
    const namespace = def.namespaced ? options.namespace : undefined;
    const base = def.group === '' ? `/api/${version}` : `/apis/${def.group}/${version}`;
    const collection = `${base}${namespace ? `/namespaces/${enc(namespace)}` : ''}/${def.plural}`;
    const access: Access = { verb: 'list', resource: resourceName(kind), namespace };
    const items: T[] = [];
    const tokens = new Set<string>();
    let bytes = 0;
    let next: string | undefined;
    do {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (options.labelSelector) query.set('labelSelector', options.labelSelector);
      if (options.fieldSelector) query.set('fieldSelector', options.fieldSelector);
      if (next) query.set('continue', next);
      const target = `${collection}?${query}`;
      const reply = await this.http.send('GET', target, undefined, signal);
      // A 404 on a group's collection means this version (or the whole CRD) is not served. The core
      // group always serves its kinds, so a 404 there, or on a later page, is a real protocol error.
      if (reply.status === 404 && def.group !== '' && next === undefined) return null;
      if (reply.status !== 200) throw statusError(reply, 'GET', target, access);
      bytes += reply.body.length;
      if (bytes > MAX_LIST_BYTES) {
        throw this.#protocol(
          `it sent more than ${MAX_LIST_BYTES >> 20} MB of ${def.plural}; stopped listing`,
        );
      }
      const page = parseJson<RawList>(reply, 'GET', target);
      const pageItems = page?.items ?? [];
      if (!Array.isArray(pageItems)) throw this.#protocol(`its list of ${def.plural} has no items array`);
      for (const item of pageItems) items.push(map(this.#object(item, def), version));
      next =
        typeof page.metadata?.continue === 'string' && page.metadata.continue
          ? page.metadata.continue
          : undefined;
      // A server that never stops paginating must not keep the doctor asking until the deadline.
      if (next !== undefined && tokens.has(next)) {
        throw this.#protocol(`it repeated a continue token while listing ${def.plural}; stopped paginating`);
      }
      if (next !== undefined) tokens.add(next);
      if (tokens.size >= MAX_PAGES) {
        throw this.#protocol(`it sent more than ${MAX_PAGES} pages of ${def.plural}; stopped paginating`);
      }
    } while (next);
    return items;
  }

  #protocol(problem: string): GatewayError {
    return new GatewayError(
      'kubernetes',
      'protocol',
      `the API server at ${this.http.label} answered oddly: ${problem}`,
    );
  }

  /**
   * A list item with its metadata checked and typed: checks may rely on `metadata` (a string `name`, and
   * string/record/array fields or none), while `spec`, `status` and the rest stay untrusted JSON.
   */
  #object(raw: unknown, def: KindDef): KubeObject {
    const item = isRecord(raw) ? raw : null;
    const m = item && isRecord(item.metadata) ? item.metadata : null;
    if (!item || !m || typeof m.name !== 'string' || m.name === '') {
      throw this.#protocol(`it sent a ${def.kind} without metadata.name`);
    }
    const metadata: KubeObject['metadata'] = { name: m.name };
    if (typeof m.namespace === 'string') metadata.namespace = m.namespace;
    if (typeof m.uid === 'string') metadata.uid = m.uid;
    if (typeof m.creationTimestamp === 'string') metadata.creationTimestamp = m.creationTimestamp;
    if (typeof m.generation === 'number') metadata.generation = m.generation;
    const labels = stringRecord(m.labels);
    if (labels) metadata.labels = labels;
    const annotations = stringRecord(m.annotations);
    if (annotations) {
      delete annotations[LAST_APPLIED];
      metadata.annotations = annotations;
    }
    if (Array.isArray(m.ownerReferences)) {
      metadata.ownerReferences = m.ownerReferences.flatMap((r: unknown) => {
        if (!isRecord(r)) return [];
        const { apiVersion, kind, name, uid, controller } = r;
        if (typeof kind !== 'string' || typeof name !== 'string') return [];
        return [
          {
            apiVersion: typeof apiVersion === 'string' ? apiVersion : '',
            kind,
            name,
            uid: typeof uid === 'string' ? uid : '',
            ...(controller === true ? { controller: true } : {}),
          },
        ];
      });
    }
    boundStrings(item);
    return { ...item, metadata } as KubeObject;
  }
}

/**
 * Cuts, in place, every string longer than MAX_FIELD_CHARS anywhere in a parsed JSON value. It visits every
 * value of every list item, so it makes no key arrays or iterators: `for…in` over JSON.parse's plain objects.
 */
function boundStrings(root: Record<string, unknown>): void {
  const pending: Record<string, unknown>[] = [root];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    for (const key in node) {
      const value = node[key];
      if (typeof value === 'string') {
        if (value.length > MAX_FIELD_CHARS) node[key] = clip(value, MAX_FIELD_CHARS);
      } else if (typeof value === 'object' && value !== null) {
        // An array's indexes are its keys too.
        pending.push(value as Record<string, unknown>);
      }
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The string values of a record; null when it is not one. */
function stringRecord(value: unknown): Record<string, string> | null {
  if (!isRecord(value)) return null;
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) if (typeof v === 'string') out[key] = v;
  return out;
}

/** `list pods in plate-stg -l app=x`, as a wait is described. */
function listText(kind: KindName, options: ListOptions): string {
  const where = KINDS[kind].namespaced ? (options.namespace ? ` in ${options.namespace}` : ' -A') : '';
  const selector = options.labelSelector ? ` -l ${options.labelSelector}` : '';
  return `list ${resourceName(kind)}${where}${selector}`;
}

function listKey(kind: KindName, options: ListOptions): string {
  // The namespace is ignored for cluster-scoped kinds, so it must not split their memo entries.
  const namespace = KINDS[kind].namespaced ? (options.namespace ?? null) : null;
  return JSON.stringify([
    'list',
    kind,
    namespace,
    options.labelSelector ?? null,
    options.fieldSelector ?? null,
  ]);
}

/** List items come without apiVersion and kind; fill them in so checks can name what they read. */
function withType(item: KubeObject, def: KindDef, version: string): KubeObject {
  return {
    ...item,
    apiVersion: item.apiVersion ?? (def.group ? `${def.group}/${version}` : version),
    kind: item.kind ?? def.kind,
  };
}

function summarizeSecret(secret: RawSecret): SecretSummary {
  // Its metadata was rebuilt by #object, without the last-applied annotation.
  const m = secret.metadata;
  const metadata: KubeObject['metadata'] = {
    name: m.name,
    namespace: m.namespace,
    uid: m.uid,
    labels: m.labels,
    annotations: m.annotations,
    ownerReferences: m.ownerReferences,
    creationTimestamp: m.creationTimestamp,
  };
  const type = typeof secret.type === 'string' && secret.type !== '' ? secret.type : 'Opaque';
  const data = isRecord(secret.data) ? secret.data : {};
  const summary: SecretSummary = { metadata, type, keys: Object.keys(data).sort() };
  const crt = data['tls.crt'];
  if (type === 'kubernetes.io/tls' && typeof crt === 'string')
    summary.tlsCrtPem = Buffer.from(crt, 'base64').toString('utf8');
  return summary;
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}
