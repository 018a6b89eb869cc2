import { parseGoDuration } from '../../values.js';
import {
  classifyProviderError,
  esoNotInstalled,
  externalSecretFailing,
  rootCauseHint,
  staleRefresh,
} from './hints.js';
import { group, type CheckNode } from '../result.js';
import { defineStep, type GatherContext } from '../step.js';
import { probeStore, rootCauseOf, storeDependsOn, type BaoProbe } from './bao.js';
import { failuresOf, itemsOf, itemsSeen, listInScope, type ListFailure } from '../listing.js';
import { hides, listExternalSecrets, listStores, listFailureLeaves } from './inventory.js';
import { formatAge, kvLocation, kvSubject, type ExternalSecretInfo, type StoreInfo } from './model.js';
import { latestWarning, type Condition, type EventInfo } from '../kube-object.js';
import type { Failure } from '../outcome.js';

const ID = 'secrets.externalsecrets';
const TITLE = 'ExternalSecrets are synced from their store';

/** ESO's CRD default for `spec.refreshInterval`. */
const DEFAULT_REFRESH_INTERVAL = '1h';

/** What `gatherExternalSecrets` learned; plain data so `evaluateExternalSecrets` runs without a cluster. */
export interface ExternalSecretsFacts {
  /** Where the ESO controller runs, for hints. */
  esoNamespace: string;
  isEsoInstalled: boolean;
  listFailures: ListFailure[];
  items: ExternalSecretFacts[];
}

export interface ExternalSecretFacts {
  es: ExternalSecretInfo;
  /** The store it references: found (with its Ready condition), missing, or not listable. */
  store:
    | { kind: 'found'; ready: Condition | null; tokenKey: string | null }
    | { kind: 'missing' }
    | { kind: 'unknown'; failure: Failure };
  /** The newest `UpdateFailed` Warning event: ESO puts the full provider error there. */
  updateFailed: EventInfo | null;
  /** OpenBao as the store sees it, asked only for ExternalSecrets that are not Ready. */
  probe: BaoProbe | null;
  /** Subjects the sync reads through: the store, its OpenBao server, token and token Secret, the KV paths. */
  readsThrough: string[];
}

/** Lists ExternalSecrets and stores; for each one not Ready, reads its UpdateFailed event and asks OpenBao. */
export async function gatherExternalSecrets(ctx: GatherContext): Promise<ExternalSecretsFacts> {
  const [externalSecrets, stores] = await Promise.all([listExternalSecrets(ctx), listStores(ctx)]);
  const byKey = new Map(itemsSeen(stores).map((s) => [`${s.kind} ${s.key}`, s]));
  const probes = new Map<string, Promise<BaoProbe | null>>();
  const probe = (store: StoreInfo): Promise<BaoProbe | null> => {
    const key = store.subject;
    const pending = probes.get(key) ?? probeStore(ctx, store);
    probes.set(key, pending);
    return pending;
  };

  const items = await Promise.all(
    itemsSeen(externalSecrets).map(async (es): Promise<ExternalSecretFacts> => {
      const found = byKey.get(es.storeRef.subject);
      const storeFailure = hides(
        failuresOf(stores),
        es.storeRef.kind === 'SecretStore' ? 'secretstores' : 'clustersecretstores',
        es.storeRef.kind === 'SecretStore' ? es.namespace : null,
      )?.failure;
      const store: ExternalSecretFacts['store'] = found
        ? { kind: 'found', ready: found.ready, tokenKey: found.tokenRef?.key ?? null }
        : storeFailure
          ? { kind: 'unknown', failure: storeFailure }
          : { kind: 'missing' };
      const readsThrough = (probe: BaoProbe | null): string[] => [
        ...new Set([
          es.storeRef.subject,
          ...(found ? storeDependsOn(found, probe) : []),
          // Each item through its own store: the ExternalSecret's, or the one its sourceRef names.
          ...es.remoteRefs.flatMap((r) => {
            const itemStore = byKey.get(r.store.subject);
            return [
              r.store.subject,
              ...(itemStore?.provider === 'vault' ? [kvSubject(kvLocation(itemStore, r.key))] : []),
            ];
          }),
        ]),
      ];
      if (es.ready?.status === 'True') {
        return { es, store, updateFailed: null, probe: null, readsThrough: readsThrough(null) };
      }
      const events = await listInScope(ctx, 'events', [es.namespace]);
      const updateFailed =
        events.kind === 'failed'
          ? null
          : latestWarning(
              itemsOf(events),
              { kind: 'ExternalSecret', name: es.name, namespace: es.namespace },
              'UpdateFailed',
            );
      const baoProbe = found ? await probe(found) : null;
      return { es, store, updateFailed, probe: baoProbe, readsThrough: readsThrough(baoProbe) };
    }),
  );

  return {
    esoNamespace: ctx.scope.profile.externalSecrets.namespace,
    isEsoInstalled: externalSecrets.kind !== 'not-served',
    listFailures: failuresOf(externalSecrets),
    items,
  };
}

/** Whether `refreshTime` is older than twice the refresh interval; null when no refresh is expected. */
export function staleness(es: ExternalSecretInfo, now: Date): { ageMs: number; intervalMs: number } | null {
  // CreatedOnce and OnChange never refresh on a timer, so an old refreshTime is expected.
  if (es.refreshPolicy === 'CreatedOnce' || es.refreshPolicy === 'OnChange' || es.refreshTime === null)
    return null;
  const intervalMs = parseGoDuration(es.refreshInterval ?? DEFAULT_REFRESH_INTERVAL);
  if (intervalMs === null || intervalMs === 0) return null;
  const ageMs = now.getTime() - Date.parse(es.refreshTime);
  return ageMs > 2 * intervalMs ? { ageMs, intervalMs } : null;
}

function refreshText(es: ExternalSecretInfo, now: Date): string {
  const interval = es.refreshInterval ?? DEFAULT_REFRESH_INTERVAL;
  const every =
    es.refreshPolicy === 'CreatedOnce' || es.refreshPolicy === 'OnChange'
      ? `refresh policy ${es.refreshPolicy}`
      : parseGoDuration(interval) === 0
        ? 'refresh disabled'
        : `every ${interval}`;
  if (es.refreshTime === null) return every;
  return `refreshed ${formatAge(now.getTime() - Date.parse(es.refreshTime))} ago, ${every}`;
}

function conditionText(c: Condition): string {
  return [c.reason, c.message].filter(Boolean).join(': ');
}

/** Pure: one leaf per ExternalSecret, pointing at OpenBao when it explains the failure. */
export function evaluateExternalSecrets(facts: ExternalSecretsFacts, ctx: { now: Date }): CheckNode {
  if (!facts.isEsoInstalled) {
    return {
      id: ID,
      title: TITLE,
      status: 'skip',
      code: 'ESO_NOT_INSTALLED',
      message: 'External Secrets Operator is not installed',
      hint: esoNotInstalled().hint,
    };
  }
  const leaves: CheckNode[] = listFailureLeaves(ID, facts.listFailures);
  for (const item of facts.items) leaves.push(leaf(item, facts, ctx.now));
  return group(ID, TITLE, leaves, 'no ExternalSecrets in scope');
}

function leaf(
  { es, store, updateFailed, probe, readsThrough }: ExternalSecretFacts,
  facts: ExternalSecretsFacts,
  now: Date,
): CheckNode {
  const subject = `ExternalSecret ${es.key}`;
  const base = { id: `${ID}:${es.key}`, title: subject, subject, dependsOn: readsThrough };
  const ref = { namespace: es.namespace, name: es.name };
  const storeName = es.storeRef.subject;
  const isStoreReady = store.kind === 'found' && store.ready?.status === 'True';
  const storeNote =
    store.kind === 'missing'
      ? `${storeName} does not exist`
      : store.kind === 'found' && !isStoreReady
        ? `${storeName} is not Ready`
        : null;

  if (es.ready?.status === 'True') {
    if (storeNote) {
      return {
        ...base,
        status: 'warn',
        code: store.kind === 'missing' ? 'EXTERNAL_SECRET_STORE_MISSING' : 'EXTERNAL_SECRET_STORE_NOT_READY',
        message: `Ready (${conditionText(es.ready)}), but ${storeNote}; the next refresh will fail`,
        ...externalSecretFailing(
          ref,
          store.kind === 'missing' ? 'store-missing' : 'store-not-ready',
          storeName,
        ),
      };
    }
    const stale = staleness(es, now);
    if (stale) {
      return {
        ...base,
        status: 'warn',
        code: 'EXTERNAL_SECRET_STALE',
        message: `last refreshed ${formatAge(stale.ageMs)} ago, more than twice its refresh interval ${es.refreshInterval ?? DEFAULT_REFRESH_INTERVAL}`,
        ...staleRefresh(ref, facts.esoNamespace),
      };
    }
    return {
      ...base,
      status: 'pass',
      message: `Ready (${conditionText(es.ready)}); ${refreshText(es, now)}`,
    };
  }

  const parts = [es.ready === null ? 'no Ready condition yet' : `not Ready (${conditionText(es.ready)})`];
  if (updateFailed) parts.push(`event UpdateFailed: ${updateFailed.message}`);
  if (storeNote) parts.push(storeNote);
  const cause = rootCauseOf(probe);
  const message = parts.join('; ') + (cause ? ` — likely caused by: ${cause.text}` : '');

  if (cause && probe) {
    return {
      ...base,
      status: 'fail',
      code: 'EXTERNAL_SECRET_SYNC_FAILED',
      message,
      ...rootCauseHint(cause, probe, [ref]),
    };
  }
  if (store.kind === 'missing')
    return {
      ...base,
      status: 'fail',
      code: 'EXTERNAL_SECRET_STORE_MISSING',
      message,
      ...externalSecretFailing(ref, 'store-missing', storeName),
    };
  if (storeNote)
    return {
      ...base,
      status: 'fail',
      code: 'EXTERNAL_SECRET_STORE_NOT_READY',
      message,
      ...externalSecretFailing(ref, 'store-not-ready', storeName),
    };
  if (es.ready === null)
    return {
      ...base,
      status: 'warn',
      code: 'EXTERNAL_SECRET_UNRECONCILED',
      message,
      ...externalSecretFailing(ref, 'unreconciled', storeName),
    };
  const problem =
    es.ready.reason === 'SecretMissing'
      ? 'merge-target-missing'
      : classifyProviderError(`${es.ready.message ?? ''} ${updateFailed?.message ?? ''}`, {
          isStore: false,
          tokenKey: store.kind === 'found' ? store.tokenKey : null,
          properties: es.remoteRefs.flatMap((r) => r.properties),
        });
  return {
    ...base,
    status: 'fail',
    code: 'EXTERNAL_SECRET_SYNC_FAILED',
    message,
    ...externalSecretFailing(ref, problem, storeName),
  };
}

/** `secrets.externalsecrets`: every ExternalSecret is Ready, fresh, and its store exists and is Ready. */
export const externalSecretsStep = defineStep<ExternalSecretsFacts>({
  id: ID,
  title: TITLE,
  gather: gatherExternalSecrets,
  evaluate: evaluateExternalSecrets,
});
