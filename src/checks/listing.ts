/**
 * The one way steps list a kind: one list per namespace (bounded concurrency), a GatewayError kept as data,
 * and "the API does not serve this kind" told apart from "the list failed". The kube gateway memoizes lists,
 * so listing the same kind again in another step costs nothing.
 */
import { KINDS, resourceName, type KindName } from '../gateways/kinds.js';
import type { KubeObject, SecretSummary } from '../gateways/types.js';
import type { GatherContext } from './step.js';
import { attempt, type Failure } from './outcome.js';

/** A list that could not be read: which kind, where, and the GatewayError as data. */
export interface ListFailure {
  /** The kind that was listed, e.g. `secretstores`; `resourceName(listed)` is how RBAC names it. */
  listed: KindName;
  /** The namespace listed; null for all namespaces or a cluster-scoped kind. */
  namespace: string | null;
  failure: Failure;
}

/** The outcome of listing one kind in scope. `not-served` means the kind's CRD is not installed. */
export type Listing<T> =
  | { kind: 'items'; items: T[] }
  | { kind: 'not-served'; resource: string }
  /** One failure per list that failed, in scope order; `items` are what the other lists returned. */
  | { kind: 'failed'; failures: [ListFailure, ...ListFailure[]]; items: T[] }
  /** `--no-read-secrets`: Secrets were deliberately not listed. */
  | { kind: 'not-read' };

/**
 * Lists `kind` once per namespace in `namespaces` (null: across all namespaces; ignored for cluster-scoped
 * kinds). Secrets come as summaries, and not at all under `--no-read-secrets`.
 */
export function listInScope(
  ctx: GatherContext,
  kind: 'secrets',
  namespaces: readonly string[] | null,
): Promise<Listing<SecretSummary>>;
export function listInScope(
  ctx: GatherContext,
  kind: Exclude<KindName, 'secrets'>,
  namespaces: readonly string[] | null,
): Promise<Listing<KubeObject>>;
export async function listInScope(
  ctx: GatherContext,
  kind: KindName,
  namespaces: readonly string[] | null,
): Promise<Listing<KubeObject | SecretSummary>> {
  if (kind === 'secrets' && !ctx.scope.readSecrets) return { kind: 'not-read' };
  const { kube } = ctx.gateways;
  const scopes: (string | null)[] = KINDS[kind].namespaced && namespaces ? [...namespaces] : [null];
  const lists = await Promise.all(
    scopes.map(async (namespace): Promise<Listing<KubeObject | SecretSummary>> => {
      const options = namespace ? { namespace } : {};
      const listed = await attempt(() =>
        kind === 'secrets' ? kube.listSecrets(options, ctx.signal) : kube.list(kind, options, ctx.signal),
      );
      if (!listed.ok) {
        return {
          kind: 'failed',
          failures: [{ listed: kind, namespace, failure: listed.failure }],
          items: [],
        };
      }
      return listed.value === null
        ? { kind: 'not-served', resource: resourceName(kind) }
        : { kind: 'items', items: listed.value };
    }),
  );
  return combine(lists);
}

/**
 * One listing of several: failed when any failed (keeping every failure and every item that answered),
 * not served when none is served, else all items in order (a `not-read` part counts as empty).
 */
export function combine<T>(listings: readonly Listing<T>[]): Listing<T> {
  const items = listings.flatMap((l) => (l.kind === 'items' || l.kind === 'failed' ? l.items : []));
  const [first, ...rest] = listings.flatMap((l) => (l.kind === 'failed' ? l.failures : []));
  if (first) return { kind: 'failed', failures: [first, ...rest], items };
  const [head] = listings;
  if (head?.kind === 'not-served' && listings.every((l) => l.kind === 'not-served')) return head;
  return { kind: 'items', items };
}

/** Transforms the items of a listing (also those a failed listing kept); other kinds pass through. */
export function mapListing<T, U>(listing: Listing<T>, fn: (items: T[]) => U[]): Listing<U> {
  if (listing.kind === 'items') return { kind: 'items', items: fn(listing.items) };
  if (listing.kind === 'failed') return { ...listing, items: fn(listing.items) };
  return listing;
}

/** Items of a listing that answered in full; [] when a list failed or the kind is not served or not read. */
export function itemsOf<T>(listing: Listing<T>): T[] {
  return listing.kind === 'items' ? listing.items : [];
}

/**
 * Every item the lists that answered returned, also when others failed: for steps that judge what they
 * could see and report each failed list on its own.
 */
export function itemsSeen<T>(listing: Listing<T>): T[] {
  return listing.kind === 'items' || listing.kind === 'failed' ? listing.items : [];
}

/** The failed lists of a listing, in scope order; [] when none failed. */
export function failuresOf(listing: Listing<unknown>): ListFailure[] {
  return listing.kind === 'failed' ? listing.failures : [];
}
