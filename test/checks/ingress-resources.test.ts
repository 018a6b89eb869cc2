import { describe, expect, it } from 'vitest';
import type { ControllerLookup } from '../../src/checks/ingress/inventory.js';
import type { ListFailure } from '../../src/checks/listing.js';
import {
  evaluateResources as evaluateResourcesNode,
  gatherResources,
  type ResourcesFacts,
} from '../../src/checks/ingress/resources.js';
import { resolveProfile } from '../../src/config/schema.js';
import { aGatherContext } from '../fakes/scope.js';
import { anIngress, anIp, kubeFrom, loadFixture, pick } from '../fixtures/ingress-builders.js';
import { showing } from '../support/shown.js';

const evaluateResources = showing(evaluateResourcesNode);

const CONTROLLER: ControllerLookup = {
  kind: 'found',
  namespace: 'ingress-nginx',
  name: 'ingress-nginx-controller',
  type: 'LoadBalancer',
  addresses: [anIp('203.0.113.10')],
  source: 'namespace',
  selector: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
};

function facts(overrides: Partial<ResourcesFacts> = {}, ingress = anIngress()): ResourcesFacts {
  return {
    profileHosts: [],
    inventory: { ingresses: { kind: 'items', items: [ingress] }, controller: CONTROLLER },
    warnings: {},
    servedControllers: ['k8s.io/ingress-nginx'],
    ingressClasses: {
      kind: 'items',
      items: [{ name: 'nginx', isDefault: true, controller: 'k8s.io/ingress-nginx' }],
    },
    services: {
      kind: 'items',
      items: [
        {
          namespace: 'plate-stg',
          name: 'plate-web-stg',
          type: 'ClusterIP',
          ports: [{ port: 80, name: 'http' }],
          selector: { 'app.kubernetes.io/name': 'plate-web' },
          externalName: null,
        },
      ],
    },
    endpoints: {
      kind: 'items',
      items: [{ namespace: 'plate-stg', service: 'plate-web-stg', ready: 2, notReady: 0 }],
    },
    secrets: {
      kind: 'items',
      items: [
        { namespace: 'plate-stg', name: 'stg-tls', type: 'kubernetes.io/tls', keys: ['tls.crt', 'tls.key'] },
      ],
    },
    issuers: { kind: 'items', items: [] },
    clusterIssuers: { kind: 'items', items: [{ name: 'letsencrypt-prod' }] },
    ...overrides,
  };
}

const FORBIDDEN_SERVICES: ListFailure = {
  listed: 'services',
  namespace: 'plate-stg',
  failure: { kind: 'forbidden', message: 'services is forbidden', permission: 'list services in plate-stg' },
};

/** The leaf with this id anywhere in the tree. */
function leaf(node: ReturnType<typeof evaluateResources>, id: string) {
  const all = (n: typeof node): (typeof node)[] => [n, ...(n.children ?? []).flatMap(all)];
  const found = all(node).find((n) => n.id === id);
  if (!found)
    throw new Error(
      `no node ${id}; have ${all(node)
        .map((n) => n.id)
        .join(', ')}`,
    );
  return found;
}

const ING = 'ingress.resources:plate-stg/plate-ingress';

describe('evaluateResources', () => {
  it('fails an IngressClass that exists but no running ingress-nginx serves, naming the class it does serve', () => {
    const node = evaluateResources(
      facts(
        {
          ingressClasses: {
            kind: 'items',
            items: [
              { name: 'nginx', isDefault: true, controller: 'k8s.io/ingress-nginx' },
              { name: 'nginx-internal', isDefault: false, controller: 'k8s.io/ingress-nginx-internal' },
            ],
          },
        },
        anIngress({ className: 'nginx-internal' }),
      ),
    );
    expect(leaf(node, `${ING}/class`)).toEqual({
      id: `${ING}/class`,
      title: 'IngressClass',
      subject: 'IngressClass nginx-internal',
      status: 'fail',
      code: 'INGRESS_CLASS_UNSERVED',
      message:
        'no running ingress controller serves it: it names controller k8s.io/ingress-nginx-internal, the ingress-nginx pods serve k8s.io/ingress-nginx (class of Ingress plate-stg/plate-ingress)',
      hint: 'Point Ingress plate-stg/plate-ingress at class nginx (spec.ingressClassName), or deploy the controller for k8s.io/ingress-nginx-internal; until then no controller routes it or loads its TLS.',
      commands: ['kubectl get ingressclasses', 'kubectl get ingress -n plate-stg plate-ingress -o yaml'],
    });
    // Another controller's class, or pods that could not be read, leave the class unjudged.
    const traefik = facts(
      {
        ingressClasses: {
          kind: 'items',
          items: [{ name: 'traefik', isDefault: false, controller: 'traefik.io/ingress-controller' }],
        },
      },
      anIngress({ className: 'traefik' }),
    );
    expect(leaf(evaluateResources(traefik), `${ING}/class`)).toMatchObject({ status: 'pass' });
    const unknown = facts(
      {
        servedControllers: null,
        ingressClasses: {
          kind: 'items',
          items: [{ name: 'nginx-internal', isDefault: false, controller: 'k8s.io/ingress-nginx-internal' }],
        },
      },
      anIngress({ className: 'nginx-internal' }),
    );
    expect(leaf(evaluateResources(unknown), `${ING}/class`)).toMatchObject({ status: 'pass' });
  });

  it('passes every check of a healthy Ingress and reports what it saw', () => {
    const node = evaluateResources(facts());
    expect(node.status).toBe('pass');
    expect(leaf(node, ING).children!.map((c) => [c.id, c.subject, c.status, c.message])).toEqual([
      [`${ING}/class`, 'IngressClass nginx', 'pass', 'class nginx'],
      [`${ING}/address`, 'Ingress plate-stg/plate-ingress', 'pass', 'published at 203.0.113.10'],
      [`${ING}/backend/plate-web-stg:80`, 'Service plate-stg/plate-web-stg', 'pass', '2 ready endpoints'],
      [
        `${ING}/tls/stg-tls`,
        'Secret plate-stg/stg-tls',
        'pass',
        'kubernetes.io/tls Secret with tls.crt and tls.key',
      ],
      [`${ING}/issuer`, 'ClusterIssuer letsencrypt-prod', 'pass', 'ClusterIssuer letsencrypt-prod exists'],
    ]);
    expect(leaf(node, 'ingress.resources:controller')).toMatchObject({
      status: 'pass',
      subject: 'Service ingress-nginx/ingress-nginx-controller',
      message: 'LoadBalancer at 203.0.113.10',
    });
  });

  it.each([
    {
      name: 'an IngressClass that does not exist',
      facts: facts({}, anIngress({ className: 'traefik' })),
      id: `${ING}/class`,
      expected: {
        status: 'fail',
        message: 'does not exist (class of Ingress plate-stg/plate-ingress)',
        hint: 'Create IngressClass traefik or point Ingress plate-stg/plate-ingress at an existing class.',
        commands: ['kubectl get ingressclasses', 'kubectl get ingress -n plate-stg plate-ingress -o yaml'],
      },
    },
    {
      name: 'no class and no cluster default',
      facts: facts(
        {
          ingressClasses: {
            kind: 'items',
            items: [{ name: 'nginx', isDefault: false, controller: 'k8s.io/ingress-nginx' }],
          },
        },
        anIngress({ className: null, classSource: null }),
      ),
      id: `${ING}/class`,
      expected: {
        status: 'fail',
        subject: 'Ingress plate-stg/plate-ingress',
        message: 'names no IngressClass and no IngressClass is the cluster default',
        hint: 'Set spec.ingressClassName on Ingress plate-stg/plate-ingress, or mark one IngressClass as the cluster default.',
      },
    },
    {
      name: 'no class but a cluster default',
      facts: facts({}, anIngress({ className: null, classSource: null })),
      id: `${ING}/class`,
      expected: { status: 'pass', subject: 'IngressClass nginx', message: 'class nginx (cluster default)' },
    },
    {
      name: 'the legacy class annotation',
      facts: facts({}, anIngress({ classSource: 'annotation' })),
      id: `${ING}/class`,
      expected: { status: 'pass', message: 'class nginx (kubernetes.io/ingress.class annotation)' },
    },
    {
      name: 'an unpublished load balancer address',
      facts: facts({}, anIngress({ addresses: [] })),
      id: `${ING}/address`,
      expected: {
        status: 'fail',
        message: 'load balancer address not published',
        hint: "Check that the ingress controller serves this Ingress's class and publishes its Service address (--publish-service).",
        commands: [
          'kubectl get ingress -n plate-stg plate-ingress -o wide',
          'kubectl get svc -n ingress-nginx ingress-nginx-controller',
        ],
      },
    },
    {
      name: 'a port error on the Ingress status',
      facts: facts(
        {},
        anIngress({
          addresses: [{ ip: '203.0.113.10', hostname: null, portErrors: ['443/TCP: CertificateMismatch'] }],
        }),
      ),
      id: `${ING}/address`,
      expected: {
        status: 'fail',
        message: 'load balancer reports port errors: 443/TCP: CertificateMismatch',
      },
    },
    {
      name: 'a missing backend Service',
      facts: facts({ services: { kind: 'items', items: [] } }),
      id: `${ING}/backend/plate-web-stg:80`,
      expected: {
        status: 'fail',
        message: 'does not exist (Ingress plate-stg/plate-ingress routes to it)',
        hint: 'Deploy Service plate-stg/plate-web-stg or fix the backend of Ingress plate-stg/plate-ingress.',
        commands: ['kubectl get svc -n plate-stg', 'kubectl describe ingress -n plate-stg plate-ingress'],
      },
    },
    {
      name: 'a backend port the Service does not have',
      facts: facts(
        {},
        anIngress({
          routes: [
            {
              host: 'stg.cocdev.co.kr',
              path: '/',
              pathType: 'Prefix',
              backend: { service: 'plate-web-stg', port: 'web' },
            },
          ],
        }),
      ),
      id: `${ING}/backend/plate-web-stg:web`,
      expected: {
        status: 'fail',
        message: 'port web is not a port of Service plate-stg/plate-web-stg (80/http)',
        hint: 'Use a port of Service plate-stg/plate-web-stg (number or name) in the backend of Ingress plate-stg/plate-ingress.',
        commands: ['kubectl get svc -n plate-stg plate-web-stg -o yaml'],
      },
    },
    {
      name: 'a named backend port the Service has',
      facts: facts(
        {},
        anIngress({
          routes: [
            {
              host: 'stg.cocdev.co.kr',
              path: '/',
              pathType: 'Prefix',
              backend: { service: 'plate-web-stg', port: 'http' },
            },
          ],
        }),
      ),
      id: `${ING}/backend/plate-web-stg:http`,
      expected: { status: 'pass', message: '2 ready endpoints' },
    },
    {
      name: 'a Service without ready endpoints',
      facts: facts({
        endpoints: {
          kind: 'items',
          items: [{ namespace: 'plate-stg', service: 'plate-web-stg', ready: 0, notReady: 2 }],
        },
      }),
      id: `${ING}/backend/plate-web-stg:80`,
      expected: {
        status: 'fail',
        message: 'no ready endpoints (2 not ready)',
        hint: 'Find out why no pod behind Service plate-stg/plate-web-stg is ready (selector, readiness probe, crash).',
        commands: [
          'kubectl get endpointslices -n plate-stg -l kubernetes.io/service-name=plate-web-stg',
          'kubectl get pods -n plate-stg -l app.kubernetes.io/name=plate-web',
          'kubectl describe svc -n plate-stg plate-web-stg',
        ],
      },
    },
    {
      name: 'a forbidden Service list, as an error rather than "does not exist"',
      facts: facts({ services: { kind: 'failed', failures: [FORBIDDEN_SERVICES], items: [] } }),
      id: `${ING}/backend/plate-web-stg:80`,
      expected: {
        status: 'error',
        message: 'not allowed to list services in plate-stg',
        hint: 'Grant "list services in plate-stg" to the identity running the doctor, or run it with a kubeconfig that has it.',
        commands: ['kubectl auth can-i list services -n plate-stg'],
      },
    },
    {
      name: 'a missing TLS Secret that cert-manager should issue',
      facts: facts({ secrets: { kind: 'items', items: [] } }),
      id: `${ING}/tls/stg-tls`,
      expected: {
        status: 'fail',
        message: 'does not exist (TLS Secret of Ingress plate-stg/plate-ingress)',
        hint: 'Find out why cert-manager has not stored Secret plate-stg/stg-tls (see ingress.certificates).',
        commands: [
          'kubectl get secret -n plate-stg stg-tls',
          'kubectl describe certificate -n plate-stg stg-tls',
        ],
      },
    },
    {
      name: 'a TLS Secret of the wrong type',
      facts: facts(
        {
          secrets: {
            kind: 'items',
            items: [{ namespace: 'plate-stg', name: 'stg-tls', type: 'Opaque', keys: ['tls.crt'] }],
          },
        },
        anIngress({ issuer: null }),
      ),
      id: `${ING}/tls/stg-tls`,
      expected: {
        status: 'fail',
        message: 'Secret plate-stg/stg-tls has type Opaque, expected kubernetes.io/tls',
        hint: 'Create kubernetes.io/tls Secret plate-stg/stg-tls with tls.crt and tls.key, or fix the tls of Ingress plate-stg/plate-ingress.',
        commands: ['kubectl get secret -n plate-stg stg-tls'],
      },
    },
    {
      name: 'a ClusterIssuer that does not exist',
      facts: facts({ clusterIssuers: { kind: 'items', items: [] } }),
      id: `${ING}/issuer`,
      expected: {
        status: 'fail',
        message: 'does not exist (named by Ingress plate-stg/plate-ingress)',
        hint: 'Create ClusterIssuer letsencrypt-prod or fix the cert-manager annotation of Ingress plate-stg/plate-ingress.',
        commands: ['kubectl get clusterissuers'],
      },
    },
    {
      name: 'cert-manager not installed',
      facts: facts({ clusterIssuers: { kind: 'not-served', resource: 'clusterissuers.cert-manager.io' } }),
      id: `${ING}/issuer`,
      expected: {
        status: 'fail',
        message: 'cert-manager is not installed: clusterissuers.cert-manager.io is not served',
        commands: ['kubectl api-resources --api-group=cert-manager.io'],
      },
    },
    {
      name: 'a pending controller load balancer',
      facts: facts({
        inventory: {
          ingresses: { kind: 'items', items: [anIngress()] },
          controller: { ...CONTROLLER, addresses: [] },
        },
      }),
      id: 'ingress.resources:controller',
      expected: {
        status: 'fail',
        message: 'LoadBalancer address <pending>',
        hint: "Find out why no external address was assigned to Service ingress-nginx/ingress-nginx-controller (its events name the provider's reason).",
        commands: ['kubectl describe svc -n ingress-nginx ingress-nginx-controller'],
      },
    },
    {
      name: 'a pending controller load balancer, with the provider’s reason from its Warning event',
      facts: facts({
        inventory: {
          ingresses: { kind: 'items', items: [anIngress()] },
          controller: { ...CONTROLLER, addresses: [] },
        },
        // MetalLB's event (metallb/metallb#2891).
        warnings: {
          'Service ingress-nginx/ingress-nginx-controller': {
            reason: 'AllocationFailed',
            message:
              'Failed to allocate IP for "ingress-nginx/ingress-nginx-controller": no available IPs in pool default',
            at: '2026-03-01T00:00:00Z',
            count: 14,
          },
        },
      }),
      id: 'ingress.resources:controller',
      expected: {
        status: 'fail',
        code: 'INGRESS_LB_PENDING',
        message:
          'LoadBalancer address <pending>; event AllocationFailed (×14): Failed to allocate IP for "ingress-nginx/ingress-nginx-controller": no available IPs in pool default',
      },
    },
    {
      name: 'a provider port error on the controller Service',
      facts: facts({
        inventory: {
          ingresses: { kind: 'items', items: [anIngress()] },
          controller: {
            ...CONTROLLER,
            addresses: [
              { ip: '203.0.113.10', hostname: null, portErrors: ['443/TCP: ListenerLimitExceeded'] },
            ],
          },
        },
      }),
      id: 'ingress.resources:controller',
      expected: {
        status: 'fail',
        message: 'load balancer reports port errors: 443/TCP: ListenerLimitExceeded',
      },
    },
    {
      name: 'a profile controller Service that does not exist',
      facts: facts({
        inventory: {
          ingresses: { kind: 'items', items: [anIngress()] },
          controller: { kind: 'not-found', profileRef: { namespace: 'edge', name: 'nginx' } },
        },
      }),
      id: 'ingress.resources:controller',
      expected: {
        status: 'fail',
        subject: 'Service edge/nginx',
        message: 'Service edge/nginx (profile ingress.controllerService) does not exist',
        hint: 'Fix ingress.controllerService in the profile; Service edge/nginx does not exist.',
        commands: ['kubectl get svc -n edge'],
      },
    },
    {
      name: 'no controller Service to be found',
      facts: facts({
        inventory: {
          ingresses: { kind: 'items', items: [anIngress()] },
          controller: { kind: 'not-found', profileRef: null },
        },
      }),
      id: 'ingress.resources:controller',
      expected: {
        status: 'fail',
        message: 'no LoadBalancer Service in ingress-nginx or behind the Ingress addresses',
        hint: 'Set ingress.controllerService in the profile to the ingress controller Service.',
        commands: ['kubectl get svc -A --field-selector spec.type=LoadBalancer'],
      },
    },
    {
      name: 'a profile host no Ingress serves',
      facts: facts({ profileHosts: ['cocdev.co.kr'] }),
      id: 'ingress.resources:cocdev.co.kr',
      expected: {
        status: 'fail',
        subject: 'host cocdev.co.kr',
        message: 'served by no Ingress in scope',
        hint: "Add cocdev.co.kr to the rules of an Ingress (helm/ingress values), or remove it from the profile's hosts.",
        commands: ['kubectl get ingress -A'],
      },
    },
    {
      name: 'a profile host a wildcard rule serves',
      facts: facts({ profileHosts: ['stg.cocdev.co.kr'] }, anIngress({ hosts: ['*.cocdev.co.kr'] })),
      id: 'ingress.resources:stg.cocdev.co.kr',
      expected: { status: 'pass', message: 'served by Ingress plate-stg/plate-ingress' },
    },
  ])('reports $name', ({ facts: f, id, expected }) => {
    expect(leaf(evaluateResources(f), id)).toMatchObject(expected);
  });

  it('reports a forbidden Ingress list as one error leaf', () => {
    const node = evaluateResources(
      facts({
        inventory: {
          ingresses: {
            kind: 'failed',
            failures: [
              {
                listed: 'ingresses',
                namespace: 'plate-stg',
                failure: {
                  ...FORBIDDEN_SERVICES.failure,
                  permission: 'list ingresses.networking.k8s.io in plate-stg',
                },
              },
            ],
            items: [],
          },
          controller: CONTROLLER,
        },
      }),
    );
    expect(node.status).toBe('error');
    expect(node.children).toEqual([
      {
        id: 'ingress.resources:list:Ingresses in plate-stg',
        title: 'Ingresses in plate-stg',
        subject: 'Ingresses in plate-stg',
        status: 'error',
        code: 'CHECK_FORBIDDEN',
        message: 'not allowed to list ingresses.networking.k8s.io in plate-stg',
        hint: 'Grant "list ingresses.networking.k8s.io in plate-stg" to the identity running the doctor, or run it with a kubeconfig that has it.',
        commands: ['kubectl auth can-i list ingresses.networking.k8s.io -n plate-stg'],
      },
    ]);
  });

  it('skips with a reason when no Ingress is in scope and no controller is found', () => {
    const node = evaluateResources(
      facts({
        inventory: {
          ingresses: { kind: 'items', items: [] },
          controller: { kind: 'not-found', profileRef: null },
        },
      }),
    );
    expect(node).toMatchObject({ status: 'skip', message: 'no Ingresses in scope' });
  });
});

describe('gatherResources', () => {
  const objects = [...loadFixture('plate-stg.yaml'), ...loadFixture('cluster.yaml')];

  it('reads the stg platform from real YAML and passes it, listing each kind once per namespace', async () => {
    const calls: string[] = [];
    const ctx = aGatherContext({ kube: kubeFrom(objects, { calls }) }, { namespaces: ['plate-stg'] });
    const node = evaluateResources(await gatherResources(ctx));
    expect(node.status).toBe('pass');
    expect(leaf(node, `${ING}/backend/plate-llm-stg:http`).message).toBe('1 ready endpoint');
    expect(leaf(node, `${ING}/backend/plate-api-stg:8080`).message).toBe('1 ready endpoint');
    expect([...calls].sort()).toEqual([
      'clusterissuers *',
      'endpointslices plate-stg',
      'ingressclasses *',
      'ingresses plate-stg',
      'pods ingress-nginx',
      'secrets plate-stg',
      'services ingress-nginx',
      'services plate-stg',
    ]);
  });

  it('falls back to Endpoints when EndpointSlices are not served', async () => {
    const variants = loadFixture('variants.yaml');
    const legacy = pick(variants, 'Ingress', 'legacy');
    const classless = pick(variants, 'Ingress', 'classless');
    const ctx = aGatherContext({
      kube: kubeFrom(
        [legacy, classless, ...variants.filter((o) => o.kind !== 'Ingress'), ...loadFixture('cluster.yaml')],
        {
          notServed: ['endpointslices'],
        },
      ),
    });
    const node = evaluateResources(await gatherResources(ctx));
    const dev = 'ingress.resources:plate-dev';
    expect(leaf(node, `${dev}/classless/backend/plate-web-dev:8080`)).toMatchObject({
      status: 'fail',
      message: 'no ready endpoints (1 not ready)',
    });
    expect(leaf(node, `${dev}/legacy/class`).message).toBe(
      'class nginx (kubernetes.io/ingress.class annotation)',
    );
    expect(leaf(node, `${dev}/classless/class`).message).toBe('class nginx (cluster default)');
    expect(leaf(node, `${dev}/legacy/address`).message).toBe('load balancer address not published');
    expect(leaf(node, `${dev}/classless/address`).message).toBe(
      'published at a1b2c3d4e5f6g7-1234567890.eu-west-1.elb.amazonaws.com',
    );
    expect(leaf(node, `${dev}/legacy/backend/plate-web-dev:web`).message).toBe(
      'port web is not a port of Service plate-dev/plate-web-dev (8080/http)',
    );
  });

  it('falls back to Endpoints when EndpointSlices are forbidden', async () => {
    const calls: string[] = [];
    const ctx = aGatherContext(
      { kube: kubeFrom(objects, { calls, forbidden: [{ kind: 'endpointslices' }] }) },
      { namespaces: ['plate-stg'] },
    );
    const facts = await gatherResources(ctx);
    expect(facts.endpoints).toEqual({ kind: 'items', items: [] });
    expect(calls).toContain('endpoints plate-stg');
  });

  it('reports an unknown class, a missing Service, a wrong Secret type and a missing Issuer from YAML', async () => {
    const variants = loadFixture('variants.yaml');
    const ctx = aGatherContext({ kube: kubeFrom([...variants, ...loadFixture('cluster.yaml')]) });
    const node = evaluateResources(await gatherResources(ctx));
    const app = 'ingress.resources:plate-dev/traefik-app';
    expect(leaf(node, app).children!.map((c) => [c.status, c.message])).toEqual([
      ['fail', 'does not exist (class of Ingress plate-dev/traefik-app)'],
      ['fail', 'load balancer reports port errors: 443/TCP: CertificateMismatch'],
      ['fail', 'does not exist (Ingress plate-dev/traefik-app routes to it)'],
      ['fail', 'Secret plate-dev/app-tls has type Opaque, expected kubernetes.io/tls'],
      ['fail', 'does not exist (named by Ingress plate-dev/traefik-app)'],
    ]);
  });

  it('finds the controller through the profile, and through the Ingress status address elsewhere', async () => {
    const controllers = loadFixture('controllers.yaml');
    const elsewhere = pick(controllers, 'Service', 'edge-controller', 'elsewhere');
    const ingress = pick(objects, 'Ingress', 'plate-ingress');
    const viaStatus = await gatherResources(aGatherContext({ kube: kubeFrom([ingress, elsewhere]) }));
    expect(viaStatus.inventory.controller).toMatchObject({
      kind: 'found',
      namespace: 'edge',
      source: 'ingress-status',
    });

    const profile = resolveProfile(
      'stg',
      { ingress: { controllerService: { namespace: 'edge', name: 'edge-controller' } } },
      undefined,
    );
    const viaProfile = await gatherResources(
      aGatherContext({ kube: kubeFrom([ingress, elsewhere]) }, { profile }),
    );
    expect(viaProfile.inventory.controller).toMatchObject({
      kind: 'found',
      name: 'edge-controller',
      source: 'profile',
    });
  });

  it.each([
    ['pending', 'LoadBalancer address <pending>'],
    ['port-error', 'load balancer reports port errors: 443/TCP: ListenerLimitExceeded'],
    ['hostname', 'LoadBalancer at a1b2c3d4e5f6g7-1234567890.eu-west-1.elb.amazonaws.com'],
    ['nip-io', 'LoadBalancer at 198.51.100.7.nip.io'],
  ])('reads the %s controller Service', async (caseLabel, message) => {
    const svc = pick(loadFixture('controllers.yaml'), 'Service', 'ingress-nginx-controller', caseLabel);
    const ingress = pick(objects, 'Ingress', 'plate-ingress');
    const node = evaluateResources(await gatherResources(aGatherContext({ kube: kubeFrom([ingress, svc]) })));
    expect(leaf(node, 'ingress.resources:controller').message).toBe(message);
  });
});
