/**
 * How the secrets steps reach a store's OpenBao server and what they learn there. Every secrets step may ask;
 * the gateways memoize, so asking from three steps costs one request each.
 */
import type { BaoEndpoint, BaoHealth, TokenLookup } from '../../gateways/types.js';
import type { Sensitive } from '../../gateways/sensitive.js';
import type { GatherContext } from '../step.js';
import { storeTokenSubject, tokenSecretSubject, type StoreInfo } from './model.js';
import { attempt, type Failure, type Outcome } from '../outcome.js';

/** Where a store's `server` points. */
export interface ServerLocation {
  /** The URL as configured (the store's `server`, or the `--openbao-addr` override). */
  address: string;
  hostname: string;
  port: number;
  /** Set when the host is a cluster-internal Service name (`*.svc`, `*.svc.cluster.local`, or a bare name). */
  service: { namespace: string; name: string } | null;
  /** `openbao/openbao:8200` for a Service, `bao.example:8200` otherwise: the subject key of the server. */
  label: string;
}

/**
 * Parses a server URL. A bare host name is a Service in `defaultNamespace` (the store's namespace, or the
 * ESO controller's for a ClusterSecretStore), because that is where ESO's resolver would look it up.
 */
export function locateServer(address: string, defaultNamespace: string): ServerLocation | null {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return null;
  }
  // `openbao:8200` parses as a URL with scheme `openbao:`; only http(s) URLs are OpenBao servers.
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) return null;
  const hostname = url.hostname;
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const svc = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\.[a-z0-9.-]+)?$/.exec(hostname);
  const isBare = /^[a-z0-9-]+$/.test(hostname) && hostname !== 'localhost';
  const service = svc
    ? { namespace: svc[2] as string, name: svc[1] as string }
    : isBare
      ? { namespace: defaultNamespace, name: hostname }
      : null;
  const label = service ? `${service.namespace}/${service.name}:${port}` : `${hostname}:${port}`;
  return { address, hostname, port, service, label };
}

/** A reachable endpoint, and why it is not the configured address when it is not. */
export interface BaoTarget {
  location: ServerLocation;
  endpoint: BaoEndpoint;
  /** Set when the server is reached through the API server proxy: the reason, for messages. */
  note: string | null;
}

/**
 * The endpoint for a server: direct when its name resolves here, else (for a cluster Service) through the
 * API server's service proxy, so the doctor works from a laptop as well as from inside the cluster.
 */
export async function reachServer(
  ctx: GatherContext,
  location: ServerLocation,
  caPem: string | null,
): Promise<BaoTarget> {
  if (location.service) {
    const answers = await ctx.gateways.dns.resolve(location.hostname, ctx.signal);
    if (!answers.some((a) => a.answer.kind === 'addresses')) {
      const { namespace, name } = location.service;
      return {
        location,
        endpoint: ctx.gateways.kube.serviceProxy(
          namespace,
          name,
          location.port,
          location.address.startsWith('https:') ? 'https' : 'http',
        ),
        note: `${location.hostname} is not resolvable from here; reached through the API server proxy`,
      };
    }
  }
  const url = new URL(location.address);
  const endpoint: BaoEndpoint = { address: url.origin, label: location.label, via: 'direct' };
  if (caPem) endpoint.tls = { caPem };
  return { location, endpoint, note: null };
}

/** The server a store is checked against: the `--openbao-addr` override when given, else the store's `server`. */
export function storeServer(ctx: GatherContext, store: StoreInfo): ServerLocation | null {
  const address = ctx.scope.openbaoAddress ?? store.server;
  if (address === null) return null;
  return locateServer(address, store.namespace ?? ctx.scope.profile.externalSecrets.namespace);
}

/** The CA to trust for a store's server: the store's own caBundle, else BAO_CACERT. */
export function storeCaPem(ctx: GatherContext, store: StoreInfo | null): string | null {
  return (ctx.scope.openbaoAddress === null ? store?.caBundlePem : null) ?? ctx.scope.openbaoCaPem;
}

/** Where the token came from: the store's own token Secret, or BAO_TOKEN/VAULT_TOKEN. */
export type TokenSource = 'store' | 'env';

/** A token to use, never turned into text; or why there is none. */
export type TokenAccess =
  | { kind: 'token'; token: Sensitive; source: TokenSource }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'error'; failure: Failure };

/**
 * The token to check a store with: its own (read from `auth.tokenSecretRef`) when Secret data may be read,
 * else BAO_TOKEN/VAULT_TOKEN, else none with the reason. The value stays inside a Sensitive.
 */
export async function storeToken(ctx: GatherContext, store: StoreInfo): Promise<TokenAccess> {
  const ref = store.tokenRef;
  if (ctx.scope.readSecrets && ref !== null && ref.namespace !== null) {
    const { namespace, name, key } = ref;
    const read = await attempt(() => ctx.gateways.kube.readSecretValue(namespace, name, key, ctx.signal));
    if (!read.ok) return { kind: 'error', failure: read.failure };
    if (read.value !== null) return { kind: 'token', token: read.value, source: 'store' };
    return {
      kind: 'unavailable',
      reason: `token Secret ${namespace}/${name} has no key ${key} (see secrets.stores)`,
    };
  }
  if (ctx.scope.openbaoToken !== null) return { kind: 'token', token: ctx.scope.openbaoToken, source: 'env' };
  if (!ctx.scope.readSecrets)
    return { kind: 'unavailable', reason: '--no-read-secrets is set and no BAO_TOKEN was given' };
  if (ref === null)
    return {
      kind: 'unavailable',
      reason: `auth is ${store.auth ?? 'not set'}, not a token; set BAO_TOKEN to check access`,
    };
  return { kind: 'unavailable', reason: 'auth.tokenSecretRef has no namespace (see secrets.stores)' };
}

/** What a token lookup told us, as plain data (the token itself is never kept). */
export type TokenState =
  | { kind: 'lookup'; source: TokenSource; lookup: TokenLookup }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'error'; failure: Failure };

/** Looks the token up on the server, keeping only the answer. */
export async function lookupTokenState(
  ctx: GatherContext,
  endpoint: BaoEndpoint,
  access: TokenAccess,
): Promise<TokenState> {
  if (access.kind !== 'token') return access;
  const lookup = await attempt(() => ctx.gateways.openbao.lookupToken(endpoint, access.token, ctx.signal));
  return lookup.ok
    ? { kind: 'lookup', source: access.source, lookup: lookup.value }
    : { kind: 'error', failure: lookup.failure };
}

/** OpenBao as one store sees it: enough to name a root cause from another step. */
export interface BaoProbe {
  store: string;
  /** The server's label, e.g. `openbao/openbao:8200`. */
  server: string;
  address: string;
  service: ServerLocation['service'];
  health: Outcome<BaoHealth>;
  /** Null when the server is not serving (sealed, not initialized, unreachable): the token was not asked. */
  token: TokenState | null;
}

/** Asks OpenBao about one vault store (health, then its token); null when the store has no usable server. */
export async function probeStore(ctx: GatherContext, store: StoreInfo): Promise<BaoProbe | null> {
  const location = store.provider === 'vault' ? storeServer(ctx, store) : null;
  if (location === null) return null;
  const { endpoint } = await reachServer(ctx, location, storeCaPem(ctx, store));
  const health = await attempt(() => ctx.gateways.openbao.readHealth(endpoint, ctx.signal));
  const isServing = health.ok && health.value.initialized && !health.value.sealed;
  const token = isServing ? await lookupTokenState(ctx, endpoint, await storeToken(ctx, store)) : null;
  return {
    store: store.subject,
    server: location.label,
    address: location.address,
    service: location.service,
    health,
    token,
  };
}

/**
 * The subjects whatever reads through `store` rests on: its OpenBao server (when it was asked), the
 * store's token there, and the Kubernetes Secret that holds the token.
 */
export function storeDependsOn(store: StoreInfo, probe: BaoProbe | null): string[] {
  const tokenSecret = tokenSecretSubject(store);
  return [
    ...(probe ? [`OpenBao ${probe.server}`] : []),
    ...(store.provider === 'vault' ? [storeTokenSubject(store)] : []),
    ...(tokenSecret ? [tokenSecret] : []),
  ];
}

/** A broken OpenBao that explains failures elsewhere in the tree. */
export interface RootCause {
  kind: 'sealed' | 'uninitialized' | 'unreachable' | 'token-dead';
  /** Read after `likely caused by: `, e.g. `OpenBao sealed`. */
  text: string;
  server: string;
  store: string;
}

/** Tokens ESO itself treats as expired: under a minute left on a token that expires at all. */
export const TOKEN_EXPIRED_BELOW_SECONDS = 60;

/** Names what is wrong with OpenBao for a store, or null when it is serving and the token works (or is unknown). */
export function rootCauseOf(probe: BaoProbe | null): RootCause | null {
  if (probe === null) return null;
  const at = { server: probe.server, store: probe.store };
  const { health, token } = probe;
  if (!health.ok) {
    // 403/401 from the API server proxy says nothing about OpenBao itself.
    // Nor does a snapshot that holds no answer (`--from`).
    if (['forbidden', 'unauthorized', 'unrecorded'].includes(health.failure.kind)) return null;
    return { kind: 'unreachable', text: `OpenBao unreachable (${health.failure.message})`, ...at };
  }
  if (!health.value.initialized) return { kind: 'uninitialized', text: 'OpenBao not initialized', ...at };
  if (health.value.sealed) return { kind: 'sealed', text: 'OpenBao sealed', ...at };
  if (token?.kind !== 'lookup' || token.source !== 'store') return null;
  const { lookup } = token;
  if (lookup.kind === 'denied') {
    return { kind: 'token-dead', text: `the OpenBao token of ${probe.store} is expired or revoked`, ...at };
  }
  if (lookup.expireTime !== null && lookup.ttlSeconds < TOKEN_EXPIRED_BELOW_SECONDS) {
    return { kind: 'token-dead', text: `the OpenBao token of ${probe.store} has expired`, ...at };
  }
  return null;
}
