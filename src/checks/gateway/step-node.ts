import { listFailureLeaf } from '../could-not-check.js';
import { failuresOf, itemsSeen, type Listing } from '../listing.js';
import { group, type CheckNode } from '../result.js';
import { gatewayApiMissing } from './hints.js';

/** A Gateway API step on a cluster that does not serve the Gateway API: a skip, not a fail. */
export function gatewayApiNotInstalled(id: string, title: string): CheckNode {
  return {
    id,
    title,
    status: 'skip',
    code: 'GATEWAY_API_NOT_INSTALLED',
    message: 'the Gateway API is not installed',
    ...gatewayApiMissing(),
  };
}

/**
 * A Gateway API step's node: skipped when the cluster does not serve the kind, an error leaf per list that
 * could not be read, and a node per object that could.
 */
export function gatewayApiStepNode<T>(
  id: string,
  title: string,
  listing: Listing<T>,
  toNode: (item: T) => CheckNode,
  emptyMessage: string,
): CheckNode {
  if (listing.kind === 'not-served') return gatewayApiNotInstalled(id, title);
  const leaves = [
    ...failuresOf(listing).map((f) => listFailureLeaf(id, f)),
    ...itemsSeen(listing).map(toNode),
  ];
  return group(id, title, leaves, emptyMessage);
}
