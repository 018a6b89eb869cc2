/**
 * The ESO objects in scope, listed the same way by every secrets step. These steps judge what they could
 * see and report each list that failed (`SecretStores in plate-stg`) as its own `error` leaf.
 */
import type { KindName } from '../../gateways/kinds.js';
import { listFailureLeaf } from '../could-not-check.js';
import type { CheckNode, StepId } from '../result.js';
import type { GatherContext } from '../step.js';
import { combine, listInScope, mapListing, type ListFailure, type Listing } from '../listing.js';
import { readExternalSecret, readStore, type ExternalSecretInfo, type StoreInfo } from './model.js';

/** An `error` leaf per list that failed, naming what could not be listed and how to get access. */
export function listFailureLeaves(stepId: StepId, failures: readonly ListFailure[]): CheckNode[] {
  return failures.map((f) => listFailureLeaf(stepId, f));
}

/** The failed list, if any, that may have hidden an object of kind `listed` in `namespace`. */
export function hides(
  failures: readonly ListFailure[],
  listed: KindName,
  namespace: string | null,
): ListFailure | null {
  return (
    failures.find((f) => f.listed === listed && (f.namespace === null || f.namespace === namespace)) ?? null
  );
}

/** SecretStores in the namespaces in scope and every ClusterSecretStore, sorted by subject. */
export async function listStores(ctx: GatherContext): Promise<Listing<StoreInfo>> {
  const [namespaced, cluster] = await Promise.all([
    listInScope(ctx, 'secretstores', ctx.scope.namespaces),
    listInScope(ctx, 'clustersecretstores', null),
  ]);
  const stores = combine([
    mapListing(namespaced, (items) => items.map((o) => readStore(o, 'SecretStore'))),
    mapListing(cluster, (items) => items.map((o) => readStore(o, 'ClusterSecretStore'))),
  ]);
  return mapListing(stores, (items) => items.sort((a, b) => a.subject.localeCompare(b.subject)));
}

/** ExternalSecrets in the namespaces in scope, sorted by `namespace/name`. */
export async function listExternalSecrets(ctx: GatherContext): Promise<Listing<ExternalSecretInfo>> {
  const listed = await listInScope(ctx, 'externalsecrets', ctx.scope.namespaces);
  return mapListing(listed, (items) =>
    items.map(readExternalSecret).sort((a, b) => a.key.localeCompare(b.key)),
  );
}
