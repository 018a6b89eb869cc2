import type { ResolverAnswer } from '../../gateways/types.js';
import { kubectl } from '../command.js';
import * as hints from './hints.js';
import { group, type CheckNode, type Status } from '../result.js';
import { defineStep, type GatherContext } from '../step.js';
import type { ListFailure } from '../listing.js';
import { lookup } from '../kube-object.js';
import { listFailureLeaf } from '../could-not-check.js';
import { gatherIngressInventory, servedHosts, type LbTarget } from './inventory.js';
import { showAddress, type AddressOwner } from './hints.js';

/** A host a step checks the DNS of: the address it must resolve to, and whose status publishes that address. */
export interface DnsTarget {
  host: string;
  lb: LbTarget;
  /** The object whose status carries the address (the controller's Service, a Gateway); for the hint's command. */
  addressOwner: AddressOwner | null;
  /** Subjects the address rests on (that owner, the Ingresses or routes serving the host): they explain a failure. */
  servedBy: string[];
}

/** One host and what every resolver answered for it. */
export interface HostDns extends DnsTarget {
  /** Empty while the load balancer has no address: nothing was asked. */
  answers: ResolverAnswer[];
}

/** What a DNS step's gather learned; plain data so `evaluateDns` runs without a resolver. */
export interface DnsFacts {
  resolvers: string[];
  /** The list the hosts come from, when it could not be read. */
  listFailure: ListFailure | null;
  hosts: HostDns[];
  /** Answers for the DNS names of hostname load balancers, by name. */
  lbNames: Record<string, ResolverAnswer[]>;
}

/** How one DNS step names itself and where its targets' addresses come from. */
export interface DnsStepText {
  id: string;
  title: string;
  /** The step that reports a missing load balancer address, so DNS skips rather than counting it twice. */
  addressStep: string;
  emptyMessage: string;
}

/** I/O half shared by the DNS steps: resolves every target with an address, and the load balancers' names. */
export async function resolveTargets(
  ctx: GatherContext,
  targets: readonly DnsTarget[],
  listFailure: ListFailure | null,
): Promise<DnsFacts> {
  const hasAddress = (lb: LbTarget): boolean => lb.ips.length > 0 || lb.hostnames.length > 0;
  const lbNames = [...new Set(targets.flatMap((h) => h.lb.hostnames))].sort();
  const names = [...targets.filter((h) => hasAddress(h.lb)).map((h) => h.host), ...lbNames];
  const answers = await Promise.all(names.map((name) => ctx.gateways.dns.resolve(name, ctx.signal)));
  const byName = new Map(names.map((name, i) => [name, answers[i] ?? []]));
  return {
    resolvers: [...ctx.gateways.dns.resolvers],
    listFailure,
    hosts: targets.map((t) => ({ ...t, answers: byName.get(t.host) ?? [] })),
    lbNames: Object.fromEntries(lbNames.map((n) => [n, byName.get(n) ?? []])),
  };
}

/** I/O half of `ingress.dns`: every Ingress host, at the controller's (else the Ingresses') address. */
export async function gatherDns(ctx: GatherContext): Promise<DnsFacts> {
  const inventory = await gatherIngressInventory(ctx);
  const c = inventory.controller;
  const controller =
    c.kind === 'found' ? { kind: 'Service' as const, namespace: c.namespace, name: c.name } : null;
  const targets = servedHosts(inventory).map((h): DnsTarget => ({
    host: h.host,
    lb: h.lb,
    addressOwner: controller,
    // The address DNS must point at comes from the controller's Service and each Ingress's status.
    servedBy: [
      ...(controller ? [`Service ${controller.namespace}/${controller.name}`] : []),
      ...h.ingresses.map((i) => `Ingress ${i.key}`),
    ],
  }));
  const failure = inventory.ingresses.kind === 'failed' ? inventory.ingresses.failures[0] : null;
  return resolveTargets(ctx, targets, failure);
}

// ---------------------------------------------------------------- evaluate

/** What one resolver's answer means for a host. */
interface Verdict {
  resolver: string;
  status: Status;
  kind: 'match' | 'mismatch' | 'partial' | 'nxdomain' | 'nodata' | 'dangling' | 'unanswered';
  /** Short form for "resolvers disagree" messages. */
  summary: string;
  message: string;
  ttlSeconds: number | null;
  stale: string[];
  /** For `dangling`: the CNAMEs followed, the last of which does not resolve. */
  cnames: string[];
}

function lbText(lb: LbTarget, resolved: Map<string, string[]>): string {
  const names = lb.hostnames.map((n) => {
    const addresses = resolved.get(n) ?? [];
    return addresses.length > 0 ? `${n} (${addresses.join(', ')})` : n;
  });
  return [...lb.ips, ...names].join(', ');
}

function judge(answer: ResolverAnswer, lb: LbTarget, lbNames: DnsFacts['lbNames']): Verdict {
  const { resolver } = answer;
  const base = { resolver, ttlSeconds: null, stale: [], cnames: [] };
  const a = answer.answer;
  if (a.kind === 'unanswered') {
    const message = `resolver ${resolver} did not answer: ${a.reason}`;
    return { ...base, status: 'error', kind: 'unanswered', summary: 'no answer', message };
  }
  if ((a.kind === 'nxdomain' || a.kind === 'nodata') && a.cnames?.length) {
    // The host exists as an alias; what is missing is its target, and no A record can sit beside a CNAME.
    const target = a.cnames.at(-1)!;
    const missing = a.kind === 'nxdomain' ? 'does not resolve (NXDOMAIN)' : 'has no A or AAAA record';
    return {
      ...base,
      cnames: a.cnames,
      status: 'fail',
      kind: 'dangling',
      summary: `CNAME → ${target}, ${a.kind === 'nxdomain' ? 'NXDOMAIN' : 'no A/AAAA'}`,
      message: `is a CNAME → ${a.cnames.join(' → ')}, which ${missing}`,
    };
  }
  if (a.kind === 'nxdomain') {
    return {
      ...base,
      status: 'fail',
      kind: 'nxdomain',
      summary: 'NXDOMAIN',
      message: 'does not resolve (NXDOMAIN)',
    };
  }
  if (a.kind === 'nodata') {
    return {
      ...base,
      status: 'fail',
      kind: 'nodata',
      summary: 'no A/AAAA',
      message: 'has no A or AAAA record',
    };
  }
  const shown = a.addresses.join(', ');
  const withTtl = { resolver, ttlSeconds: a.ttlSeconds, cnames: a.cnames };
  const cname = a.cnames.find((c) => lb.hostnames.includes(c.replace(/\.$/, '')));
  if (cname) {
    const message = `resolves to ${shown} via CNAME ${cname}`;
    return { ...withTtl, status: 'pass', kind: 'match', summary: shown, message, stale: [] };
  }
  // A hostname load balancer's addresses rotate: compare with what the same resolver says for its name now.
  const resolved = new Map(
    lb.hostnames.map((n) => {
      const own = lookup(lbNames, n)?.find((x) => x.resolver === resolver)?.answer;
      return [n, own?.kind === 'addresses' ? own.addresses : []] as const;
    }),
  );
  const expected = new Set([...lb.ips, ...[...resolved.values()].flat()]);
  if (expected.size === 0) {
    const message = `load balancer name ${lb.hostnames.join(', ')} does not resolve at ${resolver}`;
    return { ...withTtl, status: 'error', kind: 'unanswered', summary: 'no answer', message, stale: [] };
  }
  const stale = a.addresses.filter((x) => !expected.has(x));
  const message = `resolves to ${shown}, load balancer is ${lbText(lb, resolved)}`;
  if (stale.length === 0) {
    return {
      ...withTtl,
      status: 'pass',
      kind: 'match',
      summary: shown,
      message: `resolves to ${shown}`,
      stale,
    };
  }
  if (stale.length === a.addresses.length) {
    return { ...withTtl, status: 'fail', kind: 'mismatch', summary: shown, message, stale };
  }
  return { ...withTtl, status: 'warn', kind: 'partial', summary: shown, message, stale };
}

function hostLeaf(h: HostDns, facts: DnsFacts, text: DnsStepText): CheckNode {
  const base = {
    id: `${text.id}:${h.host}`,
    title: h.host,
    subject: `host ${h.host}`,
    dependsOn: h.servedBy,
  };
  if (h.lb.ips.length === 0 && h.lb.hostnames.length === 0) {
    // The address step reports the missing address; failing here too would count it twice.
    return {
      ...base,
      status: 'skip',
      code: 'SKIPPED_NO_LB_ADDRESS',
      message: 'the load balancer has no address yet',
      hint: `Fix the load balancer address first (see ${text.addressStep}).`,
      commands: h.addressOwner ? [showAddress(h.addressOwner)] : [kubectl`get ingress -A -o wide`],
    };
  }
  const verdicts = h.answers.map((a) => judge(a, h.lb, facts.lbNames));
  const answered = verdicts.filter((v) => v.kind !== 'unanswered');
  const unanswered = verdicts.filter((v) => v.kind === 'unanswered');
  const ttls = answered.flatMap((v) => (v.ttlSeconds === null ? [] : [v.ttlSeconds]));
  const params: hints.DnsHintParams = {
    host: h.host,
    ips: h.lb.ips,
    hostnames: h.lb.hostnames,
    ttlSeconds: ttls.length > 0 ? Math.min(...ttls) : null,
    resolvers: facts.resolvers,
    addressOwner: h.addressOwner,
  };
  if (answered.length === 0) {
    return {
      ...base,
      status: 'error',
      code: 'DNS_UNANSWERED',
      message: unanswered.map((v) => v.message).join('; ') || 'no resolver was asked',
      ...hints.dnsUnanswered(params),
    };
  }
  const note = unanswered.length > 0 ? ` (${unanswered.map((v) => v.message).join('; ')})` : '';
  const first = answered[0] as Verdict;
  const agree = answered.every((v) => v.kind === first.kind && v.summary === first.summary);
  if (!agree) {
    const worst = answered.find((v) => v.status === 'fail');
    // Only when no resolver gives the right answer is it broken; a mix means caches still hold the old record.
    if (worst && answered.every((v) => v.status === 'fail')) return verdictLeaf(base, worst, params, note);
    return {
      ...base,
      status: 'warn',
      code: 'DNS_RESOLVERS_DISAGREE',
      message: `resolvers disagree: ${answered.map((v) => `${v.resolver} says ${v.summary}`).join('; ')}${note}`,
      ...hints.dnsDisagree(params),
    };
  }
  return verdictLeaf(base, first, params, note);
}

function verdictLeaf(
  base: { id: string; title: string; subject: string; dependsOn: string[] },
  v: Verdict,
  params: hints.DnsHintParams,
  note: string,
): CheckNode {
  const message = `${v.message}${note}`;
  switch (v.kind) {
    case 'match':
      return { ...base, status: 'pass', message };
    case 'partial':
      return {
        ...base,
        status: 'warn',
        code: 'DNS_STALE_RECORD',
        message,
        ...hints.dnsStale({ ...params, stale: v.stale }),
      };
    case 'mismatch':
      return { ...base, status: 'fail', code: 'DNS_WRONG_TARGET', message, ...hints.dnsWrongTarget(params) };
    case 'nodata':
      return { ...base, status: 'fail', code: 'DNS_NO_ADDRESS', message, ...hints.dnsMissing(params) };
    case 'dangling':
      return {
        ...base,
        status: 'fail',
        code: 'DNS_DANGLING_CNAME',
        message,
        ...hints.dnsDanglingCname({ ...params, target: v.cnames.at(-1) ?? '' }),
      };
    default:
      return { ...base, status: 'fail', code: 'DNS_NXDOMAIN', message, ...hints.dnsMissing(params) };
  }
}

/** Pure: one leaf per host, comparing each resolver's answer with the address it must resolve to. */
export function evaluateDns(facts: DnsFacts, text: DnsStepText = INGRESS_DNS): CheckNode {
  if (facts.listFailure) return group(text.id, text.title, [listFailureLeaf(text.id, facts.listFailure)]);
  return group(
    text.id,
    text.title,
    facts.hosts.map((h) => hostLeaf(h, facts, text)),
    text.emptyMessage,
  );
}

const INGRESS_DNS: DnsStepText = {
  id: 'ingress.dns',
  title: 'DNS records point at the ingress load balancer',
  addressStep: 'ingress.resources',
  emptyMessage: 'no Ingress hosts in scope',
};

/** `ingress.dns`: "does DNS point at the LB IP?", automated for every host and resolver. */
export const dnsStep = defineStep({
  id: INGRESS_DNS.id,
  title: INGRESS_DNS.title,
  gather: gatherDns,
  evaluate: (facts) => evaluateDns(facts, INGRESS_DNS),
});
