import type { KubeObject, SecretSummary } from '../../gateways/types.js';
import { listFailureLeaf } from '../could-not-check.js';
import type { Condition } from '../kube-object.js';
import { itemsSeen, listInScope, mapListing, type Listing } from '../listing.js';
import { group, withUniqueIds, type CheckNode } from '../result.js';
import { defineStep, type GatherContext } from '../step.js';
import { tlsSecretLeaf, tlsSecretViews, type TlsSecretView } from '../tls-secret.js';
import * as hints from './hints.js';
import { gatewayApiStepNode } from './step-node.js';
import {
  readGateway,
  readGatewayClass,
  readReferenceGrant,
  type CertificateRef,
  type GatewayClassView,
  type GatewayView,
  type ListenerView,
  type ReferenceGrantView,
} from './model.js';

const ID = 'gateway.gateways';
const TITLE = 'Gateways are accepted and programmed by their class, with an address and valid listeners';

/** What `gatherGateways` learned; plain data so `evaluateGateways` runs without a cluster. */
export interface GatewaysFacts {
  classes: Listing<GatewayClassView>;
  gateways: Listing<GatewayView>;
  /** TLS Secrets the listeners name; empty when no listener terminates TLS. */
  secrets: Listing<TlsSecretView>;
  grants: Listing<ReferenceGrantView>;
}

const NOTHING: Listing<never> = { kind: 'items', items: [] };

/** Listeners that terminate TLS with the Secrets they name (protocol HTTPS or TLS, mode Terminate). */
export function terminatesTls(listener: ListenerView): boolean {
  return (listener.protocol === 'HTTPS' || listener.protocol === 'TLS') && listener.tlsMode !== 'Passthrough';
}

/** I/O half: GatewayClasses, Gateways, and the Secrets and ReferenceGrants their listeners need. */
export async function gatherGateways(ctx: GatherContext): Promise<GatewaysFacts> {
  const gateways = mapListing(await listInScope(ctx, 'gateways', ctx.scope.namespaces), (items) =>
    items.map(readGateway),
  );
  const seen = itemsSeen(gateways);
  const refs = seen.flatMap((g) => g.listeners.filter(terminatesTls).flatMap((l) => l.certificateRefs));
  const isCrossNamespace = seen.some((g) =>
    g.listeners.some((l) => l.certificateRefs.some((r) => r.namespace !== g.namespace)),
  );
  const secretNamespaces = [...new Set(refs.map((r) => r.namespace))].sort();
  const [classes, secrets, grants] = await Promise.all([
    seen.length > 0 ? listInScope(ctx, 'gatewayclasses', null) : NOTHING,
    refs.length > 0 ? listInScope(ctx, 'secrets', secretNamespaces) : (NOTHING as Listing<SecretSummary>),
    isCrossNamespace
      ? listInScope(ctx, 'referencegrants', secretNamespaces)
      : (NOTHING as Listing<KubeObject>),
  ]);
  return {
    classes: mapListing(classes as Listing<KubeObject>, (items) => items.map(readGatewayClass)),
    gateways,
    secrets: tlsSecretViews(secrets),
    grants: mapListing(grants, (items) => items.map(readReferenceGrant)),
  };
}

/** `reason: message` of a condition, or what is missing. */
function conditionText(type: string, c: Condition | null): string {
  if (!c) return `no ${type} condition yet`;
  const detail = [c.reason, c.message].filter(Boolean).join(': ');
  return `${type} ${c.status}${detail ? ` (${detail})` : ''}`;
}

function classLeaf(gw: GatewayView, facts: GatewaysFacts): CheckNode {
  const subject = `GatewayClass ${gw.className}`;
  const base = { id: `${ID}:${gw.key}/class`, title: subject, subject };
  if (facts.classes.kind === 'failed') return listFailureLeaf(ID, facts.classes.failures[0], base);
  const found = itemsSeen(facts.classes).find((c) => c.name === gw.className);
  if (!found) {
    return {
      ...base,
      code: 'GATEWAY_CLASS_MISSING',
      status: 'fail',
      message: `does not exist (class of Gateway ${gw.key})`,
      ...hints.classMissing({ className: gw.className, ns: gw.namespace, gateway: gw.name }),
    };
  }
  const controller = found.controllerName ?? 'no controller';
  if (found.accepted?.status !== 'True') {
    return {
      ...base,
      code: 'GATEWAY_CLASS_NOT_ACCEPTED',
      status: 'fail',
      message: `not accepted: ${conditionText('Accepted', found.accepted)}; controller ${controller}`,
      ...hints.classNotAccepted({
        className: found.name,
        controllerName: found.controllerName,
        reason: found.accepted?.reason ?? null,
      }),
    };
  }
  return { ...base, status: 'pass', message: `accepted by ${controller}` };
}

function statusLeaf(gw: GatewayView): CheckNode {
  const subject = `Gateway ${gw.key}`;
  const base = {
    id: `${ID}:${gw.key}/status`,
    title: 'accepted, programmed and addressed',
    subject,
    dependsOn: [`GatewayClass ${gw.className}`],
  };
  const addresses = gw.addresses.map((a) => a.value).join(', ');
  for (const [type, condition, code] of [
    ['Accepted', gw.accepted, 'GATEWAY_NOT_ACCEPTED'],
    ['Programmed', gw.programmed, 'GATEWAY_NOT_PROGRAMMED'],
  ] as const) {
    if (condition?.status === 'False') {
      return {
        ...base,
        code,
        status: 'fail',
        message: `${conditionText(type, condition)}${addresses ? `; address ${addresses}` : ''}`,
        ...hints.gatewayNotReady({ ns: gw.namespace, name: gw.name, condition }),
      };
    }
  }
  if (gw.accepted?.status !== 'True' || gw.programmed?.status !== 'True') {
    const pending = gw.accepted?.status !== 'True' ? gw.accepted : gw.programmed;
    const type = gw.accepted?.status !== 'True' ? 'Accepted' : 'Programmed';
    return {
      ...base,
      code: 'GATEWAY_NOT_RECONCILED',
      status: 'warn',
      message: `not reconciled yet: ${conditionText(type, pending)}`,
      ...hints.gatewayNotReady({ ns: gw.namespace, name: gw.name, condition: pending }),
    };
  }
  if (gw.addresses.length === 0) {
    return {
      ...base,
      code: 'GATEWAY_NO_ADDRESS',
      status: 'fail',
      message: 'programmed, but has no address',
      ...hints.noAddress({ ns: gw.namespace, name: gw.name }),
    };
  }
  return { ...base, status: 'pass', message: `programmed at ${addresses}` };
}

/** Whether a ReferenceGrant in the Secret's namespace lets Gateways of `from` reference it. */
function isGranted(grants: readonly ReferenceGrantView[], from: string, ref: CertificateRef): boolean {
  return grants.some(
    (g) =>
      g.namespace === ref.namespace &&
      g.from.some(
        (f) => f.group === 'gateway.networking.k8s.io' && f.kind === 'Gateway' && f.namespace === from,
      ) &&
      g.to.some((t) => t.group === '' && t.kind === 'Secret' && (t.name === null || t.name === ref.name)),
  );
}

function secretSubject(ref: CertificateRef): string {
  return `Secret ${ref.namespace}/${ref.name}`;
}

function listenerLeaf(gw: GatewayView, listener: ListenerView): CheckNode {
  const where = `${listener.protocol}${listener.port === null ? '' : `/${listener.port}`}`;
  const host = listener.hostname ?? 'any hostname';
  const base = {
    id: `${ID}:${gw.key}/listener/${listener.name}`,
    title: `listener ${listener.name}`,
    subject: `listener ${listener.name} of Gateway ${gw.key}`,
    dependsOn: [
      `Gateway ${gw.key}`,
      ...(terminatesTls(listener) ? listener.certificateRefs.map(secretSubject) : []),
    ],
  };
  const broken = (
    [
      ['Accepted', listener.accepted, 'False'],
      ['ResolvedRefs', listener.resolvedRefs, 'False'],
      ['Programmed', listener.programmed, 'False'],
      ['Conflicted', listener.conflicted, 'True'],
    ] as const
  ).filter(([, c, bad]) => c?.status === bad);
  if (broken.length > 0) {
    const [, first] = broken[0]!;
    // Controllers often repeat one message under each condition: name the conditions, then each message once.
    const states = broken.map(([type, c]) => `${type} ${c!.status}${c!.reason ? ` (${c!.reason})` : ''}`);
    const messages = [...new Set(broken.flatMap(([, c]) => (c!.message ? [c!.message] : [])))];
    return {
      ...base,
      code: 'GATEWAY_LISTENER_INVALID',
      status: 'fail',
      message: `${where} for ${host}: ${states.join(', ')}${messages.length ? `: ${messages.join('; ')}` : ''}`,
      ...hints.listenerBroken({
        ns: gw.namespace,
        gateway: gw.name,
        listener: listener.name,
        reason: first?.reason ?? null,
      }),
    };
  }
  if (terminatesTls(listener) && listener.certificateRefs.length === 0) {
    return {
      ...base,
      code: 'GATEWAY_LISTENER_NO_CERTIFICATE',
      status: 'fail',
      message: `${where} for ${host} terminates TLS but names no certificateRefs`,
      ...hints.listenerBroken({
        ns: gw.namespace,
        gateway: gw.name,
        listener: listener.name,
        reason: 'InvalidCertificateRef',
      }),
    };
  }
  const routes =
    listener.attachedRoutes === null
      ? ''
      : `, ${listener.attachedRoutes} attached route${listener.attachedRoutes === 1 ? '' : 's'}`;
  return { ...base, status: 'pass', message: `${where} for ${host}${routes}` };
}

function secretLeaf(
  gw: GatewayView,
  ref: CertificateRef,
  listeners: string[],
  facts: GatewaysFacts,
): CheckNode {
  const base = {
    id: `${ID}:${gw.key}/secret/${ref.namespace}/${ref.name}`,
    title: `TLS Secret ${ref.namespace}/${ref.name}`,
    subject: secretSubject(ref),
  };
  const usedBy = `listener ${listeners.join(', ')} of Gateway ${gw.key}`;
  if (ref.kind !== 'Secret' || ref.group !== '') {
    return {
      ...base,
      code: 'GATEWAY_REF_NOT_READ',
      status: 'skip',
      message: `not checked: a ${ref.group ? `${ref.group}/` : ''}${ref.kind} certificateRef (only core Secrets are read)`,
      ...hints.notRead(`${ref.kind} ${ref.namespace}/${ref.name}`),
    };
  }
  if (
    ref.namespace !== gw.namespace &&
    facts.grants.kind !== 'failed' &&
    !isGranted(itemsSeen(facts.grants), gw.namespace, ref)
  ) {
    return {
      ...base,
      code: 'GATEWAY_REF_NOT_PERMITTED',
      status: 'fail',
      message: `in another namespace and no ReferenceGrant in ${ref.namespace} lets Gateways from ${gw.namespace} use it (${usedBy})`,
      ...hints.listenerBroken({
        ns: gw.namespace,
        gateway: gw.name,
        listener: listeners[0] ?? '',
        reason: 'RefNotPermitted',
      }),
    };
  }
  return tlsSecretLeaf(
    ID,
    base,
    facts.secrets,
    ref,
    usedBy,
    hints.certificateSecretProblem({
      ns: ref.namespace,
      secret: ref.name,
      gateway: gw.key,
      issued: gw.issuer !== null,
    }),
  );
}

function gatewayNode(gw: GatewayView, facts: GatewaysFacts): CheckNode {
  const bySecret = new Map<string, { ref: CertificateRef; listeners: string[] }>();
  for (const listener of gw.listeners.filter(terminatesTls)) {
    for (const ref of listener.certificateRefs) {
      const key = `${ref.namespace}/${ref.name}`;
      const entry = bySecret.get(key) ?? { ref, listeners: [] };
      entry.listeners.push(listener.name);
      bySecret.set(key, entry);
    }
  }
  const children = withUniqueIds([
    classLeaf(gw, facts),
    statusLeaf(gw),
    ...gw.listeners.map((l) => listenerLeaf(gw, l)),
    ...[...bySecret.values()].map(({ ref, listeners }) => secretLeaf(gw, ref, listeners, facts)),
  ]);
  return { ...group(`${ID}:${gw.key}`, `Gateway ${gw.key}`, children), subject: `Gateway ${gw.key}` };
}

/** Pure: per Gateway, its class, its own status and address, each listener and each TLS Secret. */
export function evaluateGateways(facts: GatewaysFacts): CheckNode {
  return gatewayApiStepNode(
    ID,
    TITLE,
    facts.gateways,
    (gw) => gatewayNode(gw, facts),
    'no Gateways in scope',
  );
}

/** `gateway.gateways`: the Gateway side of Gateway API routing, as its controllers report it. */
export const gatewaysStep = defineStep<GatewaysFacts>({
  id: ID,
  title: TITLE,
  gather: gatherGateways,
  evaluate: (facts) => evaluateGateways(facts),
});
