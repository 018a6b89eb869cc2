import type { SecretSummary } from '../../gateways/types.js';
import {
  classifyProviderError,
  esoNotInstalled,
  rootCauseHint,
  storeNotReady,
  storeUnreconciled,
  tokenSecretBroken,
} from './hints.js';
import { group, type CheckNode } from '../result.js';
import { defineStep, secretsNotRead, type GatherContext } from '../step.js';
import { probeStore, rootCauseOf, storeDependsOn, type BaoProbe } from './bao.js';
import { failuresOf, itemsOf, itemsSeen, listInScope, type ListFailure } from '../listing.js';
import { listStores, listFailureLeaves } from './inventory.js';
import type { StoreInfo } from './model.js';
import { latestWarning, type EventInfo } from '../kube-object.js';
import type { Failure } from '../outcome.js';
import { couldNotCheck } from '../could-not-check.js';

const ID = 'secrets.stores';
const TITLE = 'SecretStores are Ready and their OpenBao token Secret exists';

/** What `gatherStores` learned; plain data so `evaluateStores` runs without a cluster. */
export interface StoresFacts {
  /** False when the cluster serves no external-secrets.io store kind at all. */
  isEsoInstalled: boolean;
  /** Lists that failed, e.g. SecretStores in a namespace we may not read. */
  listFailures: ListFailure[];
  stores: StoreFacts[];
}

export interface StoreFacts {
  store: StoreInfo;
  /** The newest Warning event about a store that is not Ready: where ESO ≥ 0.20 puts the real error. */
  warning: EventInfo | null;
  eventsFailure: Failure | null;
  /** The Secret `auth.tokenSecretRef` names (key names only); null when the store has no such ref. */
  tokenSecret:
    | { kind: 'found'; keys: string[] }
    | { kind: 'missing' }
    | { kind: 'error'; failure: Failure }
    /** `--no-read-secrets`: deliberately not looked at. */
    | { kind: 'not-read' }
    | null;
  /** OpenBao as this store sees it, asked only when the store is not Ready (memoized: shared with other steps). */
  probe: BaoProbe | null;
}

/** Lists stores in scope (all ClusterSecretStores), their warning events and their token Secrets' key names. */
export async function gatherStores(ctx: GatherContext): Promise<StoresFacts> {
  const listed = await listStores(ctx);

  const stores = await Promise.all(
    itemsSeen(listed).map(async (store): Promise<StoreFacts> => {
      let warning: EventInfo | null = null;
      let eventsFailure: Failure | null = null;
      if (store.ready?.status !== 'True') {
        // Events about cluster-scoped objects are recorded in `default`.
        const events = await listInScope(ctx, 'events', [store.namespace ?? 'default']);
        if (events.kind === 'failed') {
          eventsFailure = events.failures[0].failure;
        } else {
          warning = latestWarning(itemsOf(events), {
            kind: store.kind,
            name: store.name,
            namespace: store.namespace,
          });
        }
      }
      let tokenSecret: StoreFacts['tokenSecret'] = null;
      const ref = store.tokenRef;
      if (ref?.namespace) {
        const secrets = await listInScope(ctx, 'secrets', [ref.namespace]);
        if (secrets.kind === 'not-read') tokenSecret = { kind: 'not-read' };
        else if (secrets.kind === 'failed')
          tokenSecret = { kind: 'error', failure: secrets.failures[0].failure };
        else tokenSecret = findSecret(itemsOf(secrets), ref.name);
      }
      const probe = store.ready?.status === 'True' ? null : await probeStore(ctx, store);
      return { store, warning, eventsFailure, tokenSecret, probe };
    }),
  );

  return {
    isEsoInstalled: listed.kind !== 'not-served',
    listFailures: failuresOf(listed),
    stores,
  };
}

function findSecret(secrets: SecretSummary[], name: string): NonNullable<StoreFacts['tokenSecret']> {
  const found = secrets.find((s) => s.metadata.name === name);
  return found ? { kind: 'found', keys: found.keys } : { kind: 'missing' };
}

/** `server …, path …, KV v2`, the provider settings a reader checks first. */
export function describeProvider(store: StoreInfo): string {
  if (store.provider !== 'vault') return `provider ${store.provider ?? 'not set'}`;
  const parts = [
    `server ${store.server ?? 'not set'}`,
    `path ${store.mount ?? 'not set'}`,
    `KV ${store.kvVersion}`,
  ];
  if (store.auth !== 'tokenSecretRef') parts.push(`auth ${store.auth ?? 'not set'}`);
  return parts.join(', ');
}

/** Pure: one leaf per store (Ready) and one per token Secret reference. */
export function evaluateStores(facts: StoresFacts): CheckNode {
  if (!facts.isEsoInstalled) {
    return group(ID, TITLE, [
      {
        id: `${ID}:external-secrets.io`,
        title: 'External Secrets Operator',
        subject: 'CRD secretstores.external-secrets.io',
        status: 'fail',
        code: 'ESO_NOT_INSTALLED',
        message:
          'External Secrets Operator is not installed (the cluster serves no external-secrets.io store kind)',
        ...esoNotInstalled(),
      },
    ]);
  }
  const leaves: CheckNode[] = listFailureLeaves(ID, facts.listFailures);
  for (const f of facts.stores) {
    leaves.push(storeLeaf(f));
    const token = tokenLeaf(f);
    if (token) leaves.push(token);
  }
  return group(ID, TITLE, leaves, 'no SecretStores or ClusterSecretStores in scope');
}

function storeLeaf({ store, warning, eventsFailure, probe }: StoreFacts): CheckNode {
  const base = {
    id: `${ID}:${store.key}`,
    title: store.subject,
    subject: store.subject,
    dependsOn: storeDependsOn(store, probe),
  };
  const provider = describeProvider(store);
  const ready = store.ready;
  if (ready === null) {
    return {
      ...base,
      status: 'warn',
      code: 'STORE_UNRECONCILED',
      message: `no Ready condition yet; ${provider}`,
      ...storeUnreconciled(store),
    };
  }
  const condition = [ready.reason, ready.message].filter(Boolean).join(': ');
  if (ready.status === 'True')
    return { ...base, status: 'pass', message: `Ready (${condition}); ${provider}` };
  const parts = [`not Ready (${condition})`];
  if (warning && warning.message !== ready.message) parts.push(`event ${warning.reason}: ${warning.message}`);
  if (eventsFailure) parts.push(`events not readable (${eventsFailure.message})`);
  parts.push(provider);
  // ESO ≥ 0.20 says only "unable to validate store": what OpenBao answers names the cause.
  const cause = rootCauseOf(probe);
  if (cause && probe) {
    const message = `${parts.join('; ')} — likely caused by: ${cause.text}`;
    return { ...base, status: 'fail', code: 'STORE_NOT_READY', message, ...rootCauseHint(cause, probe, []) };
  }
  const problem = classifyProviderError(`${ready.message ?? ''} ${warning?.message ?? ''}`, {
    isStore: true,
    tokenKey: store.tokenRef?.key ?? null,
    properties: [],
  });
  return {
    ...base,
    status: 'fail',
    code: 'STORE_NOT_READY',
    message: parts.join('; '),
    ...storeNotReady(store, problem),
  };
}

function tokenLeaf({ store, tokenSecret }: StoreFacts): CheckNode | null {
  const ref = store.tokenRef;
  if (store.provider !== 'vault' || ref === null) return null;
  const secret = `${ref.namespace ?? '?'}/${ref.name}`;
  const base = {
    id: `${ID}:${store.key}:token-secret`,
    title: `token Secret of ${store.subject}`,
    subject: `Secret ${secret}`,
  };
  if (ref.namespace === null) {
    return {
      ...base,
      subject: `${store.subject} tokenSecretRef`,
      status: 'fail',
      code: 'TOKEN_SECRET_NO_NAMESPACE',
      message: `auth.tokenSecretRef ${ref.name} has no namespace; a ClusterSecretStore needs one`,
      ...tokenSecretBroken(store, ref, 'no-namespace'),
    };
  }
  if (tokenSecret === null) return null;
  switch (tokenSecret.kind) {
    case 'not-read':
      return secretsNotRead(base);
    case 'error':
      return {
        ...base,
        status: 'error',
        message: `could not list Secrets in ${ref.namespace}: ${tokenSecret.failure.message}`,
        ...couldNotCheck(tokenSecret.failure, 'the Kubernetes API'),
      };
    case 'missing':
      return {
        ...base,
        status: 'fail',
        code: 'TOKEN_SECRET_MISSING',
        message: `does not exist; ${store.subject} reads its OpenBao token from key ${ref.key}`,
        ...tokenSecretBroken(store, ref, 'missing'),
      };
    default:
      if (!tokenSecret.keys.includes(ref.key)) {
        const keys = tokenSecret.keys.length ? tokenSecret.keys.join(', ') : 'none';
        return {
          ...base,
          status: 'fail',
          code: 'TOKEN_SECRET_KEY_MISSING',
          message: `has no key ${ref.key} (keys: ${keys}); ${store.subject} reads its OpenBao token from it`,
          ...tokenSecretBroken(store, ref, 'no-key'),
        };
      }
      return { ...base, status: 'pass', message: `holds key ${ref.key} for ${store.subject}` };
  }
}

/** `secrets.stores`: every SecretStore/ClusterSecretStore is Ready and can find its token. */
export const storesStep = defineStep<StoresFacts>({
  id: ID,
  title: TITLE,
  gather: gatherStores,
  evaluate: (facts) => evaluateStores(facts),
});
