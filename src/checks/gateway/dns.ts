import {
  evaluateDns,
  resolveTargets,
  type DnsFacts,
  type DnsStepText,
  type DnsTarget,
} from '../ingress/dns.js';
import { lbTarget } from '../ingress/inventory.js';
import { failuresOf, itemsSeen, listInScope, mapListing } from '../listing.js';
import type { CheckNode } from '../result.js';
import { defineStep, type GatherContext } from '../step.js';
import { gatewayApiNotInstalled } from './step-node.js';
import { hostAttachments, readGateway, readRoute, type GatewayView, type RouteView } from './model.js';

const TEXT: DnsStepText = {
  id: 'gateway.dns',
  title: 'DNS records of the route hostnames point at their Gateway',
  addressStep: 'gateway.gateways',
  emptyMessage: 'no HTTPRoute hostnames in scope',
};

/** What `gatherGatewayDns` learned: the ingress DNS facts, plus whether the Gateway API is served at all. */
export interface GatewayDnsFacts extends DnsFacts {
  isServed: boolean;
}

/** Per hostname, the Gateways that serve it and their addresses, in hostname order. */
export function gatewayTargets(routes: readonly RouteView[], gateways: readonly GatewayView[]): DnsTarget[] {
  const byHost = new Map<string, GatewayView[]>();
  for (const { gateway, host } of hostAttachments(routes, gateways)) {
    const serving = byHost.get(host) ?? [];
    if (!serving.includes(gateway)) serving.push(gateway);
    byHost.set(host, serving);
  }
  return [...byHost.keys()].sort().map((host) => {
    const serving = byHost.get(host)!;
    const [first] = serving;
    return {
      host,
      lb: lbTarget(
        serving.flatMap((gw) =>
          gw.addresses.map((a) =>
            a.type === 'Hostname'
              ? { ip: null, hostname: a.value, portErrors: [] }
              : { ip: a.value, hostname: null, portErrors: [] },
          ),
        ),
      ),
      addressOwner: first ? { kind: 'Gateway' as const, namespace: first.namespace, name: first.name } : null,
      // A Gateway without an address (gateway.gateways) explains a host that resolves nowhere useful.
      servedBy: serving.map((gw) => `Gateway ${gw.key}`),
    };
  });
}

/** I/O half: HTTPRoutes in scope, the Gateways they attach to, then each hostname from every resolver. */
export async function gatherGatewayDns(ctx: GatherContext): Promise<GatewayDnsFacts> {
  const [routes, gateways] = await Promise.all([
    listInScope(ctx, 'httproutes', ctx.scope.namespaces),
    listInScope(ctx, 'gateways', null),
  ]);
  const isServed = routes.kind !== 'not-served';
  const targets = gatewayTargets(
    itemsSeen(mapListing(routes, (items) => items.map(readRoute))),
    itemsSeen(mapListing(gateways, (items) => items.map(readGateway))),
  );
  const [failure = null] = [...failuresOf(routes), ...failuresOf(gateways)];
  return { ...(await resolveTargets(ctx, targets, failure)), isServed };
}

/** Pure: the ingress runbook's DNS judgement over the route hostnames and their Gateways' addresses. */
export function evaluateGatewayDns(facts: GatewayDnsFacts): CheckNode {
  if (!facts.isServed) return gatewayApiNotInstalled(TEXT.id, TEXT.title);
  return evaluateDns(facts, TEXT);
}

/** `gateway.dns`: "does DNS point at the Gateway?", for every route hostname and resolver. */
export const gatewayDnsStep = defineStep<GatewayDnsFacts>({
  id: TEXT.id,
  title: TEXT.title,
  gather: gatherGatewayDns,
  evaluate: (facts) => evaluateGatewayDns(facts),
});
