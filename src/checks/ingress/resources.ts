import type { KubeObject, SecretSummary } from '../../gateways/types.js';
import * as hints from './hints.js';
import { group, type CheckNode } from '../result.js';
import { defineStep, secretsNotRead, type GatherContext } from '../step.js';
import { itemsOf, listInScope, mapListing, type Listing } from '../listing.js';
import { at, nonEmptyString, records, stringArray } from '../kube-object.js';
import {
  CONTROLLER_NAMESPACE,
  gatherIngressInventory,
  hostMatches,
  type BackendRef,
  type ControllerLookup,
  type IngressInventory,
  type IngressView,
} from './inventory.js';
import { listFailureLeaf } from '../could-not-check.js';
import {
  backendLeaf as sharedBackendLeaf,
  gatherBackends,
  judgeBackend,
  NO_BACKENDS,
  type BackendFacts,
} from '../backends.js';
import { gatherWarnings, withOwnEvents, type EventObject, type Warnings } from '../events.js';

const ID = 'ingress.resources';
const TITLE = 'Ingresses have a class, an address, backends with ready endpoints and their TLS Secrets';

/** An IngressClass: its name, whether it is the cluster default, and the controller it names. */
export interface IngressClassView {
  name: string;
  isDefault: boolean;
  /** `spec.controller`, e.g. `k8s.io/ingress-nginx`. */
  controller: string | null;
}

/** ingress-nginx's default `--controller-class` (cmd/nginx/flags.go). */
const INGRESS_NGINX_CONTROLLER = 'k8s.io/ingress-nginx';

/** The controller classes the ingress-nginx pods serve, read from their container args. */
function servedBy(pods: readonly KubeObject[]): string[] {
  const served = pods.flatMap((pod) =>
    records(at(pod.spec, 'containers')).flatMap((c) => {
      const args = [...stringArray(c.command), ...stringArray(c.args)];
      if (!args.some((a) => a.includes('nginx-ingress-controller'))) return [];
      const flag = args.find((a) => a.startsWith('--controller-class='));
      return [flag ? flag.slice('--controller-class='.length) : INGRESS_NGINX_CONTROLLER];
    }),
  );
  return [...new Set(served)].sort();
}

/** What `gatherResources` learned; plain data so `evaluateResources` runs without a cluster. */
export interface ResourcesFacts extends BackendFacts {
  /** The profile's `hosts`: each must be served by some Ingress. */
  profileHosts: string[];
  inventory: IngressInventory;
  ingressClasses: Listing<IngressClassView>;
  /**
   * `--controller-class` values of the ingress-nginx pods behind the controller Service (default
   * `k8s.io/ingress-nginx`); null when those pods could not be found or read, so nobody can tell.
   */
  servedControllers: string[] | null;
  secrets: Listing<{ namespace: string; name: string; type: string; keys: string[] }>;
  issuers: Listing<{ namespace: string; name: string }>;
  clusterIssuers: Listing<{ name: string }>;
  /** Newest Warning events of the controller Service without an address and of Ingresses without one. */
  warnings: Warnings;
}

/** A list not needed for these Ingresses (no TLS, no issuer annotation): nothing to look up. */
function none<T>(): Promise<Listing<T>> {
  return Promise.resolve({ kind: 'items', items: [] });
}

/** I/O half: Ingresses, the controller, and the objects they reference, one list per kind. */
export async function gatherResources(ctx: GatherContext): Promise<ResourcesFacts> {
  const inventory = await gatherIngressInventory(ctx);
  const ingresses = itemsOf(inventory.ingresses);
  const namespaces = ctx.scope.namespaces;
  const hasIngresses = ingresses.length > 0;
  const needsSecrets = ingresses.some((i) => i.tls.some((t) => t.secretName));
  const needsIssuers = ingresses.some((i) => i.issuer?.kind === 'Issuer');
  const needsClusterIssuers = ingresses.some((i) => i.issuer?.kind === 'ClusterIssuer');
  const [ingressClasses, backends, secrets, issuers, clusterIssuers] = await Promise.all([
    hasIngresses ? listInScope(ctx, 'ingressclasses', null) : none<KubeObject>(),
    hasIngresses ? gatherBackends(ctx) : NO_BACKENDS,
    needsSecrets ? listInScope(ctx, 'secrets', namespaces) : none<SecretSummary>(),
    needsIssuers ? listInScope(ctx, 'issuers', namespaces) : none<KubeObject>(),
    needsClusterIssuers ? listInScope(ctx, 'clusterissuers', null) : none<KubeObject>(),
  ]);
  const controller = inventory.controller;
  const isControllerTroubled =
    controller.kind === 'found' &&
    (controller.addresses.length === 0 || controller.addresses.some((a) => a.portErrors.length > 0));
  // Only objects already in trouble: the provider's reason for a pending address is in its Service's events.
  const troubled: EventObject[] = [
    ...(isControllerTroubled
      ? [{ kind: 'Service', namespace: controller.namespace, name: controller.name }]
      : []),
    ...ingresses
      .filter((i) => i.addresses.length === 0)
      .map((i) => ({ kind: 'Ingress', namespace: i.namespace, name: i.name })),
  ];
  let servedControllers: string[] | null = null;
  if (hasIngresses && controller.kind === 'found' && Object.keys(controller.selector).length > 0) {
    const pods = await listInScope(ctx, 'pods', [controller.namespace]);
    const matches = (p: KubeObject) =>
      Object.entries(controller.selector).every(([k, v]) => p.metadata.labels?.[k] === v);
    const running = itemsOf(pods).filter((p) => matches(p) && at(p.status, 'phase') === 'Running');
    // No running pod (or none readable) says nothing about which classes are served.
    servedControllers = running.length > 0 ? servedBy(running) : null;
  }
  return {
    profileHosts: ctx.scope.profile.hosts,
    inventory,
    servedControllers,
    warnings: await gatherWarnings(ctx, troubled),
    ingressClasses: mapListing(ingressClasses, (items) =>
      items.map((c) => ({
        name: c.metadata.name,
        isDefault: c.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true',
        controller: nonEmptyString(at(c.spec, 'controller')),
      })),
    ),
    ...backends,
    secrets: mapListing(secrets, (items) =>
      items.map((s) => ({
        namespace: s.metadata.namespace ?? '',
        name: s.metadata.name,
        type: s.type,
        keys: s.keys,
      })),
    ),
    issuers: mapListing(issuers, (items) =>
      items.map((i) => ({ namespace: i.metadata.namespace ?? '', name: i.metadata.name })),
    ),
    clusterIssuers: mapListing(clusterIssuers, (items) => items.map((i) => ({ name: i.metadata.name }))),
  };
}

// ---------------------------------------------------------------- evaluate

function addressText(a: { ip: string | null; hostname: string | null }): string {
  return a.ip ?? a.hostname ?? '';
}

/** The controller's Service as leaves name it, found or not. */
function controllerSubject(controller: ControllerLookup): string {
  if (controller.kind === 'found') return `Service ${controller.namespace}/${controller.name}`;
  const ref = controller.kind === 'not-found' ? controller.profileRef : null;
  return ref ? `Service ${ref.namespace}/${ref.name}` : 'ingress controller Service';
}

function controllerLeaf(controller: ControllerLookup): CheckNode {
  const id = `${ID}:controller`;
  const title = 'ingress controller load balancer';
  const subject = controllerSubject(controller);
  if (controller.kind === 'failed') {
    return listFailureLeaf(ID, controller.failure, { id, title, subject });
  }
  if (controller.kind === 'not-found') {
    const ref = controller.profileRef;
    return {
      id,
      title,
      subject,
      status: 'fail',
      code: 'INGRESS_CONTROLLER_NOT_FOUND',
      message: ref
        ? `Service ${ref.namespace}/${ref.name} (profile ingress.controllerService) does not exist`
        : `no LoadBalancer Service in ${CONTROLLER_NAMESPACE} or behind the Ingress addresses`,
      ...hints.controllerNotFound(ref),
    };
  }
  const svc = { ns: controller.namespace, name: controller.name };
  const base = { id, title, subject };
  if (controller.addresses.length === 0) {
    return {
      ...base,
      status: 'fail',
      code: 'INGRESS_LB_PENDING',
      message:
        controller.type === 'LoadBalancer'
          ? 'LoadBalancer address <pending>'
          : `Service type ${controller.type} has no external address`,
      ...hints.controllerNoAddress(svc),
    };
  }
  const portErrors = controller.addresses.flatMap((a) => a.portErrors);
  if (portErrors.length > 0) {
    return {
      ...base,
      status: 'fail',
      code: 'INGRESS_LB_PORT_ERROR',
      message: `load balancer reports port errors: ${portErrors.join('; ')}`,
      ...hints.controllerNoAddress(svc),
    };
  }
  return {
    ...base,
    status: 'pass',
    message: `${controller.type} at ${controller.addresses.map(addressText).join(', ')}`,
  };
}

function classLeaf(ing: IngressView, facts: ResourcesFacts): CheckNode {
  const base = { id: `${ID}:${ing.key}/class`, title: 'IngressClass' };
  const subject = ing.className ? `IngressClass ${ing.className}` : `Ingress ${ing.key}`;
  if (facts.ingressClasses.kind === 'failed') {
    return listFailureLeaf(ID, facts.ingressClasses.failures[0], { ...base, subject });
  }
  const classes = itemsOf(facts.ingressClasses);
  const problem = hints.ingressClassMissing({
    ns: ing.namespace,
    ingress: ing.name,
    className: ing.className,
  });
  if (!ing.className) {
    const fallback = classes.find((c) => c.isDefault);
    return fallback
      ? {
          ...base,
          subject: `IngressClass ${fallback.name}`,
          status: 'pass',
          message: `class ${fallback.name} (cluster default)`,
        }
      : {
          ...base,
          subject,
          status: 'fail',
          code: 'INGRESS_CLASS_MISSING',
          message: 'names no IngressClass and no IngressClass is the cluster default',
          ...problem,
        };
  }
  if (!classes.some((c) => c.name === ing.className)) {
    return {
      ...base,
      subject,
      status: 'fail',
      code: 'INGRESS_CLASS_MISSING',
      message: `does not exist (class of Ingress ${ing.key})`,
      ...problem,
    };
  }
  const via = ing.classSource === 'annotation' ? ' (kubernetes.io/ingress.class annotation)' : '';
  const served = facts.servedControllers;
  const controller = classes.find((c) => c.name === ing.className)?.controller ?? null;
  // Only ingress-nginx classes are judged: the doctor reads ingress-nginx's pods, not other controllers'.
  if (served && controller?.startsWith(INGRESS_NGINX_CONTROLLER) && !served.includes(controller)) {
    const servedClasses = classes.filter((c) => c.controller !== null && served.includes(c.controller));
    return {
      ...base,
      subject,
      status: 'fail',
      code: 'INGRESS_CLASS_UNSERVED',
      message: `no running ingress controller serves it: it names controller ${controller}, the ingress-nginx pods serve ${served.join(', ')} (class of Ingress ${ing.key})`,
      ...hints.ingressClassUnserved({
        ns: ing.namespace,
        ingress: ing.name,
        className: ing.className,
        controller,
        servedClasses: servedClasses.map((c) => c.name),
      }),
    };
  }
  return { ...base, subject, status: 'pass', message: `class ${ing.className}${via}` };
}

function addressLeaf(ing: IngressView, facts: ResourcesFacts): CheckNode {
  const c = facts.inventory.controller;
  const base = {
    id: `${ID}:${ing.key}/address`,
    title: 'load balancer address',
    subject: `Ingress ${ing.key}`,
    // The controller of the Ingress's class publishes its Service's address into the Ingress status.
    dependsOn: [controllerSubject(c), ...(ing.className ? [`IngressClass ${ing.className}`] : [])],
  };
  const controller = c.kind === 'found' ? { namespace: c.namespace, name: c.name } : null;
  const problem = hints.addressNotPublished({ ns: ing.namespace, ingress: ing.name, controller });
  if (ing.addresses.length === 0) {
    return {
      ...base,
      status: 'fail',
      code: 'INGRESS_ADDRESS_NOT_PUBLISHED',
      message: 'load balancer address not published',
      ...problem,
    };
  }
  const portErrors = ing.addresses.flatMap((a) => a.portErrors);
  if (portErrors.length > 0) {
    return {
      ...base,
      status: 'fail',
      code: 'INGRESS_LB_PORT_ERROR',
      message: `load balancer reports port errors: ${portErrors.join('; ')}`,
      ...problem,
    };
  }
  return { ...base, status: 'pass', message: `published at ${ing.addresses.map(addressText).join(', ')}` };
}

function backendLeaf(ing: IngressView, backend: BackendRef, facts: ResourcesFacts): CheckNode {
  const ns = ing.namespace;
  const base = {
    id: `${ID}:${ing.key}/backend/${backend.service}:${backend.port}`,
    title: `backend ${backend.service}:${backend.port}`,
    subject: `Service ${ns}/${backend.service}`,
  };
  const ref = { namespace: ns, name: backend.service, port: backend.port };
  const p = { ns, service: backend.service, ingress: ing.name };
  return sharedBackendLeaf(ID, base, judgeBackend(facts, ref), ref, `Ingress ${ing.key}`, {
    missing: hints.serviceMissing(p),
    noPort: hints.servicePortMismatch(p),
  });
}

const TLS_KEYS = ['tls.crt', 'tls.key'];

function tlsLeaf(ing: IngressView, secretName: string, facts: ResourcesFacts): CheckNode {
  const ns = ing.namespace;
  const base = {
    id: `${ID}:${ing.key}/tls/${secretName}`,
    title: `TLS Secret ${secretName}`,
    subject: `Secret ${ns}/${secretName}`,
  };
  if (facts.secrets.kind === 'failed') return listFailureLeaf(ID, facts.secrets.failures[0], base);
  if (facts.secrets.kind === 'not-read') return secretsNotRead(base);
  const problem = hints.tlsSecretProblem({
    ns,
    secret: secretName,
    ingress: ing.name,
    issued: ing.issuer !== null,
  });
  const secret = itemsOf(facts.secrets).find((s) => s.namespace === ns && s.name === secretName);
  if (!secret)
    return {
      ...base,
      status: 'fail',
      code: 'TLS_SECRET_MISSING',
      message: `does not exist (TLS Secret of Ingress ${ing.key})`,
      ...problem,
    };
  if (secret.type !== 'kubernetes.io/tls') {
    return {
      ...base,
      status: 'fail',
      code: 'TLS_SECRET_INVALID',
      message: `Secret ${ns}/${secretName} has type ${secret.type}, expected kubernetes.io/tls`,
      ...problem,
    };
  }
  const missing = TLS_KEYS.filter((k) => !secret.keys.includes(k));
  if (missing.length > 0) {
    return {
      ...base,
      status: 'fail',
      code: 'TLS_SECRET_INVALID',
      message: `Secret ${ns}/${secretName} has no ${missing.join(' or ')}`,
      ...problem,
    };
  }
  return { ...base, status: 'pass', message: 'kubernetes.io/tls Secret with tls.crt and tls.key' };
}

function issuerLeaf(
  ing: IngressView,
  issuer: NonNullable<IngressView['issuer']>,
  facts: ResourcesFacts,
): CheckNode {
  const ns = ing.namespace;
  const isCluster = issuer.kind === 'ClusterIssuer';
  const subject = isCluster ? `ClusterIssuer ${issuer.name}` : `Issuer ${ns}/${issuer.name}`;
  const base = { id: `${ID}:${ing.key}/issuer`, title: subject, subject };
  const listing = isCluster ? facts.clusterIssuers : facts.issuers;
  if (listing.kind === 'failed') return listFailureLeaf(ID, listing.failures[0], base);
  if (listing.kind === 'not-served') {
    return {
      ...base,
      status: 'fail',
      code: 'CERT_MANAGER_NOT_INSTALLED',
      message: `cert-manager is not installed: ${listing.resource} is not served`,
      ...hints.certManagerMissing(),
    };
  }
  const exists = isCluster
    ? itemsOf(facts.clusterIssuers).some((i) => i.name === issuer.name)
    : itemsOf(facts.issuers).some((i) => i.namespace === ns && i.name === issuer.name);
  if (!exists) {
    return {
      ...base,
      status: 'fail',
      code: 'INGRESS_ISSUER_MISSING',
      message: `does not exist (named by Ingress ${ing.key})`,
      ...hints.issuerMissing({ kind: issuer.kind, ns, name: issuer.name, ingress: ing.name }),
    };
  }
  return { ...base, status: 'pass', message: `${subject} exists` };
}

function backendsOf(ing: IngressView): BackendRef[] {
  const refs = [...ing.routes.map((r) => r.backend), ing.defaultBackend].filter(
    (b): b is BackendRef => b !== null,
  );
  const seen = new Map(refs.map((b) => [`${b.service}:${b.port}`, b]));
  return [...seen.values()];
}

function ingressNode(ing: IngressView, facts: ResourcesFacts): CheckNode {
  const secretNames = [...new Set(ing.tls.flatMap((t) => (t.secretName ? [t.secretName] : [])))];
  const children = [
    classLeaf(ing, facts),
    withOwnEvents(addressLeaf(ing, facts), facts.warnings),
    ...backendsOf(ing).map((b) => backendLeaf(ing, b, facts)),
    ...secretNames.map((s) => tlsLeaf(ing, s, facts)),
    ...(ing.issuer ? [issuerLeaf(ing, ing.issuer, facts)] : []),
  ];
  return { ...group(`${ID}:${ing.key}`, `Ingress ${ing.key}`, children), subject: `Ingress ${ing.key}` };
}

function hostLeaf(host: string, ingresses: IngressView[]): CheckNode {
  const base = { id: `${ID}:${host}`, title: host, subject: `host ${host}` };
  const serving = ingresses.filter((i) => i.hosts.some((pattern) => hostMatches(pattern, host)));
  if (serving.length === 0) {
    return {
      ...base,
      status: 'fail',
      code: 'HOST_NOT_SERVED',
      message: 'served by no Ingress in scope',
      ...hints.hostNotServed(host),
    };
  }
  return { ...base, status: 'pass', message: `served by Ingress ${serving.map((i) => i.key).join(', ')}` };
}

/** Pure: the controller leaf, one group per Ingress, and one leaf per profile host. */
export function evaluateResources(facts: ResourcesFacts): CheckNode {
  const { inventory } = facts;
  if (inventory.ingresses.kind === 'failed') {
    return group(ID, TITLE, [listFailureLeaf(ID, inventory.ingresses.failures[0])]);
  }
  const ingresses = itemsOf(inventory.ingresses);
  const showController = ingresses.length > 0 || inventory.controller.kind !== 'not-found';
  const children = [
    ...(showController ? [withOwnEvents(controllerLeaf(inventory.controller), facts.warnings)] : []),
    ...ingresses.map((ing) => ingressNode(ing, facts)),
    ...facts.profileHosts.map((host) => hostLeaf(host, ingresses)),
  ];
  return group(ID, TITLE, children, 'no Ingresses in scope');
}

/** `ingress.resources`: the first link of the ingress runbook (`kubectl get ingress -A`, automated). */
export const resourcesStep = defineStep({
  id: ID,
  title: TITLE,
  gather: gatherResources,
  evaluate: (facts) => evaluateResources(facts),
});
