import { timingSafeEqual } from 'node:crypto';
import {
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Issued } from './certs.js';
import { errorMessage } from '../gateways/errors.js';
import { renderLogs } from './kube-logs.js';
import { decodeReviewSpec } from './kube-protobuf.js';
import { qualifiedName, type ApiResource, type KubeObj } from './kube-resources.js';
import { parseFieldSelector, parseLabelSelector, SelectorError } from './kube-select.js';
import { buildStore, type KubeStore } from './kube-store.js';
import type { RunningServer, Scenario } from './scenario.js';

/** The identity the sandbox token authenticates as; it appears in 403 messages as the real server words them. */
export const SANDBOX_USER = 'system:serviceaccount:platform-doctor:platform-doctor';
const SERVER_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.4' };
const PROXY_TIMEOUT_MS = 10_000;

export interface KubeApiOptions {
  scenario: Scenario;
  /** Server certificate for 127.0.0.1 and its key. */
  tls: Issued;
  /** The bearer token clients must send. */
  token: string;
  /** The sandbox's clock: AGE columns and `sinceSeconds` are computed against it. */
  now: Date;
  /** Base URL (`http://127.0.0.1:PORT`) the service proxy forwards to for `scenario.openbao.service`. */
  openbaoAddress?: string;
}

/** What clients did, for tests: "one list per kind", "nothing was mutated". */
export interface KubeApiStats {
  /** Requests per URL path, query excluded. */
  requests: Record<string, number>;
  /**
   * Requests per kind of request: `list secrets` (every page counts), `get secrets`, `logs pods`,
   * `proxy services`, `create selfsubjectaccessreviews`, `discovery`.
   */
  byKind: Record<string, number>;
  /** POST (other than SelfSubjectAccessReview and the service proxy), PUT, PATCH and DELETE requests, all refused. */
  mutatingRequests: number;
}

export interface RunningKubeApi extends RunningServer {
  url: string;
  port: number;
  stats: KubeApiStats;
}

interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
}

/** A metav1.Status failure; thrown inside handlers and written as the response. */
class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

const notFoundPath = () =>
  new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
const badRequest = (message: string) => new StatusError(400, 'BadRequest', message);

/** apierrors.NewMethodNotSupported, as the real server answers a verb a resource does not support. */
function methodNotSupported(action: string, resource: ApiResource): StatusError {
  return new StatusError(
    405,
    'MethodNotAllowed',
    `${action} is not supported on resources of kind "${qualifiedName(resource)}"`,
    groupDetails(resource),
  );
}

function groupDetails(resource: ApiResource, name?: string): StatusDetails {
  return {
    ...(name ? { name } : {}),
    ...(resource.group ? { group: resource.group } : {}),
    kind: resource.plural,
  };
}

/** A request for a resource path, after the group/version prefix has been resolved. */
interface ResourceRequest {
  resource: ApiResource;
  group: string;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

interface Attributes {
  verb: string;
  group: string;
  plural: string;
  subresource?: string;
  namespace?: string;
}

/** Starts the API server on 127.0.0.1 with a random port. */
export async function startKubeApi(options: KubeApiOptions): Promise<RunningKubeApi> {
  const { scenario, now } = options;
  const store = buildStore(scenario, now);
  const stats: KubeApiStats = { requests: {}, byKind: {}, mutatingRequests: 0 };
  const expectedAuth = Buffer.from(`Bearer ${options.token}`);
  const forbid = scenario.faults?.forbid ?? [];
  const latencyMs = scenario.faults?.latencyMs ?? 0;
  const sockets = new Set<Socket>();
  const upstreams = new Set<ClientRequest>();
  const timers = new Set<NodeJS.Timeout>();
  let port = 0;

  const isForbidden = (a: Attributes): boolean =>
    forbid.some((rule) => {
      const [resourcePart, subresource] = rule.resource.split('/');
      const dot = resourcePart!.indexOf('.');
      const plural = dot < 0 ? resourcePart : resourcePart!.slice(0, dot);
      const group = dot < 0 ? '' : resourcePart!.slice(dot + 1);
      return (
        (rule.verb === '*' || rule.verb === a.verb) &&
        plural === a.plural &&
        group === a.group &&
        (subresource ?? '') === (a.subresource ?? '') &&
        // A rule for one namespace also denies the cluster-wide request: cluster scope implies every namespace.
        (rule.namespace === undefined || a.namespace === undefined || rule.namespace === a.namespace)
      );
    });

  const authorize = (request: ResourceRequest, verb: string): void => {
    const { resource, namespace, name, subresource } = request;
    const attributes = { verb, group: resource.group, plural: resource.plural, subresource, namespace };
    if (!isForbidden(attributes)) return;
    const subject = name ? `${qualifiedName(resource)} "${name}"` : qualifiedName(resource);
    const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
    const what = subresource ? `${resource.plural}/${subresource}` : resource.plural;
    throw new StatusError(
      403,
      'Forbidden',
      `${subject} is forbidden: User "${SANDBOX_USER}" cannot ${verb} resource "${what}" in API group "${resource.group}" ${scope}`,
      groupDetails(resource, name),
    );
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://sandbox');
    stats.requests[url.pathname] = (stats.requests[url.pathname] ?? 0) + 1;
    const kind = requestKind(store, req.method ?? 'GET', url);
    stats.byKind[kind] = (stats.byKind[kind] ?? 0) + 1;
    if (latencyMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, latencyMs);
        timers.add(timer);
      });
    }
    const auth = Buffer.from(req.headers.authorization ?? '');
    if (auth.length !== expectedAuth.length || !timingSafeEqual(auth, expectedAuth)) {
      throw new StatusError(401, 'Unauthorized', 'Unauthorized');
    }
    const method = req.method ?? 'GET';
    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const request = resolveResource(store, segments);
    const isProxy = request?.subresource === 'proxy' && request.resource.plural === 'services';
    const isReview =
      method === 'POST' && request?.resource.kind === 'SelfSubjectAccessReview' && !request.name;
    if (method !== 'GET' && method !== 'HEAD' && !isProxy && !isReview) {
      stats.mutatingRequests++;
      if (!request) {
        throw new StatusError(
          405,
          'MethodNotAllowed',
          'the server does not allow this method on the requested resource',
        );
      }
      const action =
        { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[method] ?? method.toLowerCase();
      throw methodNotSupported(action, request.resource);
    }
    if (isReview) return sendJson(res, 201, await review(req, isForbidden));
    if (isProxy) return proxy(req, res, request, url);
    if (request) return serveResource(req, res, request, url);
    return sendJson(res, 200, discovery(store, segments, port));
  };

  const serveResource = (
    req: IncomingMessage,
    res: ServerResponse,
    request: ResourceRequest,
    url: URL,
  ): void => {
    const { resource, name, subresource } = request;
    const query = url.searchParams;
    if (subresource === 'log' && resource.kind === 'Pod' && name) {
      authorize(request, 'get');
      const body = podLogs(scenario, findObject(store, request), query, now);
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(body);
      return;
    }
    if (subresource) throw notFoundPath();
    if (name) {
      authorize(request, 'get');
      const obj = findObject(store, request);
      if (wantsTable(req)) return sendJson(res, 200, table(store, request, [obj], query, now, {}));
      return sendJson(res, 200, asVersion(obj, request));
    }
    const verb = query.get('watch') === 'true' || query.get('watch') === '1' ? 'watch' : 'list';
    if (!resource.verbs.includes(verb)) throw methodNotSupported(verb, resource);
    authorize(request, verb);
    const matches = filterList(store, request, query);
    const page = paginate(store, matches, query);
    const hasSelector = Boolean(query.get('labelSelector') || query.get('fieldSelector'));
    const listMeta = {
      resourceVersion: store.resourceVersion,
      ...(page.continueToken ? { continue: page.continueToken } : {}),
      ...(page.continueToken && !hasSelector ? { remainingItemCount: page.remaining } : {}),
    };
    if (wantsTable(req)) return sendJson(res, 200, table(store, request, page.items, query, now, listMeta));
    sendJson(res, 200, {
      kind: `${resource.kind}List`,
      apiVersion: groupVersion(request.group, request.version),
      metadata: listMeta,
      // Typed lists of built-in kinds omit each item's kind/apiVersion; CRD lists keep them.
      items: page.items.map((obj) => (resource.family ? asVersion(obj, request) : withoutType(obj))),
    });
  };

  const proxy = (req: IncomingMessage, res: ServerResponse, request: ResourceRequest, url: URL): void => {
    const { name: spec = '', namespace = '' } = request;
    const parts = spec.split(':');
    const [serviceName, portName] = parts.length === 3 ? [parts[1]!, parts[2]!] : [parts[0]!, parts[1] ?? ''];
    // RBAC checks the proxy subresource with the verb of the HTTP method, as the real API server does.
    const verb =
      { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[req.method ?? 'GET'] ?? 'get';
    authorize({ ...request, name: serviceName }, verb);
    const target = scenario.openbao.service;
    const service = store.objects
      .get(request.resource)!
      .find((s) => s.metadata.namespace === namespace && s.metadata.name === serviceName);
    const servicePorts: { name?: string; port: number }[] = service?.spec?.ports ?? [];
    const portMatches =
      target !== undefined &&
      (portName === '' ||
        portName === String(target.port) ||
        servicePorts.some((p) => p.name === portName && p.port === target.port));
    if (
      !target ||
      target.namespace !== namespace ||
      target.name !== serviceName ||
      !portMatches ||
      !options.openbaoAddress
    ) {
      if (!service && !(target?.namespace === namespace && target.name === serviceName)) {
        throw new StatusError(404, 'NotFound', `services "${serviceName}" not found`, {
          name: serviceName,
          kind: 'services',
        });
      }
      throw new StatusError(503, 'ServiceUnavailable', `no endpoints available for service "${serviceName}"`);
    }
    const marker = `/services/${url.pathname.split('/services/')[1]!.split('/')[0]}/proxy`;
    const rest = url.pathname.slice(url.pathname.indexOf(marker) + marker.length) || '/';
    const headers = { ...req.headers };
    delete headers.authorization;
    delete headers.host;
    delete headers.connection;
    const upstream = httpRequest(
      new URL(`${rest}${url.search}`, options.openbaoAddress),
      { method: req.method, headers, timeout: PROXY_TIMEOUT_MS },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstreams.add(upstream);
    upstream.on('close', () => upstreams.delete(upstream));
    upstream.on('timeout', () => upstream.destroy(new Error(`timeout after ${PROXY_TIMEOUT_MS}ms`)));
    upstream.on('error', (error) => {
      if (res.headersSent) return void res.destroy();
      writeStatus(
        res,
        new StatusError(503, 'ServiceUnavailable', `error trying to reach service: ${error.message}`),
      );
    });
    req.pipe(upstream);
  };

  const server = createServer({ cert: options.tls.certPem, key: options.tls.keyPem }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (error instanceof StatusError) return writeStatus(res, error);
      if (error instanceof SelectorError) return writeStatus(res, badRequest(error.message));
      writeStatus(
        res,
        new StatusError(500, 'InternalError', `Internal error occurred: ${errorMessage(error)}`),
      );
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `https://127.0.0.1:${port}`,
    port,
    stats,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        for (const upstream of upstreams) upstream.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** How `stats.byKind` names a request: the RBAC verb and resource, or `discovery`. */
function requestKind(store: KubeStore, method: string, url: URL): string {
  let request: ResourceRequest | undefined;
  try {
    request = resolveResource(store, url.pathname.split('/').filter(Boolean).map(decodeURIComponent));
  } catch {
    return `${method} (no such path)`;
  }
  if (!request) return method === 'GET' ? 'discovery' : `${method} (discovery path)`;
  const { resource, name, subresource } = request;
  if (subresource === 'log') return 'logs pods';
  if (subresource === 'proxy') return `proxy ${resource.plural}`;
  const verb =
    { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[method] ??
    (name ? 'get' : ['true', '1'].includes(url.searchParams.get('watch') ?? '') ? 'watch' : 'list');
  return `${verb} ${resource.plural}${subresource ? `/${subresource}` : ''}`;
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function writeStatus(res: ServerResponse, error: StatusError): void {
  sendJson(res, error.code, error.body());
}

function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

function wantsTable(req: IncomingMessage): boolean {
  return /(^|[,;\s])as=Table/.test(req.headers.accept ?? '');
}

/** The object as the requested version presents it; served versions of one CRD share a schema here. */
function asVersion(obj: KubeObj, request: ResourceRequest): KubeObj {
  return { ...obj, apiVersion: groupVersion(request.group, request.version), kind: request.resource.kind };
}

function withoutType(obj: KubeObj): KubeObj {
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = obj;
  return rest as KubeObj;
}

/** Maps `/api/v1/...` and `/apis/G/V/...` to a served resource; undefined for discovery and unknown paths. */
function resolveResource(store: KubeStore, segments: string[]): ResourceRequest | undefined {
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 3) {
    [group, version, rest] = ['', segments[1]!, segments.slice(2)];
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    [group, version, rest] = [segments[1]!, segments[2]!, segments.slice(3)];
  } else {
    return undefined;
  }
  if (!store.servedVersions.get(group)?.includes(version)) throw notFoundPath();
  const served = (plural: string) =>
    [...store.objects.keys()].find(
      (r) => r.group === group && r.plural === plural && r.versions.includes(version),
    );
  // `/api/v1/namespaces/NS` is the Namespace itself; `/api/v1/namespaces/NS/pods` lists pods in NS.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const resource = served(rest[2]!);
    if (!resource?.namespaced) throw notFoundPath();
    return { resource, group, version, namespace: rest[1], name: rest[3], subresource: rest[4] };
  }
  const resource = served(rest[0]!);
  if (!resource || (resource.namespaced && rest.length > 1)) throw notFoundPath();
  return { resource, group, version, name: rest[1], subresource: rest[2] };
}

function findObject(store: KubeStore, request: ResourceRequest): KubeObj {
  const { resource, namespace, name } = request;
  const found = store.objects
    .get(resource)!
    .find((obj) => obj.metadata.name === name && obj.metadata.namespace === namespace);
  if (!found) {
    throw new StatusError(
      404,
      'NotFound',
      `${qualifiedName(resource)} "${name}" not found`,
      groupDetails(resource, name),
    );
  }
  return found;
}

function filterList(store: KubeStore, request: ResourceRequest, query: URLSearchParams): KubeObj[] {
  const { resource, namespace } = request;
  const matchLabels = parseLabelSelector(query.get('labelSelector') ?? '');
  const fieldRules = parseFieldSelector(query.get('fieldSelector') ?? '').map((rule) => {
    const read =
      rule.field === 'metadata.name'
        ? (obj: KubeObj) => String(obj.metadata.name)
        : rule.field === 'metadata.namespace'
          ? (obj: KubeObj) => String(obj.metadata.namespace ?? '')
          : resource.fields?.[rule.field];
    if (!read) {
      // Registries with their own field conversions answer in their words; the rest use the default conversion's.
      throw badRequest(
        resource.fields
          ? `field label not supported: ${rule.field}`
          : `"${rule.field}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
      );
    }
    return (obj: KubeObj) => (read(obj) === rule.value) === (rule.op === '=');
  });
  return store.objects
    .get(resource)!
    .filter(
      (obj) =>
        (namespace === undefined || obj.metadata.namespace === namespace) &&
        matchLabels(obj.metadata.labels ?? {}) &&
        fieldRules.every((match) => match(obj)),
    );
}

interface Page {
  items: KubeObj[];
  continueToken?: string;
  remaining: number;
}

/** `limit`/`continue`: the token is opaque to clients (base64 JSON of the list's resourceVersion and offset). */
function paginate(store: KubeStore, items: KubeObj[], query: URLSearchParams): Page {
  let start = 0;
  const token = query.get('continue');
  if (token) {
    try {
      const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
        rv?: string;
        start?: number;
      };
      if (decoded.rv !== store.resourceVersion || typeof decoded.start !== 'number') throw new Error('stale');
      start = decoded.start;
    } catch {
      throw badRequest(
        'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
      );
    }
  }
  const limit = Number(query.get('limit') ?? 0);
  if (!Number.isInteger(limit) || limit <= 0 || start + limit >= items.length) {
    return { items: items.slice(start), remaining: 0 };
  }
  const end = start + limit;
  const continueToken = Buffer.from(JSON.stringify({ rv: store.resourceVersion, start: end })).toString(
    'base64url',
  );
  return { items: items.slice(start, end), continueToken, remaining: items.length - end };
}

const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may ' +
  'allow a client to request the generation of an appropriate name automatically. Name is primarily intended ' +
  'for creation idempotence and configuration definition. Cannot be updated. More info: ' +
  'https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';

/** A meta.k8s.io/v1 Table, rows carrying PartialObjectMetadata unless `includeObject` says otherwise. */
function table(
  store: KubeStore,
  request: ResourceRequest,
  items: KubeObj[],
  query: URLSearchParams,
  now: Date,
  metadata: Record<string, unknown>,
): Record<string, unknown> {
  const { resource } = request;
  const include = query.get('includeObject') ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: store.resourceVersion, ...metadata },
    columnDefinitions: [
      { name: 'Name', type: 'string', format: 'name', description: NAME_DESCRIPTION, priority: 0 },
      ...resource.columns.map((c) => ({
        name: c.name,
        type: c.type,
        format: '',
        description: c.description ?? '',
        priority: c.priority ?? 0,
      })),
    ],
    rows: items.map((obj) => ({
      cells: [obj.metadata.name, ...resource.columns.map((c) => c.cell(obj, now))],
      ...(include === 'None'
        ? {}
        : {
            object:
              include === 'Object'
                ? asVersion(obj, request)
                : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata },
          }),
    })),
  };
}

function podLogs(scenario: Scenario, pod: KubeObj, query: URLSearchParams, now: Date): string {
  const name = String(pod.metadata.name);
  const containers: KubeObj[] = pod.spec?.containers ?? [];
  const all = [
    ...(pod.spec?.initContainers ?? []),
    ...containers,
    ...(pod.spec?.ephemeralContainers ?? []),
  ].map((c: { name: string }) => c.name);
  let container = query.get('container') ?? '';
  if (container === '') {
    if (containers.length !== 1) {
      throw badRequest(
        `a container name must be specified for pod ${name}, choose one of: [${all.join(' ')}]`,
      );
    }
    container = containers[0]!.name as string;
  }
  if (!all.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  const byContainer = scenario.kubernetes.logs[`${pod.metadata.namespace}/${name}`] ?? {};
  const isPrevious = query.get('previous') === 'true';
  // The scenario keeps a restarted container's earlier output under "<container>:previous".
  const lines = byContainer[isPrevious ? `${container}:previous` : container];
  if (isPrevious && !lines) {
    throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
  }
  const state = (pod.status?.containerStatuses ?? []).find(
    (s: { name: string }) => s.name === container,
  )?.state;
  const waiting: string | undefined = state?.waiting?.reason;
  if (!lines && waiting && waiting !== 'CrashLoopBackOff') {
    throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ${waiting}`);
  }
  const integer = (key: string) => {
    const value = query.get(key);
    return value === null ? undefined : Number.parseInt(value, 10);
  };
  return renderLogs(
    lines ?? [],
    {
      tailLines: integer('tailLines'),
      sinceSeconds: integer('sinceSeconds'),
      timestamps: query.get('timestamps') === 'true',
    },
    now,
  );
}

/** SelfSubjectAccessReview: allowed unless a `faults.forbid` rule denies the attributes. */
async function review(
  req: IncomingMessage,
  isForbidden: (a: Attributes) => boolean,
): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  let body: { spec?: { resourceAttributes?: Record<string, string>; nonResourceAttributes?: unknown } };
  try {
    body = req.headers['content-type']?.startsWith('application/vnd.kubernetes.protobuf')
      ? { spec: decodeReviewSpec(raw) }
      : (JSON.parse(raw.toString('utf8')) as typeof body);
  } catch (error) {
    throw badRequest(`the object provided is unrecognized: ${errorMessage(error)}`);
  }
  const attributes = body.spec?.resourceAttributes;
  if (!attributes && !body.spec?.nonResourceAttributes) {
    throw new StatusError(
      422,
      'Invalid',
      'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
      { group: 'authorization.k8s.io', kind: 'SelfSubjectAccessReview' },
    );
  }
  const allowed =
    !attributes ||
    !isForbidden({
      verb: attributes.verb ?? '',
      group: attributes.group ?? '',
      plural: attributes.resource ?? '',
      subresource: attributes.subresource || undefined,
      namespace: attributes.namespace || undefined,
    });
  return {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec: body.spec,
    status: allowed
      ? {
          allowed: true,
          reason:
            'RBAC: allowed by ClusterRoleBinding "platform-doctor" of ClusterRole "platform-doctor" to ServiceAccount "platform-doctor/platform-doctor"',
        }
      : { allowed: false },
  };
}

/** Discovery documents: /version, /api, /api/v1, /apis, /apis/G, /apis/G/V; anything else is a 404. */
function discovery(store: KubeStore, segments: string[], port: number): unknown {
  const path = segments.join('/');
  const versionsOf = (group: string) =>
    (store.servedVersions.get(group) ?? []).map((version) => ({
      groupVersion: groupVersion(group, version),
      version,
    }));
  const apiGroup = (name: string) => {
    const versions = versionsOf(name);
    return { name, versions, preferredVersion: versions[0] };
  };
  if (path === 'version') {
    return {
      ...SERVER_VERSION,
      gitCommit: '0000000000000000000000000000000000000000',
      gitTreeState: 'clean',
      buildDate: '2025-04-22T16:00:00Z',
      goVersion: 'go1.23.8',
      compiler: 'gc',
      platform: 'linux/amd64',
    };
  }
  if (path === 'api') {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${port}` }],
    };
  }
  if (path === 'apis') {
    const groups = [...store.servedVersions.keys()].filter((g) => g !== '').map(apiGroup);
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
  if (segments[0] === 'apis' && segments.length === 2 && store.servedVersions.has(segments[1]!)) {
    return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(segments[1]!) };
  }
  const [group, version] =
    path === 'api/v1'
      ? ['', 'v1']
      : segments[0] === 'apis' && segments.length === 3
        ? [segments[1]!, segments[2]!]
        : [];
  if (group === undefined || !store.servedVersions.get(group)?.includes(version!)) throw notFoundPath();
  const resources = [...store.objects.keys()]
    .filter((r) => r.group === group && r.versions.includes(version!))
    .flatMap((r) => [
      {
        name: r.plural,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: r.verbs,
        ...(r.shortNames ? { shortNames: r.shortNames } : {}),
        ...(r.categories ? { categories: r.categories } : {}),
      },
      ...(r.subresources ?? []).map((s) => ({
        name: `${r.plural}/${s.name}`,
        singularName: '',
        namespaced: r.namespaced,
        kind: s.kind,
        verbs: s.verbs,
      })),
    ]);
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersion(group, version!),
    resources,
  };
}
