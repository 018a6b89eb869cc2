import type { KubeObject, SecretSummary } from '../../gateways/types.js';
import { esoNotInstalled, podMissingSecret, rootCauseHint, targetSecretBroken } from './hints.js';
import { group, type CheckNode } from '../result.js';
import { defineStep, secretsNotRead, type GatherContext } from '../step.js';
import { probeStore, rootCauseOf, type BaoProbe } from './bao.js';
import { failuresOf, itemsSeen, listInScope, type ListFailure } from '../listing.js';
import { hides, listExternalSecrets, listFailureLeaves, listStores } from './inventory.js';
import type { ExternalSecretInfo, StoreInfo } from './model.js';
import type { Failure } from '../outcome.js';
import { at, nonEmptyString, ownerNames, records, string } from '../kube-object.js';
import { couldNotCheck } from '../could-not-check.js';

const ID = 'secrets.target-secrets';
const TITLE = 'Target Secrets exist with every mapped key, and pods find them';

/** What `gatherTargetSecrets` learned; key names only, never values. */
export interface TargetSecretsFacts {
  isEsoInstalled: boolean;
  listFailures: ListFailure[];
  targets: TargetFacts[];
  pods: PodFacts[];
}

/** One ExternalSecret's target Secret. */
export interface TargetFacts {
  es: ExternalSecretInfo;
  secret:
    | {
        kind: 'found';
        keys: string[];
        /** Names of the ExternalSecrets in its ownerReferences. */ ownedBy: string[];
      }
    | { kind: 'missing' }
    | { kind: 'unknown'; failure: Failure }
    /** `--no-read-secrets`: deliberately not looked at. */
    | { kind: 'not-read' };
  /** OpenBao as the ExternalSecret's store sees it; asked only when the Secret or a key is missing. */
  probe: BaoProbe | null;
}

/** A pod that references a Secret or key that does not exist. */
export interface PodFacts {
  namespace: string;
  name: string;
  /** The kubelet's CreateContainerConfigError message when a container is stuck on it; null when running. */
  stuckMessage: string | null;
  missing: { secret: string; key: string | null }[];
  /** The ExternalSecret in the pod's namespace whose target is the first missing Secret. */
  providedBy: string | null;
  probe: BaoProbe | null;
}

interface SecretRef {
  secret: string;
  key: string | null;
}

/** Non-optional Secret references of a pod: env valueFrom, envFrom and secret volumes. */
export function secretRefsOf(pod: KubeObject): SecretRef[] {
  const refs: SecretRef[] = [];
  const isRequired = (ref: unknown): boolean => at(ref, 'optional') !== true;
  const containers = [...records(at(pod.spec, 'initContainers')), ...records(at(pod.spec, 'containers'))];
  for (const c of containers) {
    for (const env of records(c.env)) {
      const ref = at(env, 'valueFrom', 'secretKeyRef');
      const secret = nonEmptyString(at(ref, 'name'));
      if (secret && isRequired(ref)) refs.push({ secret, key: nonEmptyString(at(ref, 'key')) });
    }
    for (const from of records(c.envFrom)) {
      const secret = nonEmptyString(at(from, 'secretRef', 'name'));
      if (secret && isRequired(from.secretRef)) refs.push({ secret, key: null });
    }
  }
  for (const v of records(at(pod.spec, 'volumes'))) {
    const secret = nonEmptyString(at(v, 'secret', 'secretName'));
    if (!secret || !isRequired(v.secret)) continue;
    refs.push({ secret, key: null });
    for (const item of records(at(v, 'secret', 'items'))) {
      const key = nonEmptyString(item.key);
      if (key) refs.push({ secret, key });
    }
  }
  return refs;
}

/** The message of a container waiting on CreateContainerConfigError, or null. */
export function stuckMessageOf(pod: KubeObject): string | null {
  const statuses = [
    ...records(at(pod.status, 'initContainerStatuses')),
    ...records(at(pod.status, 'containerStatuses')),
  ];
  for (const s of statuses) {
    const waiting = at(s, 'state', 'waiting');
    const reason = at(waiting, 'reason');
    if (reason === 'CreateContainerConfigError')
      return `container ${string(s.name) ?? '?'}: ${nonEmptyString(at(waiting, 'message')) ?? reason}`;
  }
  return null;
}

/** Missing references of one pod, given the Secrets of its namespace (null: Secrets not listable). */
function missingRefs(pod: KubeObject, secrets: Map<string, SecretSummary>): SecretRef[] {
  const seen = new Set<string>();
  const missing: SecretRef[] = [];
  for (const ref of secretRefsOf(pod)) {
    const secret = secrets.get(ref.secret);
    const isMissing = !secret || (ref.key !== null && !secret.keys.includes(ref.key));
    // A missing Secret is reported once, not once per key.
    const id = secret ? `${ref.secret}/${ref.key}` : ref.secret;
    if (isMissing && !seen.has(id)) {
      seen.add(id);
      missing.push(secret ? ref : { secret: ref.secret, key: null });
    }
  }
  return missing;
}

/** Lists ExternalSecrets, Secrets (names and key names) and pods; asks OpenBao when something is missing. */
export async function gatherTargetSecrets(ctx: GatherContext): Promise<TargetSecretsFacts> {
  const [esListing, stores, podListing] = await Promise.all([
    listExternalSecrets(ctx),
    listStores(ctx),
    listInScope(ctx, 'pods', ctx.scope.namespaces),
  ]);
  const externalSecrets = itemsSeen(esListing);
  const allPods = itemsSeen(podListing);
  // Secrets matter where ExternalSecrets write them, in the namespaces asked for, and where a pod is stuck on
  // its configuration; reading every namespace's Secrets would cost more and fail on the first forbidden one.
  const namespaces = [
    ...new Set([
      ...externalSecrets.map((es) => es.namespace),
      ...(ctx.scope.namespaces ?? []),
      ...allPods.filter((p) => stuckMessageOf(p) !== null).map((p) => p.metadata.namespace ?? ''),
    ]),
  ].sort();
  const readSecrets = ctx.scope.readSecrets;
  // One list per namespace: the gateway answers them from one cluster-wide list when it may, and a
  // namespace it may not read does not hide the others.
  const secrets = await listInScope(ctx, 'secrets', namespaces);
  const secretFailures = failuresOf(secrets);
  const pods = allPods.filter((p) => namespaces.includes(p.metadata.namespace ?? ''));
  const secretsByNamespace = new Map<string, Map<string, SecretSummary>>();
  for (const s of itemsSeen(secrets)) {
    const ns = s.metadata.namespace ?? '';
    const map = secretsByNamespace.get(ns) ?? new Map<string, SecretSummary>();
    secretsByNamespace.set(ns, map.set(s.metadata.name, s));
  }
  const storeBySubject = new Map(itemsSeen(stores).map((s) => [s.subject, s]));
  const probes = new Map<string, Promise<BaoProbe | null>>();
  const probe = (es: ExternalSecretInfo): Promise<BaoProbe | null> => {
    const store: StoreInfo | undefined = storeBySubject.get(es.storeRef.subject);
    if (!store) return Promise.resolve(null);
    const pending = probes.get(store.subject) ?? probeStore(ctx, store);
    probes.set(store.subject, pending);
    return pending;
  };

  const creating = externalSecrets.filter((es) => es.target.creationPolicy !== 'None');
  const targets = await Promise.all(
    creating.map(async (es): Promise<TargetFacts> => {
      if (!readSecrets) return { es, secret: { kind: 'not-read' }, probe: null };
      const failure = hides(secretFailures, 'secrets', es.namespace);
      if (failure) return { es, secret: { kind: 'unknown', failure: failure.failure }, probe: null };
      const found = secretsByNamespace.get(es.namespace)?.get(es.target.name);
      if (!found) return { es, secret: { kind: 'missing' }, probe: await probe(es) };
      const ownedBy = ownerNames(found.metadata, 'ExternalSecret');
      const lacksKeys = (es.target.expectedKeys ?? []).some((k) => !found.keys.includes(k));
      return {
        es,
        secret: { kind: 'found', keys: found.keys, ownedBy },
        probe: lacksKeys ? await probe(es) : null,
      };
    }),
  );

  const troubled = pods.flatMap((pod) => {
    const ns = pod.metadata.namespace ?? '';
    if (hides(secretFailures, 'secrets', ns)) return [];
    // Without Secret data only the kubelet's own word counts: a pod stuck on its configuration.
    if (!readSecrets) {
      const refs = secretRefsOf(pod);
      return stuckMessageOf(pod) && refs.length ? [{ pod, ns, missing: refs }] : [];
    }
    const missing = missingRefs(pod, secretsByNamespace.get(ns) ?? new Map());
    return missing.length ? [{ pod, ns, missing }] : [];
  });
  const podFacts = await Promise.all(
    troubled.map(async ({ pod, ns, missing }): Promise<PodFacts> => {
      const provider = externalSecrets.find(
        (es) => es.namespace === ns && missing.some((m) => m.secret === es.target.name),
      );
      return {
        namespace: ns,
        name: pod.metadata.name,
        stuckMessage: stuckMessageOf(pod),
        missing,
        providedBy: provider?.name ?? null,
        probe: provider ? await probe(provider) : null,
      };
    }),
  );

  return {
    isEsoInstalled: esListing.kind !== 'not-served',
    listFailures: [...failuresOf(esListing), ...secretFailures, ...failuresOf(podListing)],
    targets,
    pods: podFacts.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`)),
  };
}

function likely(probe: BaoProbe | null): string {
  const cause = rootCauseOf(probe);
  return cause ? ` — likely caused by: ${cause.text}` : '';
}

/** Pure: one leaf per target Secret, one per pod that cannot find a Secret or key. */
export function evaluateTargetSecrets(facts: TargetSecretsFacts): CheckNode {
  const leaves: CheckNode[] = listFailureLeaves(ID, facts.listFailures);
  const perSecret = new Map<string, number>();
  for (const t of facts.targets) {
    const key = `${t.es.namespace}/${t.es.target.name}`;
    perSecret.set(key, (perSecret.get(key) ?? 0) + 1);
  }
  for (const t of facts.targets) {
    const key = `${t.es.namespace}/${t.es.target.name}`;
    // Two ExternalSecrets may merge into one Secret; their leaves need distinct ids.
    const id = (perSecret.get(key) ?? 0) > 1 ? `${ID}:${key}:${t.es.name}` : `${ID}:${key}`;
    leaves.push(targetLeaf(t, id));
  }
  for (const p of facts.pods) leaves.push(podLeaf(p));
  if (!facts.isEsoInstalled && leaves.length === 0) {
    return {
      id: ID,
      title: TITLE,
      status: 'skip',
      code: 'ESO_NOT_INSTALLED',
      message: 'External Secrets Operator is not installed',
      hint: esoNotInstalled().hint,
    };
  }
  return group(ID, TITLE, leaves, 'no ExternalSecrets or pods with Secret references in scope');
}

function targetLeaf({ es, secret, probe }: TargetFacts, id: string): CheckNode {
  const name = `${es.namespace}/${es.target.name}`;
  const base = {
    id,
    title: `Secret ${name}`,
    subject: `Secret ${name}`,
    dependsOn: [`ExternalSecret ${es.key}`],
  };
  if (secret.kind === 'not-read') return secretsNotRead(base);
  const owner = `ExternalSecret ${es.key}`;
  const ref = { namespace: es.namespace, name: es.name };
  const cause = rootCauseOf(probe);
  const fix = (problem: 'missing' | 'keys') =>
    cause && probe ? rootCauseHint(cause, probe, [ref]) : targetSecretBroken(ref, es.target.name, problem);

  if (secret.kind === 'unknown') {
    return {
      ...base,
      status: 'error',
      message: `could not list Secrets in ${es.namespace}: ${secret.failure.message}`,
      ...couldNotCheck(secret.failure, 'the Kubernetes API'),
    };
  }
  if (secret.kind === 'missing') {
    if (es.target.creationPolicy === 'Merge') {
      return {
        ...base,
        status: 'fail',
        code: 'TARGET_SECRET_MISSING',
        message: `does not exist; ${owner} has creationPolicy Merge and never creates it`,
        ...targetSecretBroken(ref, es.target.name, 'merge-missing'),
      };
    }
    return {
      ...base,
      status: 'fail',
      code: 'TARGET_SECRET_MISSING',
      message: `does not exist; ${owner} should create it${likely(probe)}`,
      ...fix('missing'),
    };
  }
  const expected = es.target.expectedKeys;
  const lacking = (expected ?? []).filter((k) => !secret.keys.includes(k));
  if (lacking.length) {
    const has = secret.keys.length ? secret.keys.join(', ') : 'no keys';
    return {
      ...base,
      status: 'fail',
      code: 'TARGET_SECRET_KEYS_MISSING',
      message: `lacks ${lacking.join(', ')} mapped by ${owner} (has ${has})${likely(probe)}`,
      ...fix('keys'),
    };
  }
  if (es.target.creationPolicy === 'Owner' && !secret.ownedBy.includes(es.name)) {
    const by = secret.ownedBy.length
      ? `owned by ExternalSecret ${secret.ownedBy.join(', ')}`
      : 'has no ExternalSecret owner';
    return {
      ...base,
      status: 'warn',
      code: 'TARGET_SECRET_NOT_OWNED',
      message: `${by}, but ${owner} has creationPolicy Owner`,
      ...targetSecretBroken(ref, es.target.name, 'owner'),
    };
  }
  const keys =
    expected === null
      ? `${secret.keys.length} keys (decided by dataFrom or templates)`
      : `the ${expected.length} keys ${owner} maps`;
  const relation =
    es.target.creationPolicy === 'Owner' ? 'owned by it' : `creationPolicy ${es.target.creationPolicy}`;
  return { ...base, status: 'pass', message: `exists with ${keys}; ${relation}` };
}

function podLeaf(p: PodFacts): CheckNode {
  const subject = `Pod ${p.namespace}/${p.name}`;
  const base = {
    id: `${ID}:pod:${p.namespace}/${p.name}`,
    title: subject,
    subject,
    dependsOn: [
      ...new Set(p.missing.map((m) => `Secret ${p.namespace}/${m.secret}`)),
      ...(p.providedBy ? [`ExternalSecret ${p.namespace}/${p.providedBy}`] : []),
    ],
  };
  const first = p.missing[0] as SecretRef;
  const what = p.missing
    .map((m) => (m.key ? `key ${m.key} of Secret ${m.secret}` : `Secret ${m.secret}`))
    .join(', ');
  const from = p.providedBy ? `; ExternalSecret ${p.namespace}/${p.providedBy} provides ${first.secret}` : '';
  const observed = p.stuckMessage ?? `references missing ${what}; it will not start again until they exist`;
  const cause = rootCauseOf(p.probe);
  const provider = p.providedBy ? { namespace: p.namespace, name: p.providedBy } : null;
  const hint =
    cause && p.probe && provider
      ? rootCauseHint(cause, p.probe, [provider])
      : podMissingSecret({ namespace: p.namespace, name: p.name }, first.secret, first.key, provider);
  return {
    ...base,
    status: p.stuckMessage ? 'fail' : 'warn',
    code: 'POD_SECRET_MISSING',
    message: `${observed}${from}${likely(p.probe)}`,
    ...hint,
  };
}

/** `secrets.target-secrets`: the Secrets ESO writes exist with their keys, and no pod is stuck without them. */
export const targetSecretsStep = defineStep<TargetSecretsFacts>({
  id: ID,
  title: TITLE,
  gather: gatherTargetSecrets,
  evaluate: (facts) => evaluateTargetSecrets(facts),
});
