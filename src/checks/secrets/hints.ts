import { expanded, kubectl, sh, withEnv, type Command, type Hint } from '../command.js';
/**
 * The hint catalogue of the secrets runbook: typed functions returning one imperative sentence and the
 * read-only commands that take the investigation further. Names are filled in; nothing here reads state.
 * The one writing command (the ESO force-sync annotation) appears only inside hint text, marked as a write.
 */

/** An OpenBao server as hints need it: the address, and its Service when it runs in the cluster. */
export interface BaoServer {
  address: string;
  service: { namespace: string; name: string } | null;
}

/** A `bao` command against a server: through `kubectl exec` into its Service, else with BAO_ADDR set. */
export function bao(server: BaoServer, ...args: string[]): Command {
  if (server.service)
    return kubectl`exec -n ${server.service.namespace} svc/${server.service.name} -- bao ${args}`;
  return withEnv({ BAO_ADDR: server.address }, sh`bao ${args}`);
}

/** The ESO CRDs are missing. */
export function esoNotInstalled(): Hint {
  return {
    hint: 'Install External Secrets Operator, or point the doctor at the cluster that runs it.',
    commands: [kubectl`api-resources --api-group=external-secrets.io`],
  };
}

/** How to look at a store and its events. */
function storeCommands(store: { kind: string; namespace: string | null; name: string }): Command[] {
  const plural = store.kind.toLowerCase();
  if (store.namespace === null) {
    return [
      kubectl`describe ${plural} ${store.name}`,
      kubectl`get events -A --field-selector involvedObject.kind=${store.kind},involvedObject.name=${store.name}`,
    ];
  }
  return [
    kubectl`describe ${plural} -n ${store.namespace} ${store.name}`,
    kubectl`get events -n ${store.namespace} --field-selector involvedObject.kind=${store.kind},involvedObject.name=${store.name}`,
  ];
}

/** What kind of provider error a store or ExternalSecret reports, read from its message or event. */
export type ProviderProblem =
  'token' | 'token-secret' | 'unreachable' | 'tls' | 'path-missing' | 'key-missing' | 'other';

/**
 * Who reads the error: a store (which only ever reads its token Secret from Kubernetes before it talks to
 * OpenBao) or an ExternalSecret (whose missing key may be a `remoteRef.property` or its store's token key).
 */
export interface ErrorReader {
  isStore: boolean;
  /** The key of the store's `auth.tokenSecretRef`; null without one. */
  tokenKey: string | null;
  /** The `remoteRef.property` values an ExternalSecret maps. */
  properties: readonly string[];
}

// ESO's Kubernetes-side resolver (runtime/esutils/resolvers/secret_ref.go) and the vault provider's KV read
// (providers/v1/vault/client_get.go) share this wording; only the key and the reader tell them apart.
const KEY_NOT_FOUND = /cannot find secret data for key: "([^"]*)"/;

/**
 * Classifies ESO/Vault error text (failure-signatures §2.1, §2.2) so the hint can name the fix. A missing
 * key is the token Secret's when a store reports it, or when it is the token key and no property asks for it.
 */
export function classifyProviderError(text: string, reader: ErrorReader): ProviderProblem {
  if (/secrets? "[^"]*" not found|TokenSecretRef|cannot get Kubernetes secret/i.test(text))
    return 'token-secret';
  const missingKey = KEY_NOT_FOUND.exec(text)?.[1];
  if (
    missingKey !== undefined &&
    (reader.isStore || (missingKey === reader.tokenKey && !reader.properties.includes(missingKey)))
  )
    return 'token-secret';
  if (/x509|tls:|certificate/i.test(text)) return 'tls';
  if (
    /Code: 40[13]|permission denied|invalid token|invalid vault credentials: Error making API request/i.test(
      text,
    )
  ) {
    return 'token';
  }
  if (/connection refused|no such host|deadline exceeded|i\/o timeout|no route to host|EOF/i.test(text))
    return 'unreachable';
  if (/Secret does not exist|secret does not exist at provider/i.test(text)) return 'path-missing';
  if (/cannot find secret data for key/i.test(text)) return 'key-missing';
  return 'other';
}

/**
 * The token Secret a store cannot read from Kubernetes: its name and key, and that OpenBao never saw a
 * request (ESO's resolver fails before any call to OpenBao).
 */
function tokenSecretHint(store: { subject: string; tokenRef: TokenRef | null }): string {
  const ref = store.tokenRef;
  if (!ref?.namespace)
    return `Create the token Secret of ${store.subject} with scripts/openbao/create-token.sh.`;
  return `Create Secret ${ref.namespace}/${ref.name} with key ${ref.key} (scripts/openbao/create-token.sh): ${store.subject} reads its OpenBao token there, in Kubernetes, before it ever asks OpenBao.`;
}

/** A store's `auth.tokenSecretRef`, as hints name it. */
interface TokenRef {
  namespace: string | null;
  name: string;
  key: string;
}

/** A SecretStore or ClusterSecretStore is not Ready. */
export function storeNotReady(
  store: {
    kind: string;
    namespace: string | null;
    name: string;
    subject: string;
    server: string | null;
    tokenRef: TokenRef | null;
  },
  problem: ProviderProblem,
): Hint {
  const commands = storeCommands(store);
  const server = store.server ?? 'its server';
  switch (problem) {
    case 'token':
      return {
        hint: `Recreate the OpenBao token of ${store.subject} with scripts/openbao/create-token.sh; OpenBao rejects the current one.`,
        commands,
      };
    case 'token-secret':
      return {
        hint: tokenSecretHint(store),
        commands,
      };
    case 'unreachable':
      return {
        hint: `Make OpenBao at ${server} reachable from the ESO controller; ${store.subject} cannot connect to it.`,
        commands,
      };
    case 'tls':
      return {
        hint: `Give ${store.subject} the CA that signs the certificate of ${server} (caBundle or caProvider), or fix the certificate OpenBao serves.`,
        commands,
      };
    default:
      return {
        hint: `Fix the provider settings of ${store.subject}; its warning event names the provider's error.`,
        commands,
      };
  }
}

/** A store that ESO has not reconciled yet. */
export function storeUnreconciled(store: {
  kind: string;
  namespace: string | null;
  name: string;
  subject: string;
}): Hint {
  return {
    hint: `Check that the ESO controller is running; it has not reconciled ${store.subject} yet.`,
    commands: storeCommands(store),
  };
}

/** `kubectl get secret … -o go-template` printing key names only, never values. */
export function secretKeyNames(namespace: string, name: string): Command {
  return kubectl`get secret -n ${namespace} ${name} -o ${KEY_NAMES_TEMPLATE}`;
}

/** Prints each key of a Secret's data on its own line, never a value. */
const KEY_NAMES_TEMPLATE = 'go-template={{range $k, $v := .data}}{{$k}}{{"\\n"}}{{end}}';

/** The token Secret a store points at is missing, lacks its key, or cannot be named. */
export function tokenSecretBroken(
  store: { subject: string },
  ref: { namespace: string | null; name: string; key: string },
  problem: 'no-namespace' | 'missing' | 'no-key',
): Hint {
  if (problem === 'no-namespace') {
    return {
      hint: `Add namespace to auth.tokenSecretRef of ${store.subject}; a ClusterSecretStore must say where its token Secret lives.`,
      commands: [
        kubectl`get ${store.subject.split(' ')[0]?.toLowerCase() ?? ''} ${store.subject.split(' ')[1] ?? ''} -o yaml`,
      ],
    };
  }
  const ns = ref.namespace as string;
  return {
    hint:
      problem === 'missing'
        ? `Create the token Secret ${ns}/${ref.name} with scripts/openbao/create-token.sh; ${store.subject} reads it.`
        : `Recreate the token Secret ${ns}/${ref.name} with scripts/openbao/create-token.sh; ${store.subject} reads its key ${ref.key}.`,
    commands: problem === 'missing' ? [kubectl`get secrets -n ${ns}`] : [secretKeyNames(ns, ref.name)],
  };
}

/** An ExternalSecret named for commands and for the force-sync annotation. */
export interface EsRef {
  namespace: string;
  name: string;
}

function esCommands(es: EsRef): Command[] {
  return [
    kubectl`describe externalsecret -n ${es.namespace} ${es.name}`,
    kubectl`get events -n ${es.namespace} --field-selector involvedObject.kind=ExternalSecret,involvedObject.name=${es.name}`,
  ];
}

/**
 * The write a human runs after fixing the token: ESO re-reads now instead of at the next refresh.
 * One `kubectl annotate` per namespace, all ExternalSecrets of that namespace on one line.
 */
export function forceSync(externalSecrets: readonly EsRef[]): (string | Command)[] {
  const byNamespace = new Map<string, string[]>();
  for (const es of externalSecrets)
    byNamespace.set(es.namespace, [...(byNamespace.get(es.namespace) ?? []), es.name]);
  return [...byNamespace]
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([ns, names], i) => [
      ...(i > 0 ? ['; '] : []),
      kubectl`annotate externalsecret -n ${ns} ${names.sort()} ${expanded('force-sync=$(date +%s)')} --overwrite`,
    ]);
}

/** Recreate a dead or expiring token, then resync (the resync writes; it is in the hint, not in commands). */
export function renewToken(
  store: { subject: string },
  externalSecrets: readonly EsRef[],
  server: BaoServer,
  policies: readonly string[],
): Hint {
  const resync = externalSecrets.length
    ? [', then force a resync (this writes): ', ...forceSync(externalSecrets)]
    : [];
  return {
    hint: [`Recreate the OpenBao token of ${store.subject} with scripts/openbao/create-token.sh`, ...resync],
    commands: [
      bao(server, 'token', 'lookup'),
      ...policies.map((p) => bao(server, 'policy', 'read', p)),
    ].slice(0, 3),
  };
}

/** A broken OpenBao server, as a root cause or as the openbao step's own finding. */
export function baoDown(
  kind: 'sealed' | 'uninitialized' | 'unreachable',
  label: string,
  server: BaoServer,
): Hint {
  const status = bao(server, 'status');
  const look = server.service
    ? [
        kubectl`get pods -n ${server.service.namespace}`,
        kubectl`get endpoints -n ${server.service.namespace} ${server.service.name}`,
      ]
    : [];
  switch (kind) {
    case 'sealed':
      return {
        hint: `Unseal OpenBao ${label} with the unseal keys (bao operator unseal); nothing can read secrets while it is sealed.`,
        commands: [status],
      };
    case 'uninitialized':
      return {
        hint: `Initialize OpenBao ${label} (bao operator init) and restore its secrets and token policies.`,
        commands: [status],
      };
    default:
      return {
        hint: `Bring OpenBao ${label} back: check its pods, Service and network path.`,
        commands: [...look, status],
      };
  }
}

/** The hint for a failure elsewhere whose root cause is OpenBao. */
export function rootCauseHint(
  cause: { kind: 'sealed' | 'uninitialized' | 'unreachable' | 'token-dead'; server: string; store: string },
  server: BaoServer,
  externalSecrets: readonly EsRef[],
): Hint {
  if (cause.kind === 'token-dead') return renewToken({ subject: cause.store }, externalSecrets, server, []);
  return baoDown(cause.kind, cause.server, server);
}

/** An ExternalSecret that does not sync, by what its message or event says. */
export function externalSecretFailing(
  es: EsRef,
  problem: ProviderProblem | 'store-missing' | 'store-not-ready' | 'merge-target-missing' | 'unreconciled',
  store: string,
): Hint {
  const commands = esCommands(es);
  const subject = `ExternalSecret ${es.namespace}/${es.name}`;
  switch (problem) {
    case 'store-missing':
      return { hint: `Create ${store}, or fix spec.secretStoreRef of ${subject}.`, commands };
    case 'store-not-ready':
      return {
        hint: `Fix ${store} first (see secrets.stores); ${subject} cannot sync until it is Ready.`,
        commands,
      };
    case 'path-missing':
      return { hint: `Write the secret ${subject} maps in OpenBao, or fix its remoteRef.key.`, commands };
    case 'key-missing':
      return {
        hint: `Add the missing key to the OpenBao secret, or fix remoteRef.property in ${subject}.`,
        commands,
      };
    case 'token':
      return {
        hint: `Allow the token of ${store} to read the paths ${subject} maps (see secrets.openbao).`,
        commands,
      };
    case 'token-secret':
      return { hint: `Create the token Secret of ${store} with scripts/openbao/create-token.sh.`, commands };
    case 'unreachable':
      return {
        hint: `Make OpenBao reachable from the ESO controller; ${subject} cannot fetch from it.`,
        commands,
      };
    case 'tls':
      return { hint: `Fix TLS between the ESO controller and OpenBao (the CA of ${store}).`, commands };
    case 'merge-target-missing':
      return {
        hint: `Create the target Secret of ${subject} first: with creationPolicy Merge, ESO only merges into it.`,
        commands,
      };
    case 'unreconciled':
      return {
        hint: `Check that the ESO controller is running; it has not reconciled ${subject} yet.`,
        commands,
      };
    default:
      return {
        hint: `Read the events of ${subject} and the ESO logs (secrets.eso-logs), and fix the error they name.`,
        commands,
      };
  }
}

/** An ExternalSecret that synced once but not within two refresh intervals. */
export function staleRefresh(es: EsRef, esoNamespace: string): Hint {
  return {
    hint: `Check the ESO controller in ${esoNamespace}; it has stopped refreshing ExternalSecret ${es.namespace}/${es.name}.`,
    commands: [kubectl`get pods -n ${esoNamespace}`, ...esCommands(es)],
  };
}

/** A target Secret is missing, incomplete or not owned by its ExternalSecret. */
export function targetSecretBroken(
  es: EsRef,
  secret: string,
  problem: 'missing' | 'merge-missing' | 'keys' | 'owner',
): Hint {
  const subject = `ExternalSecret ${es.namespace}/${es.name}`;
  const keyNames = secretKeyNames(es.namespace, secret);
  switch (problem) {
    case 'missing':
      return {
        hint: `Make ${subject} sync (see secrets.externalsecrets); it creates Secret ${es.namespace}/${secret}.`,
        commands: [kubectl`get secrets -n ${es.namespace}`, ...esCommands(es)],
      };
    case 'merge-missing':
      return {
        hint: `Create Secret ${es.namespace}/${secret} yourself: ${subject} has creationPolicy Merge and only adds keys to it.`,
        commands: [kubectl`get secrets -n ${es.namespace}`],
      };
    case 'keys':
      return {
        hint: `Make ${subject} sync again (see secrets.externalsecrets); Secret ${es.namespace}/${secret} lacks keys it maps.`,
        commands: [keyNames, ...esCommands(es)],
      };
    default:
      return {
        hint: `Find out what manages Secret ${es.namespace}/${secret}; ${subject} (creationPolicy Owner) does not own it.`,
        commands: [kubectl`get secret -n ${es.namespace} ${secret} -o jsonpath={.metadata.ownerReferences}`],
      };
  }
}

/** A pod that cannot start (or would not restart) because a Secret or key it references is missing. */
export function podMissingSecret(
  pod: EsRef,
  secret: string,
  key: string | null,
  provider: EsRef | null,
): Hint {
  const what = key ? `key ${key}` : 'it';
  const hint = provider
    ? `Make ExternalSecret ${provider.namespace}/${provider.name} provide Secret ${pod.namespace}/${secret} with ${what}; the pod starts once it exists.`
    : `Create Secret ${pod.namespace}/${secret}${key ? ` with key ${key}` : ''}, or fix the reference in pod ${pod.name}; no ExternalSecret in ${pod.namespace} creates it.`;
  return {
    hint,
    commands: [
      kubectl`describe pod -n ${pod.namespace} ${pod.name}`,
      ...(provider ? [kubectl`describe externalsecret -n ${provider.namespace} ${provider.name}`] : []),
    ],
  };
}

/** A check could not run without a token. */
export function noToken(store: { subject: string }): Hint {
  return {
    hint: `Run without --no-read-secrets, or set BAO_TOKEN, to check OpenBao access for ${store.subject}.`,
    commands: [],
  };
}

/** The store's token may not read a path its ExternalSecrets map. */
export function policyDenies(
  store: { subject: string },
  path: string,
  policies: readonly string[],
  server: BaoServer,
): Hint {
  return {
    hint: `Allow read on ${path} in a policy of the token of ${store.subject}${policies.length ? ` (policies: ${policies.join(', ')})` : ''}.`,
    commands: policies.map((p) => bao(server, 'policy', 'read', p)),
  };
}

/** A KV secret is absent, deleted, or lacks keys; `externalSecrets` are the ones that map it. */
export function kvBroken(
  mount: string,
  path: string,
  problem: 'absent' | 'deleted' | 'keys' | 'v1-on-v2',
  store: { subject: string },
  externalSecrets: readonly EsRef[],
  server: BaoServer,
): Hint {
  const users = externalSecrets.map((e) => `ExternalSecret ${e.namespace}/${e.name}`).join(', ');
  const metadata = bao(server, 'kv', 'metadata', 'get', `-mount=${mount}`, path);
  switch (problem) {
    case 'absent':
      return {
        hint: `Write the secret ${mount}/${path} in OpenBao, or fix remoteRef.key in ${users}.`,
        commands: [metadata],
      };
    case 'deleted':
      return {
        hint: `Restore the latest version of ${mount}/${path} (bao kv undelete or rollback), or write it again.`,
        commands: [metadata],
      };
    case 'keys':
      return {
        hint: `Add the missing keys to ${mount}/${path} in OpenBao, or fix remoteRef.property in ${users}.`,
        commands: [metadata],
      };
    default:
      return {
        hint: `Set spec.provider.vault.version to v2 in ${store.subject}; ${mount} is a KV v2 mount.`,
        commands: [bao(server, 'secrets', 'list', '-detailed')],
      };
  }
}
