import type { BaoHealth, KvRead } from '../../gateways/types.js';
import { baoDown, kvBroken, noToken, policyDenies, renewToken, type EsRef } from './hints.js';
import { group, type CheckNode } from '../result.js';
import { defineStep, type GatherContext } from '../step.js';
import {
  locateServer,
  lookupTokenState,
  reachServer,
  storeCaPem,
  storeServer,
  storeToken,
  TOKEN_EXPIRED_BELOW_SECONDS,
  type ServerLocation,
  type TokenAccess,
  type TokenState,
} from './bao.js';
import { failuresOf, itemsSeen, type ListFailure } from '../listing.js';
import { listExternalSecrets, listStores, listFailureLeaves } from './inventory.js';
import {
  formatAge,
  kvLocation,
  kvSubject,
  storeTokenSubject,
  tokenSecretSubject,
  type ExternalSecretInfo,
  type StoreInfo,
} from './model.js';
import { attempt, type Outcome } from '../outcome.js';
import { couldNotCheck } from '../could-not-check.js';

const ID = 'secrets.openbao';
const TITLE = 'OpenBao is unsealed and each store token can read its mapped secrets';

/** Tokens with less time left than this get a warning. */
export const TOKEN_WARN_BELOW_SECONDS = 7 * 86_400;

/** What `gatherOpenBao` learned. No token value appears here: only lookups, capabilities and key names. */
export interface OpenBaoFacts {
  readSecrets: boolean;
  listFailures: ListFailure[];
  /** Vault stores whose server cannot be used (missing or not a URL). */
  unusable: { store: StoreInfo; reason: string }[];
  servers: ServerFacts[];
}

/** One OpenBao server and the stores that use it. */
export interface ServerFacts {
  label: string;
  address: string;
  service: ServerLocation['service'];
  /** Why it was reached through the API server proxy; null when direct. */
  note: string | null;
  health: Outcome<BaoHealth>;
  stores: StoreBaoFacts[];
  /** BAO_TOKEN checked against an `--openbao-addr` server no store uses; null otherwise. */
  envToken: TokenState | null;
}

export interface StoreBaoFacts {
  store: StoreInfo;
  externalSecrets: EsRef[];
  /** Null when the server is not serving (sealed, not initialized, unreachable): nothing was asked. */
  token: TokenState | null;
  /** `capabilities-self` for every ACL path; null when not asked (no store token, or token not valid). */
  capabilities: Outcome<Record<string, string[]>> | null;
  paths: PathFacts[];
}

/** One remote KV secret the store's ExternalSecrets read. */
export interface PathFacts {
  mount: string;
  path: string;
  aclPath: string;
  /** Which ExternalSecret needs which keys (properties) of it. */
  wanted: { externalSecret: string; properties: string[] }[];
  /** Key names at the path; null when not read (token unusable, or policy denies read). */
  kv: Outcome<KvRead> | null;
}

function isServing(health: Outcome<BaoHealth>): boolean {
  return health.ok && health.value.initialized && !health.value.sealed;
}

function isUsable(token: TokenState): boolean {
  return (
    token.kind === 'lookup' &&
    token.lookup.kind === 'valid' &&
    !(token.lookup.expireTime !== null && token.lookup.ttlSeconds < TOKEN_EXPIRED_BELOW_SECONDS)
  );
}

function canRead(capabilities: readonly string[] | undefined): boolean {
  return (capabilities ?? []).some((c) => c === 'read' || c === 'root');
}

/** The remote paths a store's ExternalSecrets read, grouped by ACL path. */
export function pathsOf(
  store: StoreInfo,
  externalSecrets: readonly ExternalSecretInfo[],
): Omit<PathFacts, 'kv'>[] {
  const paths = new Map<string, Omit<PathFacts, 'kv'>>();
  for (const es of externalSecrets) {
    // An item may read from another store than its ExternalSecret's (sourceRef.storeRef).
    for (const ref of es.remoteRefs.filter((r) => r.store.subject === store.subject)) {
      const loc = kvLocation(store, ref.key);
      const entry = paths.get(loc.aclPath) ?? { ...loc, wanted: [] };
      entry.wanted.push({ externalSecret: es.key, properties: ref.properties });
      paths.set(loc.aclPath, entry);
    }
  }
  return [...paths.values()].sort((a, b) => a.aclPath.localeCompare(b.aclPath));
}

/**
 * Per server: health. Per store on a serving server: its own token (lookup, capabilities on every mapped path)
 * and the key names at each path. The token goes only to the server it is checked against.
 */
export async function gatherOpenBao(ctx: GatherContext): Promise<OpenBaoFacts> {
  const [stores, externalSecrets] = await Promise.all([listStores(ctx), listExternalSecrets(ctx)]);
  const unusable: OpenBaoFacts['unusable'] = [];
  const byServer = new Map<string, { location: ServerLocation; stores: StoreInfo[] }>();
  for (const store of itemsSeen(stores).filter((s) => s.provider === 'vault')) {
    const location = storeServer(ctx, store);
    if (location === null) {
      unusable.push({
        store,
        reason: store.server ? `server ${store.server} is not a URL` : 'no server is set',
      });
      continue;
    }
    const entry = byServer.get(location.label) ?? { location, stores: [] };
    entry.stores.push(store);
    byServer.set(location.label, entry);
  }
  const override = ctx.scope.openbaoAddress;
  if (byServer.size === 0 && override !== null) {
    const location = locateServer(override, ctx.scope.profile.externalSecrets.namespace);
    if (location) byServer.set(location.label, { location, stores: [] });
  }

  const servers = await Promise.all(
    [...byServer.values()].map(async ({ location, stores: using }): Promise<ServerFacts> => {
      const target = await reachServer(ctx, location, storeCaPem(ctx, using[0] ?? null));
      const health = await attempt(() => ctx.gateways.openbao.readHealth(target.endpoint, ctx.signal));
      const serving = isServing(health);
      const storeFacts = await Promise.all(
        using.map(async (store): Promise<StoreBaoFacts> => {
          const mine = itemsSeen(externalSecrets).filter(
            (es) =>
              es.storeRef.subject === store.subject ||
              es.remoteRefs.some((r) => r.store.subject === store.subject),
          );
          const refs = mine.map((es) => ({ namespace: es.namespace, name: es.name }));
          const paths = pathsOf(store, mine);
          if (!serving)
            return {
              store,
              externalSecrets: refs,
              token: null,
              capabilities: null,
              paths: paths.map((p) => ({ ...p, kv: null })),
            };
          const access: TokenAccess = await storeToken(ctx, store);
          const token = await lookupTokenState(ctx, target.endpoint, access);
          if (access.kind !== 'token' || !isUsable(token)) {
            return {
              store,
              externalSecrets: refs,
              token,
              capabilities: null,
              paths: paths.map((p) => ({ ...p, kv: null })),
            };
          }
          // Capabilities say what the store's policy allows; BAO_TOKEN's would describe another identity.
          const capabilities =
            access.source === 'store' && paths.length > 0
              ? await attempt(() =>
                  ctx.gateways.openbao.readCapabilities(
                    target.endpoint,
                    access.token,
                    paths.map((p) => p.aclPath),
                    ctx.signal,
                  ),
                )
              : null;
          const withKv = await Promise.all(
            paths.map(async (p): Promise<PathFacts> => {
              const denied = capabilities?.ok === true && !canRead(capabilities.value[p.aclPath]);
              if (denied) return { ...p, kv: null };
              const kv = await attempt(() =>
                ctx.gateways.openbao.readKvKeyNames(
                  target.endpoint,
                  access.token,
                  p.mount,
                  p.path,
                  ctx.signal,
                ),
              );
              return { ...p, kv };
            }),
          );
          return { store, externalSecrets: refs, token, capabilities, paths: withKv };
        }),
      );
      let envToken: TokenState | null = null;
      if (using.length === 0 && serving) {
        const access: TokenAccess = ctx.scope.openbaoToken
          ? { kind: 'token', token: ctx.scope.openbaoToken, source: 'env' }
          : { kind: 'unavailable', reason: 'no BAO_TOKEN was given' };
        envToken = await lookupTokenState(ctx, target.endpoint, access);
      }
      return {
        label: location.label,
        address: location.address,
        service: location.service,
        note: target.note,
        health,
        stores: storeFacts,
        envToken,
      };
    }),
  );

  return {
    readSecrets: ctx.scope.readSecrets,
    listFailures: [...failuresOf(stores), ...failuresOf(externalSecrets)],
    unusable,
    servers,
  };
}

/** Pure: a group per server (health, then a group per store: token and each mapped path). */
export function evaluateOpenBao(facts: OpenBaoFacts): CheckNode {
  const children: CheckNode[] = listFailureLeaves(ID, facts.listFailures);
  for (const { store, reason } of facts.unusable) {
    children.push({
      id: `${ID}:${store.key}`,
      title: store.subject,
      subject: store.subject,
      status: 'fail',
      code: 'STORE_SERVER_UNUSABLE',
      message: `${reason}; ESO cannot reach OpenBao for this store`,
      hint: `Set spec.provider.vault.server of ${store.subject} to the OpenBao URL, e.g. http://openbao.openbao.svc:8200.`,
      commands: [],
    });
  }
  for (const server of facts.servers) children.push(serverNode(server, facts));
  if (children.length === 0) {
    return {
      id: ID,
      title: TITLE,
      status: 'skip',
      code: 'OPENBAO_NOT_USED',
      message: 'no SecretStore uses the vault provider and no OpenBao address was given',
      hint: 'Pass --openbao-addr (or set BAO_ADDR) to check an OpenBao server directly.',
    };
  }
  return group(ID, TITLE, children);
}

function serverNode(server: ServerFacts, facts: OpenBaoFacts): CheckNode {
  const subject = `OpenBao ${server.label}`;
  const children = [healthLeaf(server)];
  for (const s of server.stores) children.push(storeNode(s, server, facts));
  if (server.envToken) {
    children.push(
      tokenLeaf(server.envToken, `${ID}:${server.label}:token`, 'OpenBao token BAO_TOKEN', server, [], facts),
    );
  }
  return group(`${ID}:${server.label}`, subject, children);
}

function healthLeaf(server: ServerFacts): CheckNode {
  const subject = `OpenBao ${server.label}`;
  const base = { id: `${ID}:${server.label}:health`, title: subject, subject };
  const via = server.note ? `; ${server.note}` : '';
  const { health } = server;
  if (!health.ok) {
    const { failure } = health;
    // Refused, 503 from the proxy (no endpoints) and TLS failures are OpenBao not serving; 401/403/timeouts are
    // the doctor's own view being blocked, so "could not check".
    if (failure.kind === 'unreachable' || failure.kind === 'unavailable' || failure.kind === 'tls') {
      return {
        ...base,
        status: 'fail',
        code: 'OPENBAO_UNREACHABLE',
        message: `not reachable: ${failure.message}${via}`,
        ...baoDown('unreachable', server.label, server),
      };
    }
    return {
      ...base,
      status: 'error',
      message: `could not check: ${failure.message}${via}`,
      ...couldNotCheck(failure, subject),
    };
  }
  const h = health.value;
  const version = h.version ? `, version ${h.version}` : '';
  if (!h.initialized) {
    return {
      ...base,
      status: 'fail',
      code: 'OPENBAO_UNINITIALIZED',
      message: `not initialized (HTTP ${h.httpStatus}${version})${via}`,
      ...baoDown('uninitialized', server.label, server),
    };
  }
  if (h.sealed) {
    return {
      ...base,
      status: 'fail',
      code: 'OPENBAO_SEALED',
      message: `sealed (HTTP ${h.httpStatus}${version})${via}`,
      ...baoDown('sealed', server.label, server),
    };
  }
  return {
    ...base,
    status: 'pass',
    message: `unsealed, ${h.standby ? 'standby' : 'active'}${version}${via}`,
  };
}

function storeNode(s: StoreBaoFacts, server: ServerFacts, facts: OpenBaoFacts): CheckNode {
  const { store } = s;
  const tokenSubject = storeTokenSubject(store);
  const children: CheckNode[] = [];
  if (s.token === null) {
    children.push({
      id: `${ID}:${store.key}:token`,
      title: tokenSubject,
      subject: tokenSubject,
      status: 'skip',
      code: 'OPENBAO_TOKEN_NOT_CHECKED',
      message: `not checked: OpenBao ${server.label} is not serving`,
      hint: `Fix OpenBao ${server.label} first (see its health above).`,
    });
  } else {
    children.push(
      tokenLeaf(s.token, `${ID}:${store.key}:token`, tokenSubject, server, s.externalSecrets, facts, store),
    );
    if (isUsable(s.token)) for (const p of s.paths) children.push(pathLeaf(p, s, server));
  }
  return group(`${ID}:${store.key}`, store.subject, children);
}

function tokenLeaf(
  token: TokenState,
  id: string,
  subject: string,
  server: ServerFacts,
  externalSecrets: EsRef[],
  facts: OpenBaoFacts,
  store?: StoreInfo,
): CheckNode {
  const tokenSecret = store ? tokenSecretSubject(store) : null;
  const base = {
    id,
    title: subject,
    subject,
    dependsOn: [`OpenBao ${server.label}`, ...(tokenSecret ? [tokenSecret] : [])],
  };
  const owner = { subject: store?.subject ?? 'BAO_TOKEN' };
  if (token.kind === 'unavailable') {
    const hint =
      facts.readSecrets && store
        ? { hint: `Fix the token Secret reference of ${store.subject} (see secrets.stores).`, commands: [] }
        : noToken(owner);
    return {
      ...base,
      status: 'skip',
      code: 'OPENBAO_TOKEN_NOT_CHECKED',
      message: `not checked: ${token.reason}`,
      ...hint,
    };
  }
  if (token.kind === 'error') {
    return {
      ...base,
      status: 'error',
      message: `could not check: ${token.failure.message}`,
      ...couldNotCheck(token.failure, `OpenBao ${server.label}`),
    };
  }
  const isEnv = token.source === 'env';
  const prefix =
    isEnv && store ? "BAO_TOKEN checked instead of the store's own token (--no-read-secrets); " : '';
  const { lookup } = token;
  if (lookup.kind === 'denied') {
    const why = lookup.errors
      .map((e) =>
        e
          .replace(/^\d+ errors? occurred:\s*/, '')
          .replace(/\*\s*/g, '')
          .trim(),
      )
      .join('; ');
    const message = `${prefix}expired or revoked (lookup-self: ${why || 'permission denied'})`;
    if (isEnv) {
      // A rejected BAO_TOKEN is the doctor's credential, not the platform's: we could not look.
      return {
        ...base,
        status: 'error',
        code: 'CHECK_UNAUTHORIZED',
        message,
        hint: 'Set BAO_TOKEN to a valid token, then retry.',
        commands: [],
      };
    }
    return {
      ...base,
      status: 'fail',
      code: 'OPENBAO_TOKEN_REVOKED',
      message,
      ...renewToken(owner, externalSecrets, server, []),
    };
  }
  const policies = lookup.policies.length ? `; policies ${lookup.policies.join(', ')}` : '';
  if (lookup.expireTime === null)
    return { ...base, status: 'pass', message: `${prefix}valid, never expires${policies}` };
  const renew = renewToken(owner, externalSecrets, server, lookup.policies);
  if (lookup.ttlSeconds < TOKEN_EXPIRED_BELOW_SECONDS) {
    return {
      ...base,
      status: isEnv ? 'error' : 'fail',
      code: isEnv ? 'CHECK_UNAUTHORIZED' : 'OPENBAO_TOKEN_EXPIRED',
      message: `${prefix}expired (${lookup.ttlSeconds}s left, expire time ${lookup.expireTime})${policies}`,
      ...renew,
    };
  }
  const left = formatAge(lookup.ttlSeconds * 1000);
  if (lookup.ttlSeconds < TOKEN_WARN_BELOW_SECONDS) {
    return {
      ...base,
      status: 'warn',
      code: 'OPENBAO_TOKEN_EXPIRING',
      // Whether renewing can save it decides how urgent recreating is.
      message: `${prefix}expires in ${left} (${lookup.expireTime}), ${lookup.renewable ? 'renewable (bao token renew extends it up to its max TTL)' : 'not renewable: it must be recreated before then'}${policies}`,
      ...renew,
    };
  }
  return { ...base, status: 'pass', message: `${prefix}valid for ${left}${policies}` };
}

function pathLeaf(p: PathFacts, s: StoreBaoFacts, server: ServerFacts): CheckNode {
  const subject = kvSubject(p);
  const base = {
    id: `${ID}:${s.store.key}:${p.aclPath}`,
    title: subject,
    subject,
    dependsOn: [`OpenBao ${server.label}`, storeTokenSubject(s.store)],
  };
  const users = p.wanted.map((w) => `ExternalSecret ${w.externalSecret}`);
  const usersText = [...new Set(users)].join(', ');
  const esRefs = [...new Set(p.wanted.map((w) => w.externalSecret))].map((k) => {
    const [namespace = '', name = ''] = k.split('/');
    return { namespace, name };
  });
  const policies =
    s.token?.kind === 'lookup' && s.token.lookup.kind === 'valid' ? s.token.lookup.policies : [];
  // capabilities-self is a POST, which the API server proxy authorizes as `create services/proxy`; a
  // read-only identity may lack it. The KV read below still proves whether the token can read the path.
  const capabilitiesFailure = s.capabilities && !s.capabilities.ok ? s.capabilities.failure : null;
  if (capabilitiesFailure && (p.kv === null || !p.kv.ok)) {
    return {
      ...base,
      status: 'error',
      message: `could not read capabilities: ${capabilitiesFailure.message}`,
      ...couldNotCheck(capabilitiesFailure, `OpenBao ${server.label}`),
    };
  }
  if (s.capabilities?.ok && !canRead(s.capabilities.value[p.aclPath])) {
    const caps = s.capabilities.value[p.aclPath]?.join(', ') || 'none';
    return {
      ...base,
      status: 'fail',
      code: 'OPENBAO_POLICY_DENIES',
      message: `token may not read ${p.aclPath} (capabilities: ${caps}); needed by ${usersText}`,
      ...policyDenies(s.store, p.aclPath, policies, server),
    };
  }
  const kv = p.kv;
  if (kv === null)
    return {
      ...base,
      status: 'skip',
      code: 'OPENBAO_PATH_NOT_CHECKED',
      message: 'not read',
      hint: 'See the token check above.',
    };
  if (!kv.ok) {
    return {
      ...base,
      status: 'error',
      message: `could not read: ${kv.failure.message}`,
      ...couldNotCheck(kv.failure, `OpenBao ${server.label}`),
    };
  }
  const isV1 = s.store.kvVersion === 'v1';
  const read = kv.value;
  switch (read.kind) {
    case 'denied':
      return {
        ...base,
        status: 'fail',
        code: 'OPENBAO_POLICY_DENIES',
        message: `read denied on ${p.aclPath}; needed by ${usersText}`,
        ...policyDenies(s.store, p.aclPath, policies, server),
      };
    case 'absent':
      if (isV1) {
        return {
          ...base,
          status: 'skip',
          code: 'OPENBAO_PATH_NOT_CHECKED',
          message: `not checked: ${s.store.subject} uses KV v1 and the doctor reads KV v2 only`,
          hint: `Check ${p.mount}/${p.path} by hand; ${usersText} reads it.`,
          commands: [],
        };
      }
      return {
        ...base,
        status: 'fail',
        code: 'OPENBAO_PATH_MISSING',
        message: `does not exist; needed by ${usersText}`,
        ...kvBroken(p.mount, p.path, 'absent', s.store, esRefs, server),
      };
    case 'deleted':
      return {
        ...base,
        status: 'fail',
        code: 'OPENBAO_PATH_DELETED',
        message: `latest version is deleted; needed by ${usersText}`,
        ...kvBroken(p.mount, p.path, 'deleted', s.store, esRefs, server),
      };
    default: {
      if (isV1) {
        return {
          ...base,
          status: 'fail',
          code: 'OPENBAO_KV_VERSION_MISMATCH',
          message: `is a KV v2 secret, but ${s.store.subject} says version v1 (ESO reads ${p.aclPath} and finds nothing)`,
          ...kvBroken(p.mount, p.path, 'v1-on-v2', s.store, esRefs, server),
        };
      }
      // ESO reads a top-level key of that name first, else the gjson path into the values.
      const has = (prop: string) =>
        read.keys.includes(prop) ||
        (read.nestedKeys
          ? read.nestedKeys.includes(prop)
          : // A snapshot from before nested keys were read: the path's first key is all it can tell.
            read.keys.includes(prop.split('.')[0] ?? prop));
      const lacking = p.wanted.flatMap((w) =>
        w.properties.filter((prop) => !has(prop)).map((prop) => ({ prop, es: w.externalSecret })),
      );
      if (lacking.length) {
        const names = [...new Set(lacking.map((l) => l.prop))].join(', ');
        const by = [...new Set(lacking.map((l) => `ExternalSecret ${l.es}`))].join(', ');
        return {
          ...base,
          status: 'fail',
          code: 'OPENBAO_KEYS_MISSING',
          message: `lacks ${names} (has ${read.keys.join(', ') || 'no keys'}); needed by ${by}`,
          ...kvBroken(p.mount, p.path, 'keys', s.store, esRefs, server),
        };
      }
      const unchecked = capabilitiesFailure
        ? ` (capabilities not checked: ${capabilitiesFailure.message})`
        : '';
      return {
        ...base,
        status: 'pass',
        message: `readable; has ${read.keys.join(', ') || 'no keys'}${unchecked}`,
      };
    }
  }
}

/** `secrets.openbao`: the server answers unsealed; each store's token is alive and reads its mapped paths. */
export const openbaoStep = defineStep<OpenBaoFacts>({
  id: ID,
  title: TITLE,
  gather: gatherOpenBao,
  evaluate: (facts) => evaluateOpenBao(facts),
});
