/**
 * The doors to the outside world. Checks see only these interfaces; the real implementations in
 * this folder are the only importers of @kubernetes/client-node, node-vault, dns-packet and undici.
 *
 * Conventions shared by every gateway:
 * - every method takes an AbortSignal and also enforces its own per-call timeout;
 * - expected absence is a value (null, `{ kind: 'nxdomain' }`, `{ kind: 'absent' }`), never a throw;
 * - every other failure rejects with a GatewayError (./errors.ts) whose message holds no secret;
 * - reads are memoized for the run, so two steps asking the same question cause one request;
 *   `forget()` drops the memo (a rerun), `forget(signal)` only what was read under that caller's signal
 *   (rerunning one step);
 * - `close()` ends every connection and child process the gateway holds; nothing it started outlives it.
 */
import type { KindName } from './kinds.js';
import type { Sensitive } from './sensitive.js';

// ---------------------------------------------------------------- Kubernetes

/** A Kubernetes object as the API returns it, kept loose: checks read the fields they need. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
    creationTimestamp?: string;
    generation?: number;
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  status?: any;
}

/** A Secret with its values stripped inside the gateway: key names, and the public `tls.crt` only. */
export interface SecretSummary {
  metadata: KubeObject['metadata'];
  type: string;
  /** Names of the keys in `data` (and `stringData`), sorted. Never values. */
  keys: string[];
  /** PEM of `tls.crt` for `kubernetes.io/tls` Secrets: a public certificate, safe to parse. Never `tls.key`. */
  tlsCrtPem?: string;
}

export interface ListOptions {
  /** Undefined lists across all namespaces (and is ignored for cluster-scoped kinds). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** Who we are talking to, for the report header and for commands (`kubectl --context …`). */
export interface KubeTarget {
  context: string | null;
  cluster: string | null;
  server: string;
  user: string | null;
  /** Namespace of the current context, when it sets one. */
  namespace: string | null;
  inCluster: boolean;
}

export interface PodLogOptions {
  container?: string;
  /** The container's previous instance (`kubectl logs --previous`): why a crash-looping container died. */
  previous?: boolean;
  tailLines: number;
  sinceSeconds?: number;
  timestamps?: boolean;
}

export interface KubeGateway {
  readonly target: KubeTarget;
  /** `GET /version`: the server's gitVersion. The CLI's reachability preflight; rejects with GatewayError. */
  readVersion(signal: AbortSignal): Promise<string>;
  /**
   * Every object of a kind, pages followed (limit/continue), memoized per (kind, options).
   * Resolves `null` when the cluster does not serve the kind at all (its CRD is not installed).
   * A 403 rejects with GatewayError `forbidden` whose `permission` reads e.g. `list certificates.cert-manager.io in plate-stg`.
   */
  list(
    kind: Exclude<KindName, 'secrets'>,
    options: ListOptions,
    signal: AbortSignal,
  ): Promise<KubeObject[] | null>;
  /** Secrets as summaries (see SecretSummary), memoized like `list`. Values never leave the gateway. */
  listSecrets(options: ListOptions, signal: AbortSignal): Promise<SecretSummary[]>;
  /** One key of one Secret, for credentials the doctor must use (the OpenBao token). Null when absent. */
  readSecretValue(
    namespace: string,
    name: string,
    key: string,
    signal: AbortSignal,
  ): Promise<Sensitive | null>;
  /** Recent log text of one container. Rejects with GatewayError; a 404 (pod gone) resolves to ''. */
  readPodLogs(namespace: string, pod: string, options: PodLogOptions, signal: AbortSignal): Promise<string>;
  /** SelfSubjectAccessReview: may this identity do `verb` on the resource? */
  canI(
    verb: 'get' | 'list' | 'watch' | 'create',
    resource: { group: string; resource: string; namespace?: string; subresource?: string; name?: string },
    signal: AbortSignal,
  ): Promise<boolean>;
  /**
   * How to reach a Service through the API server's proxy (`/api/v1/namespaces/NS/services/NAME:PORT/proxy`;
   * `https:NAME:PORT` when the Service itself speaks TLS).
   */
  serviceProxy(
    namespace: string,
    service: string,
    port: string | number,
    scheme?: 'http' | 'https',
  ): BaoEndpoint;
  forget(signal?: AbortSignal): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- OpenBao

/** Where and how to reach one OpenBao server. */
export interface BaoEndpoint {
  /** Base URL without `/v1`, e.g. `https://bao.example:8200` or an API server proxy URL. */
  address: string;
  /** For people: the address, or `openbao/openbao:8200 via the API server proxy`. Never holds a token. */
  label: string;
  via: 'direct' | 'service-proxy';
  tls?: { caPem?: string; certPem?: string; keyPem?: Sensitive; insecureSkipVerify?: boolean };
  /** Extra headers the transport needs (the API server's Authorization for the proxy). */
  headers?: Record<string, Sensitive>;
}

/** `GET /v1/sys/health`. 429/501/503 are answers, not errors. */
export interface BaoHealth {
  httpStatus: number;
  initialized: boolean;
  sealed: boolean;
  standby: boolean;
  version: string | null;
  clusterName: string | null;
}

export type TokenLookup =
  | {
      kind: 'valid';
      /** Seconds left; 0 with `expireTime: null` means the token never expires (root, non-expiring). */
      ttlSeconds: number;
      expireTime: string | null;
      policies: string[];
      renewable: boolean;
      tokenType: 'service' | 'batch' | string;
    }
  /** 403 from lookup-self: unknown, expired or revoked token. `errors` as the server wrote them. */
  | { kind: 'denied'; errors: string[] };

export type KvRead =
  | {
      kind: 'found';
      keys: string[];
      /**
       * Dotted paths to the keys and indices inside object and array values (`db.password`, `hosts.0`), as a
       * `remoteRef.property` names them; names only. Absent in snapshots written before it existed.
       */
      nestedKeys?: string[];
      version: number | null;
    }
  | { kind: 'absent' } // 404 with no data: never written
  | { kind: 'deleted' } // 404 with metadata: latest version deleted or destroyed
  | { kind: 'denied'; errors: string[] };

export interface OpenBaoGateway {
  readHealth(endpoint: BaoEndpoint, signal: AbortSignal): Promise<BaoHealth>;
  lookupToken(endpoint: BaoEndpoint, token: Sensitive, signal: AbortSignal): Promise<TokenLookup>;
  /** `POST /v1/sys/capabilities-self`: capabilities per path, e.g. `{ 'server/data/staging': ['read'] }`. */
  readCapabilities(
    endpoint: BaoEndpoint,
    token: Sensitive,
    paths: string[],
    signal: AbortSignal,
  ): Promise<Record<string, string[]>>;
  /** KV v2 `GET /v1/<mount>/data/<path>`: key names only; values are dropped inside the gateway. */
  readKvKeyNames(
    endpoint: BaoEndpoint,
    token: Sensitive,
    mount: string,
    path: string,
    signal: AbortSignal,
  ): Promise<KvRead>;
  forget(signal?: AbortSignal): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- DNS

export type DnsAnswer =
  | {
      kind: 'addresses';
      /** A and AAAA addresses at the end of the CNAME chain, sorted. */
      addresses: string[];
      /** CNAME targets followed, in order. */
      cnames: string[];
      /** Smallest TTL seen on the way, in seconds. */
      ttlSeconds: number;
    }
  /** `cnames`, when present, are the CNAMEs followed before the name ran out: the host is a dangling alias. */
  | { kind: 'nxdomain'; cnames?: string[] }
  /** The name (or, with `cnames`, the end of its CNAME chain) exists but has no A/AAAA records. */
  | { kind: 'nodata'; cnames?: string[] }
  /** Timeout, SERVFAIL, REFUSED, malformed reply: we could not learn the answer. */
  | { kind: 'unanswered'; reason: string };

export interface ResolverAnswer {
  /** `host:port` of the resolver asked. */
  resolver: string;
  answer: DnsAnswer;
}

export interface DnsGateway {
  /** The resolvers in use (`--dns-server`, else the system's), as `host:port`. */
  readonly resolvers: readonly string[];
  /** Asks every resolver for A and AAAA over UDP (TCP when truncated), following CNAMEs. Memoized per name. */
  resolve(name: string, signal: AbortSignal): Promise<ResolverAnswer[]>;
  forget(signal?: AbortSignal): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- HTTP(S) probes of the ingress

/** Connect to `address:port` (the load balancer), speaking for `host` (SNI and Host header). */
export interface ProbeTarget {
  address: string;
  port: number;
  host: string;
}

export type TlsProbe =
  | {
      kind: 'handshake';
      /** The chain the server sent, as PEM, leaf first, without a self-signed root past the leaf. Public certificates only. */
      chainPem: string[];
      /** Whether the chain verifies against the trusted CAs (system + configured extra CAs) for `host`. */
      isTrusted: boolean;
      /** Why verification failed, e.g. `certificate has expired`, `Hostname/IP does not match …`. */
      verifyError: string | null;
    }
  | { kind: 'failed'; reason: string };

export type HttpReply =
  | { kind: 'response'; status: number; location: string | null; server: string | null; bodyStart: string }
  | { kind: 'failed'; reason: string };

/** What one connection to the load balancer for a host showed: the handshake, then each path asked over it. */
export interface HttpsProbe {
  tls: TlsProbe;
  /** One reply per path asked, in the order asked; empty when the handshake failed. */
  replies: HttpReply[];
}

export interface HttpGateway {
  /**
   * One TLS connection for `target.host`: the handshake judges the certificate, then each of `paths` is asked
   * (GET, no redirects followed) over that same connection. Memoized per target and paths.
   */
  probeHttps(target: ProbeTarget, paths: readonly string[], signal: AbortSignal): Promise<HttpsProbe>;
  /** One request on a connection of its own, no redirects followed; TLS verification off (probeHttps judges certificates). */
  request(
    target: ProbeTarget & { scheme: 'http' | 'https'; path: string },
    signal: AbortSignal,
  ): Promise<HttpReply>;
  forget(signal?: AbortSignal): void;
  close(): Promise<void>;
}

export interface Gateways {
  kube: KubeGateway;
  openbao: OpenBaoGateway;
  dns: DnsGateway;
  http: HttpGateway;
}
