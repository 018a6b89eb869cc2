/**
 * The ESO objects in scope, listed the same way by every secrets step: one list per kind and namespace,
 * so the memoizing gateway answers repeats from memory.
 */
import type { KindName } from '../../gateways/kinds.js';
import type { KubeObject, SecretSummary } from '../../gateways/types.js';
import type { ResultNode } from '../result.js';
import type { GatherContext } from '../step.js';
import { couldNotCheck } from '../../runbooks/hints/secrets.js';
import {
  attempt,
  readExternalSecret,
  readStore,
  type ExternalSecretInfo,
  type Failure,
  type StoreInfo,
} from './model.js';

/** An `error` leaf per list that failed, naming what could not be listed and how to get access. */
export function listFailureLeaves(
  stepId: string,
  failures: readonly ListFailure[],
  flags: string,
): ResultNode[] {
  return failures.map(({ what, failure }) => ({
    id: `${stepId}:list:${what}`,
    title: what,
    subject: what,
    status: 'error',
    message: `could not list ${what}: ${failure.message}`,
    ...couldNotCheck(failure, 'the Kubernetes API', flags),
  }));
}

/** A list that failed, named for people: `SecretStores in plate-stg`. */
export interface ListFailure {
  what: string;
  /** The kind as people say it: `SecretStores`, `Secrets`, `Pods`. */
  label: string;
  /** The namespace listed; null for all namespaces or a cluster-scoped kind. */
  namespace: string | null;
  failure: Failure;
}

/** Objects of one or more kinds in scope; `isInstalled` is false only when the cluster serves none of the kinds. */
export interface Inventory<T> {
  isInstalled: boolean;
  items: T[];
  failures: ListFailure[];
}

/** Whether a failed list may have hidden an object of `label` in `namespace`. */
export function hides(
  failures: readonly ListFailure[],
  label: string,
  namespace: string | null,
): ListFailure | null {
  return (
    failures.find((f) => f.label === label && (f.namespace === null || f.namespace === namespace)) ?? null
  );
}

/** One list per namespace in scope (one across all namespaces when the scope is everything). */
export async function listInScope<T>(
  ctx: GatherContext,
  label: string,
  list: (namespace: string | undefined) => Promise<T[] | null>,
  namespaced = true,
  only?: readonly string[],
): Promise<Inventory<T>> {
  const namespaces = !namespaced ? [undefined] : (only ?? ctx.scope.namespaces ?? [undefined]);
  const results = await Promise.all(
    namespaces.map(async (namespace) => ({ namespace, result: await attempt(() => list(namespace)) })),
  );
  const inventory: Inventory<T> = { isInstalled: false, items: [], failures: [] };
  for (const { namespace, result } of results) {
    if (!result.ok) {
      const where = !namespaced ? '' : namespace ? ` in ${namespace}` : ' in all namespaces';
      inventory.failures.push({
        what: `${label}${where}`,
        label,
        namespace: namespace ?? null,
        failure: result.failure,
      });
      // A forbidden list proves nothing about whether the kind is served.
      inventory.isInstalled = true;
    } else if (result.value !== null) {
      inventory.isInstalled = true;
      inventory.items.push(...result.value);
    }
  }
  return inventory;
}

function listKind(ctx: GatherContext, kind: Exclude<KindName, 'secrets'>) {
  return (namespace: string | undefined): Promise<KubeObject[] | null> =>
    ctx.gateways.kube.list(kind, { namespace }, ctx.signal);
}

/** SecretStores in the namespaces in scope and every ClusterSecretStore, sorted by subject. */
export async function listStores(ctx: GatherContext): Promise<Inventory<StoreInfo>> {
  const [namespaced, cluster] = await Promise.all([
    listInScope(ctx, 'SecretStores', listKind(ctx, 'secretstores')),
    listInScope(ctx, 'ClusterSecretStores', listKind(ctx, 'clustersecretstores'), false),
  ]);
  const items = [
    ...namespaced.items.map((o) => readStore(o, 'SecretStore')),
    ...cluster.items.map((o) => readStore(o, 'ClusterSecretStore')),
  ].sort((a, b) => a.subject.localeCompare(b.subject));
  return {
    isInstalled: namespaced.isInstalled || cluster.isInstalled,
    items,
    failures: [...namespaced.failures, ...cluster.failures],
  };
}

/** ExternalSecrets in the namespaces in scope, sorted by `namespace/name`. */
export async function listExternalSecrets(ctx: GatherContext): Promise<Inventory<ExternalSecretInfo>> {
  const listed = await listInScope(ctx, 'ExternalSecrets', listKind(ctx, 'externalsecrets'));
  const items = listed.items.map(readExternalSecret).sort((a, b) => a.key.localeCompare(b.key));
  return { ...listed, items };
}

/** Secrets (key names only) in the namespaces in scope. */
/**
 * Secrets (key names only) in the given namespaces, one list each: the gateway answers them from one
 * cluster-wide list when it may, and a namespace it may not read does not hide the others.
 */
export function listSecretsIn(
  ctx: GatherContext,
  namespaces: readonly string[],
): Promise<Inventory<SecretSummary>> {
  return listInScope(
    ctx,
    'Secrets',
    (namespace) => ctx.gateways.kube.listSecrets({ namespace }, ctx.signal),
    true,
    namespaces,
  );
}

/** Pods in the namespaces in scope. */
export function listPods(ctx: GatherContext): Promise<Inventory<KubeObject>> {
  return listInScope(ctx, 'Pods', listKind(ctx, 'pods'));
}
