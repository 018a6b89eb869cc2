import { describe, expect, it } from 'vitest';
import {
  evaluateDns as evaluateDnsNode,
  gatherDns,
  type DnsFacts,
  type HostDns,
} from '../../src/checks/ingress/dns.js';
import type { DnsAnswer, ResolverAnswer } from '../../src/gateways/types.js';
import { fakeDns } from '../fakes/gateways.js';
import { aGatherContext } from '../fakes/scope.js';
import { kubeFrom, loadFixture, pick, previewIngress } from '../fixtures/ingress-builders.js';
import { showing, shown } from '../support/shown.js';

const evaluateDns = showing(evaluateDnsNode);

const R1 = '10.0.0.2:53';
const R2 = '10.0.0.3:5353';
const ELB = 'a1b2c3d4e5f6g7-1234567890.eu-west-1.elb.amazonaws.com';

const addresses = (list: string[], ttlSeconds = 300, cnames: string[] = []): DnsAnswer => ({
  kind: 'addresses',
  addresses: list,
  cnames,
  ttlSeconds,
});
const at = (resolver: string, answer: DnsAnswer): ResolverAnswer => ({ resolver, answer });

function host(
  answers: ResolverAnswer[],
  lb: HostDns['lb'] = { ips: ['203.0.113.10'], hostnames: [] },
): HostDns {
  return {
    host: 'stg.cocdev.co.kr',
    lb,
    addressOwner: { kind: 'Service', namespace: 'ingress-nginx', name: 'ingress-nginx-controller' },
    servedBy: ['Service ingress-nginx/ingress-nginx-controller', 'Ingress plate-stg/plate-ingress'],
    answers,
  };
}

function facts(h: HostDns, overrides: Partial<DnsFacts> = {}): DnsFacts {
  return {
    resolvers: [R1],
    listFailure: null,
    hosts: [h],
    lbNames: {},
    ...overrides,
  };
}

const COMMANDS = [
  'dig +short stg.cocdev.co.kr @10.0.0.2',
  'kubectl get svc -n ingress-nginx ingress-nginx-controller',
];

describe('evaluateDns', () => {
  it('names a dangling CNAME and its target instead of asking for an A record beside it', () => {
    const answer: DnsAnswer = { kind: 'nxdomain', cnames: ['plate-lb-old.cocdev.co.kr'] };
    const [leaf] = evaluateDns(facts(host([at(R1, answer)]))).children!;
    expect(leaf).toEqual({
      id: 'ingress.dns:stg.cocdev.co.kr',
      title: 'stg.cocdev.co.kr',
      subject: 'host stg.cocdev.co.kr',
      dependsOn: ['Service ingress-nginx/ingress-nginx-controller', 'Ingress plate-stg/plate-ingress'],
      status: 'fail',
      code: 'DNS_DANGLING_CNAME',
      message: 'is a CNAME → plate-lb-old.cocdev.co.kr, which does not resolve (NXDOMAIN)',
      hint: 'Repoint the CNAME of stg.cocdev.co.kr: it targets plate-lb-old.cocdev.co.kr, which does not resolve; replace it with an A record for 203.0.113.10, or recreate plate-lb-old.cocdev.co.kr. An A record cannot sit beside the CNAME.',
      commands: [
        'dig +short stg.cocdev.co.kr CNAME @10.0.0.2',
        'dig +short plate-lb-old.cocdev.co.kr @10.0.0.2',
        'kubectl get svc -n ingress-nginx ingress-nginx-controller',
      ],
    });
  });

  it('follows the whole chain to a target without addresses, and to a hostname load balancer', () => {
    const answer: DnsAnswer = { kind: 'nodata', cnames: ['edge.cocdev.co.kr', 'old-elb.example.net'] };
    const [leaf] = evaluateDns(facts(host([at(R1, answer)], { ips: [], hostnames: [ELB] }))).children!;
    expect(leaf).toMatchObject({
      status: 'fail',
      code: 'DNS_DANGLING_CNAME',
      message: 'is a CNAME → edge.cocdev.co.kr → old-elb.example.net, which has no A or AAAA record',
      hint: `Repoint the CNAME of stg.cocdev.co.kr: it targets old-elb.example.net, which does not resolve; point it at ${ELB}, or recreate old-elb.example.net. An A record cannot sit beside the CNAME.`,
    });
  });

  it.each([
    {
      name: 'passes when the A record is the load balancer',
      facts: facts(host([at(R1, addresses(['203.0.113.10']))])),
      expected: { status: 'pass', subject: 'host stg.cocdev.co.kr', message: 'resolves to 203.0.113.10' },
    },
    {
      name: 'fails when the record points elsewhere, naming both sides and the TTL',
      facts: facts(host([at(R1, addresses(['203.0.113.9']))])),
      expected: {
        status: 'fail',
        message: 'resolves to 203.0.113.9, load balancer is 203.0.113.10',
        hint: 'Update the A record of stg.cocdev.co.kr (TTL 300s) to 203.0.113.10.',
        commands: COMMANDS,
      },
    },
    {
      name: 'warns when only some addresses are stale',
      facts: facts(host([at(R1, addresses(['203.0.113.10', '203.0.113.9'], 60))])),
      expected: {
        status: 'warn',
        message: 'resolves to 203.0.113.10, 203.0.113.9, load balancer is 203.0.113.10',
        hint: 'Remove 203.0.113.9 from the records of stg.cocdev.co.kr (TTL 60s); only the load balancer should answer.',
        commands: COMMANDS,
      },
    },
    {
      name: 'fails on NXDOMAIN',
      facts: facts(host([at(R1, { kind: 'nxdomain' })])),
      expected: {
        status: 'fail',
        message: 'does not resolve (NXDOMAIN)',
        hint: 'Create an A record for stg.cocdev.co.kr pointing at 203.0.113.10.',
        commands: COMMANDS,
      },
    },
    {
      name: 'fails when the name has no address records',
      facts: facts(host([at(R1, { kind: 'nodata' })], { ips: ['2001:db8::10'], hostnames: [] })),
      expected: {
        status: 'fail',
        message: 'has no A or AAAA record',
        hint: 'Create an AAAA record for stg.cocdev.co.kr pointing at 2001:db8::10.',
      },
    },
    {
      name: 'warns when resolvers disagree',
      facts: facts(host([at(R1, addresses(['203.0.113.10'])), at(R2, addresses(['203.0.113.9'], 120))]), {
        resolvers: [R1, R2],
      }),
      expected: {
        status: 'warn',
        message: 'resolvers disagree: 10.0.0.2:53 says 203.0.113.10; 10.0.0.3:5353 says 203.0.113.9',
        hint: 'Wait the TTL (120s) for caches to expire, then check again; if the answers still differ, fix the record at the DNS provider.',
        commands: [
          'dig +short stg.cocdev.co.kr @10.0.0.2',
          'dig +short stg.cocdev.co.kr @10.0.0.3 -p 5353',
          'kubectl get svc -n ingress-nginx ingress-nginx-controller',
        ],
      },
    },
    {
      name: 'fails when every resolver is wrong, even in different ways',
      facts: facts(host([at(R1, { kind: 'nxdomain' }), at(R2, addresses(['203.0.113.9']))]), {
        resolvers: [R1, R2],
      }),
      expected: { status: 'fail', message: 'does not resolve (NXDOMAIN)' },
    },
    {
      name: 'errors, rather than fails, when no resolver answers',
      facts: facts(host([at(R1, { kind: 'unanswered', reason: 'timeout after 2s' })])),
      expected: {
        status: 'error',
        message: 'resolver 10.0.0.2:53 did not answer: timeout after 2s',
        hint: 'Retry with --dns-server pointing at a resolver you can reach.',
        commands: COMMANDS,
      },
    },
    {
      name: 'judges by the resolvers that answered and says which did not',
      facts: facts(
        host([at(R1, addresses(['203.0.113.10'])), at(R2, { kind: 'unanswered', reason: 'SERVFAIL' })]),
        {
          resolvers: [R1, R2],
        },
      ),
      expected: {
        status: 'pass',
        message: 'resolves to 203.0.113.10 (resolver 10.0.0.3:5353 did not answer: SERVFAIL)',
      },
    },
    {
      name: 'skips, rather than fails, while the load balancer has no address',
      facts: facts(host([], { ips: [], hostnames: [] })),
      expected: {
        status: 'skip',
        message: 'the load balancer has no address yet',
        hint: 'Fix the load balancer address first (see ingress.resources).',
        commands: ['kubectl get svc -n ingress-nginx ingress-nginx-controller'],
      },
    },
    {
      name: 'passes a CNAME to a hostname load balancer',
      facts: facts(host([at(R1, addresses(['52.0.0.1'], 60, [`${ELB}.`]))], { ips: [], hostnames: [ELB] })),
      expected: { status: 'pass', message: `resolves to 52.0.0.1 via CNAME ${ELB}.` },
    },
    {
      name: "passes A records equal to the hostname load balancer's current addresses",
      facts: facts(host([at(R1, addresses(['52.0.0.1']))], { ips: [], hostnames: [ELB] }), {
        lbNames: { [ELB]: [at(R1, addresses(['52.0.0.1', '52.0.0.2'], 60))] },
      }),
      expected: { status: 'pass', message: 'resolves to 52.0.0.1' },
    },
    {
      name: 'asks for a CNAME when a hostname load balancer does not match',
      facts: facts(host([at(R1, addresses(['198.51.100.1']))], { ips: [], hostnames: [ELB] }), {
        lbNames: { [ELB]: [at(R1, addresses(['52.0.0.1'], 60))] },
      }),
      expected: {
        status: 'fail',
        message: `resolves to 198.51.100.1, load balancer is ${ELB} (52.0.0.1)`,
        hint: `Point stg.cocdev.co.kr (TTL 300s) at ${ELB} with a CNAME record.`,
      },
    },
  ])('$name', ({ facts: f, expected }) => {
    const node = evaluateDns(f);
    expect(node.children![0]).toMatchObject({ id: 'ingress.dns:stg.cocdev.co.kr', ...expected });
  });

  it("prefixes kubectl commands, and only those, with the target's flags", () => {
    const node = shown(evaluateDnsNode(facts(host([at(R1, { kind: 'nxdomain' })]))), {
      flags: ['--context', 'prod'],
    });
    expect(node.children![0]!.commands).toEqual([
      'dig +short stg.cocdev.co.kr @10.0.0.2',
      'kubectl --context prod get svc -n ingress-nginx ingress-nginx-controller',
    ]);
  });
});

describe('gatherDns', () => {
  const stg = [...loadFixture('plate-stg.yaml'), ...loadFixture('cluster.yaml')];

  it('asks the resolver once per served host and keeps its answers as data', async () => {
    const asked: string[] = [];
    const dns = fakeDns(
      {
        resolve: async (name) => {
          asked.push(name);
          return [at(R1, addresses(['203.0.113.10']))];
        },
      },
      [R1],
    );
    const facts = await gatherDns(aGatherContext({ kube: kubeFrom(stg), dns }));
    expect(asked.sort()).toEqual(['llm.cocdev.co.kr', 'stg.cocdev.co.kr']);
    expect(evaluateDns(facts).status).toBe('pass');
    expect(facts.hosts[0]!.addressOwner).toEqual({
      kind: 'Service',
      namespace: 'ingress-nginx',
      name: 'ingress-nginx-controller',
    });
  });

  it('asks for a wildcard host as itself: the literal `*.` name is answered by the wildcard record (RFC 4592)', async () => {
    const asked: string[] = [];
    const dns = fakeDns(
      {
        resolve: async (name) => {
          asked.push(name);
          return [at(R1, name.startsWith('*.') ? { kind: 'nxdomain' } : addresses(['203.0.113.10']))];
        },
      },
      [R1],
    );
    const facts = await gatherDns(aGatherContext({ kube: kubeFrom([...stg, previewIngress()]), dns }));
    expect(asked.sort()).toEqual(['*.preview.cocdev.co.kr', 'llm.cocdev.co.kr', 'stg.cocdev.co.kr']);
    expect(evaluateDns(facts).children![0]).toMatchObject({
      subject: 'host *.preview.cocdev.co.kr',
      status: 'fail',
      code: 'DNS_NXDOMAIN',
      message: 'does not resolve (NXDOMAIN)',
      commands: expect.arrayContaining(["dig +short '*.preview.cocdev.co.kr' @10.0.0.2"]),
    });
  });

  it('takes the IP out of a nip.io-style load balancer name instead of expecting a CNAME to it', async () => {
    const svc = pick(loadFixture('controllers.yaml'), 'Service', 'ingress-nginx-controller', 'nip-io');
    const ingress = pick(stg, 'Ingress', 'plate-ingress');
    const dns = fakeDns({ resolve: async () => [at(R1, addresses(['198.51.100.7']))] }, [R1]);
    const facts = await gatherDns(aGatherContext({ kube: kubeFrom([ingress, svc]), dns }));
    expect(facts.hosts[0]!.lb).toEqual({ ips: ['198.51.100.7'], hostnames: [] });
    expect(facts.lbNames).toEqual({});
    expect(evaluateDns(facts).children![0]).toMatchObject({
      status: 'pass',
      message: 'resolves to 198.51.100.7',
    });
  });

  it('resolves the name of a hostname load balancer too', async () => {
    const svc = pick(loadFixture('controllers.yaml'), 'Service', 'ingress-nginx-controller', 'hostname');
    const ingress = pick(stg, 'Ingress', 'plate-ingress');
    const asked: string[] = [];
    const dns = fakeDns(
      {
        resolve: async (name) => {
          asked.push(name);
          return [at(R1, addresses(['52.0.0.1']))];
        },
      },
      [R1],
    );
    const facts = await gatherDns(aGatherContext({ kube: kubeFrom([ingress, svc]), dns }));
    expect(asked.sort()).toEqual([ELB, 'llm.cocdev.co.kr', 'stg.cocdev.co.kr']);
    expect(evaluateDns(facts).status).toBe('pass');
  });

  it('asks nothing while the load balancer is pending', async () => {
    const svc = pick(loadFixture('controllers.yaml'), 'Service', 'ingress-nginx-controller', 'pending');
    const ingress = { ...pick(stg, 'Ingress', 'plate-ingress'), status: { loadBalancer: { ingress: [{}] } } };
    const facts = await gatherDns(aGatherContext({ kube: kubeFrom([ingress, svc]) }));
    expect(evaluateDns(facts).children!.map((c) => c.status)).toEqual(['skip', 'skip']);
  });
});
