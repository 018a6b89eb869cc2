import {
  certificateLeaves,
  gatherIssuance,
  type CertificatesFacts,
  type ListenerTlsUse,
} from '../ingress/certificates.js';
import { failuresOf, listInScope, mapListing } from '../listing.js';
import { listFailureLeaf } from '../could-not-check.js';
import { group, type CheckNode } from '../result.js';
import { defineStep, type GatherContext } from '../step.js';
import { readGateway, type GatewayView } from './model.js';
import { gatewayApiNotInstalled } from './step-node.js';

const ID = 'gateway.certificates';
const TITLE = "Certificates of the Gateway listeners (cert-manager's gateway-shim) are issued and valid";

/** What `gatherGatewayCertificates` learned: the ingress runbook's certificate facts over Gateway listeners. */
export interface GatewayCertificatesFacts extends CertificatesFacts {
  isServed: boolean;
}

/** Per listener and Secret it names: the listener's hostname, which the Certificate must cover. */
export function listenerTlsUses(gateways: readonly GatewayView[]): ListenerTlsUse[] {
  return gateways.flatMap((gw) =>
    gw.listeners.flatMap((l) =>
      l.certificateRefs
        .filter((ref) => ref.kind === 'Secret' && ref.name !== '')
        .map((ref) => ({
          listener: `listener ${l.name} of Gateway ${gw.key}`,
          namespace: ref.namespace,
          secretName: ref.name,
          hosts: l.hostname ? [l.hostname] : [],
        })),
    ),
  );
}

/** I/O half: what ingress.certificates reads, with the Gateways' listeners in place of the Ingresses. */
export async function gatherGatewayCertificates(ctx: GatherContext): Promise<GatewayCertificatesFacts> {
  const gateways = await listInScope(ctx, 'gateways', null);
  const listenerTls = mapListing(gateways, (items) => listenerTlsUses(items.map(readGateway)));
  const none = { kind: 'items' as const, items: [] };
  if (gateways.kind === 'not-served') {
    // No Gateways, no gateway-shim Certificates: nothing else to read.
    return {
      isServed: false,
      certificates: none,
      issuers: none,
      clusterIssuers: none,
      secrets: none,
      chainFailure: null,
      warnings: {},
      ingressTls: none,
      ingressHosts: none,
      listenerTls,
    };
  }
  const issuance = await gatherIssuance(ctx);
  return { isServed: true, ...issuance, ingressTls: none, ingressHosts: none, listenerTls };
}

/** Pure: the Certificates gateway-shim made for Gateway listeners, judged as ingress.certificates judges them. */
export function evaluateGatewayCertificates(
  facts: GatewayCertificatesFacts,
  { now }: { now: Date },
): CheckNode {
  if (!facts.isServed) return gatewayApiNotInstalled(ID, TITLE);
  const children = [
    ...failuresOf(facts.listenerTls).map((f) => listFailureLeaf(ID, f)),
    ...certificateLeaves(ID, facts, (c) => c.gateway !== null, now),
  ];
  return group(ID, TITLE, children, 'no Certificates of Gateway listeners in scope');
}

/** `gateway.certificates`: `cmctl status certificate` for each Certificate a Gateway owns. */
export const gatewayCertificatesStep = defineStep({
  id: ID,
  title: TITLE,
  gather: gatherGatewayCertificates,
  evaluate: evaluateGatewayCertificates,
});
