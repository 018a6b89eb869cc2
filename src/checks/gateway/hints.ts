import { kubectl, type Hint } from '../command.js';
import { curl } from '../ingress/hints.js';
import type { Condition } from '../kube-object.js';
/**
 * The gateway runbook's hint catalogue: one imperative sentence and read-only commands per finding, with
 * the real names filled in. Reasons are the Gateway API's standard ones (gateway-api apis/v1).
 */

const describeGateway = (ns: string, name: string) => kubectl`describe gateway -n ${ns} ${name}`;
const describeRoute = (ns: string, name: string) => kubectl`describe httproute -n ${ns} ${name}`;

export function gatewayApiMissing(): Hint {
  return {
    hint: 'Nothing to check: the Gateway API CRDs are not installed (this platform routes with Ingresses).',
    commands: [kubectl`get crd gateways.gateway.networking.k8s.io`],
  };
}

/** For a reference of a kind the doctor does not read (an implementation's own CRD). */
export function notRead(object: string): Hint {
  return {
    hint: `Check ${object} with its controller's own tools; the doctor reads only the Gateway API's standard kinds, Services and Secrets.`,
    commands: [],
  };
}

export function classMissing(p: { className: string; ns: string; gateway: string }): Hint {
  return {
    hint: `Install the controller that provides GatewayClass ${p.className}, or point Gateway ${p.ns}/${p.gateway} at an existing class.`,
    commands: [kubectl`get gatewayclasses`, describeGateway(p.ns, p.gateway)],
  };
}

export function classNotAccepted(p: {
  className: string;
  controllerName: string | null;
  reason: string | null;
}): Hint {
  const waiting = p.reason === 'Pending' || p.reason === 'Waiting' || p.reason === null;
  return {
    hint: waiting
      ? `Check that the controller ${p.controllerName ?? 'named by the class'} is running: no controller has accepted GatewayClass ${p.className}.`
      : `Fix GatewayClass ${p.className} as its Accepted condition says (parametersRef, supported version).`,
    commands: [kubectl`describe gatewayclass ${p.className}`],
  };
}

/** A Gateway that is not Accepted or not Programmed, by the reason its controller gives. */
export function gatewayNotReady(p: { ns: string; name: string; condition: Condition | null }): Hint {
  const reason = p.condition?.reason ?? null;
  const hint =
    reason === 'AddressNotAssigned' || reason === 'AddressNotUsable'
      ? `Find out why no address was assigned to Gateway ${p.ns}/${p.name}: its controller's Service or load balancer has none.`
      : reason === 'NoResources'
        ? `Find out why the data plane of Gateway ${p.ns}/${p.name} has no available replicas.`
        : reason === 'ListenersNotValid' || reason === 'Invalid'
          ? `Fix the listeners of Gateway ${p.ns}/${p.name}: their conditions say which one and why.`
          : `Fix Gateway ${p.ns}/${p.name} as its conditions say, or check that its class's controller is running.`;
  return {
    hint,
    commands: [describeGateway(p.ns, p.name), kubectl`get gateway -n ${p.ns} ${p.name} -o yaml`],
  };
}

export function noAddress(p: { ns: string; name: string }): Hint {
  return {
    hint: `Find out why Gateway ${p.ns}/${p.name} has no address: its controller publishes the data plane's Service address there.`,
    commands: [describeGateway(p.ns, p.name), kubectl`get svc -A --field-selector spec.type=LoadBalancer`],
  };
}

/** A listener its controller did not accept, resolve or program. */
export function listenerBroken(p: {
  ns: string;
  gateway: string;
  listener: string;
  reason: string | null;
}): Hint {
  const hint =
    p.reason === 'InvalidCertificateRef'
      ? `Make the certificateRefs of listener ${p.listener} of Gateway ${p.ns}/${p.gateway} name an existing kubernetes.io/tls Secret (see its Secret below).`
      : p.reason === 'RefNotPermitted'
        ? `Add a ReferenceGrant in the Secret's namespace that allows Gateways from ${p.ns}, or move the Secret into ${p.ns}.`
        : p.reason === 'HostnameConflict' || p.reason === 'ProtocolConflict'
          ? `Give listener ${p.listener} of Gateway ${p.ns}/${p.gateway} a port, protocol and hostname no other listener uses.`
          : p.reason === 'PortUnavailable' || p.reason === 'UnsupportedProtocol'
            ? `Change the port or protocol of listener ${p.listener} of Gateway ${p.ns}/${p.gateway} to one its controller supports.`
            : `Fix listener ${p.listener} of Gateway ${p.ns}/${p.gateway} as its conditions say.`;
  return { hint, commands: [describeGateway(p.ns, p.gateway)] };
}

/** A listener's certificate Secret that is missing or not a TLS Secret. */
export function certificateSecretProblem(p: {
  ns: string;
  secret: string;
  gateway: string;
  issued: boolean;
}): Hint {
  return {
    hint: p.issued
      ? `Find out why cert-manager has not stored Secret ${p.ns}/${p.secret} for Gateway ${p.gateway}: Certificate ${p.ns}/${p.secret} says why.`
      : `Create kubernetes.io/tls Secret ${p.ns}/${p.secret} with tls.crt and tls.key, or annotate Gateway ${p.gateway} with cert-manager.io/cluster-issuer so cert-manager issues it.`,
    commands: [
      kubectl`get secret -n ${p.ns} ${p.secret}`,
      ...(p.issued ? [kubectl`describe certificate -n ${p.ns} ${p.secret}`] : []),
    ],
  };
}

export function noParents(p: { ns: string; route: string }): Hint {
  return {
    hint: `Add a parentRef naming the Gateway that should serve HTTPRoute ${p.ns}/${p.route}.`,
    commands: [describeRoute(p.ns, p.route), kubectl`get gateways -A`],
  };
}

export function parentMissing(p: { ns: string; route: string; gateway: string }): Hint {
  return {
    hint: `Point HTTPRoute ${p.ns}/${p.route} at an existing Gateway, or create Gateway ${p.gateway}; no controller reports on a route whose parent is missing.`,
    commands: [kubectl`get gateways -A`, describeRoute(p.ns, p.route)],
  };
}

export function parentUnreported(p: { ns: string; route: string; gateway: string }): Hint {
  return {
    hint: `Check that the controller of Gateway ${p.gateway}'s class is running and watches ${p.ns}: it has not reported on HTTPRoute ${p.ns}/${p.route}.`,
    commands: [describeRoute(p.ns, p.route), kubectl`get gatewayclasses`],
  };
}

/** A route its parent did not accept, or whose references it could not resolve, by the standard reason. */
export function routeNotAccepted(p: {
  ns: string;
  route: string;
  gateway: string;
  reason: string | null;
}): Hint {
  const hint =
    p.reason === 'NoMatchingListenerHostname'
      ? `Make the hostnames of HTTPRoute ${p.ns}/${p.route} match a listener hostname of Gateway ${p.gateway}, or add a listener for them.`
      : p.reason === 'NotAllowedByListeners'
        ? `Allow routes from ${p.ns} in the listeners of Gateway ${p.gateway} (allowedRoutes.namespaces), or move HTTPRoute ${p.route}.`
        : p.reason === 'InvalidListener'
          ? `Fix the listener HTTPRoute ${p.ns}/${p.route} attaches to on Gateway ${p.gateway} (see gateway.gateways); routes attach only to valid listeners.`
          : p.reason === 'NoMatchingParent'
            ? `Fix the sectionName or port of the parentRef of HTTPRoute ${p.ns}/${p.route}: Gateway ${p.gateway} has no such listener.`
            : p.reason === 'RefNotPermitted'
              ? `Add a ReferenceGrant in the backend's namespace that allows HTTPRoutes from ${p.ns}.`
              : p.reason === 'BackendNotFound'
                ? `Fix the backendRefs of HTTPRoute ${p.ns}/${p.route}: a Service it names does not exist (see its backends below).`
                : `Fix HTTPRoute ${p.ns}/${p.route} as the condition its parent Gateway ${p.gateway} reports says.`;
  return { hint, commands: [describeRoute(p.ns, p.route)] };
}

export function noListenerForHostnames(p: { ns: string; route: string; gateway: string }): Hint {
  const [gatewayNs = '', gatewayName = ''] = p.gateway.split('/');
  return {
    hint: `Add a listener to Gateway ${p.gateway} whose hostname covers HTTPRoute ${p.ns}/${p.route}, or change the route's hostnames.`,
    commands: [kubectl`get gateway -n ${gatewayNs} ${gatewayName} -o yaml`, describeRoute(p.ns, p.route)],
  };
}

export function backendServiceMissing(p: {
  ns: string;
  service: string;
  route: { namespace: string; name: string };
}): Hint {
  return {
    hint: `Deploy Service ${p.ns}/${p.service} or fix the backendRefs of HTTPRoute ${p.route.namespace}/${p.route.name}.`,
    commands: [
      kubectl`get svc -n ${p.ns}`,
      kubectl`get httproute -n ${p.route.namespace} ${p.route.name} -o yaml`,
    ],
  };
}

export function backendPortMismatch(p: {
  ns: string;
  service: string;
  route: { namespace: string; name: string };
}): Hint {
  return {
    hint: `Use a port of Service ${p.ns}/${p.service} in the backendRefs of HTTPRoute ${p.route.namespace}/${p.route.name}.`,
    commands: [kubectl`get svc -n ${p.ns} ${p.service} -o yaml`],
  };
}

export function crossNamespaceBackend(p: { ns: string; service: string; routeNamespace: string }): Hint {
  return {
    hint: `Add a ReferenceGrant in ${p.ns} that allows HTTPRoutes from ${p.routeNamespace} to reference Service ${p.service}.`,
    commands: [kubectl`get referencegrants -n ${p.ns}`],
  };
}

// ---------------------------------------------------------------- gateway.https

/** An object by namespace and name, as the HTTPS hints name and describe it. */
interface Ref {
  namespace: string;
  name: string;
}

const key = (r: Ref) => `${r.namespace}/${r.name}`;

/** Where a host's HTTPS is served: the address and port probed, and the Gateway behind them. */
export interface HttpsAt {
  host: string;
  address: string;
  port: number;
  gateway: Ref;
}

export function gatewayUnreachable(p: HttpsAt): Hint {
  return {
    hint: `Check that the data plane of Gateway ${key(p.gateway)} listens on ${p.address}:${p.port} and that nothing between here and it drops the connection.`,
    commands: [
      curl('https', p.host, p.address, p.port, '/', '-vsI'),
      describeGateway(p.gateway.namespace, p.gateway.name),
    ],
  };
}

export function gatewayCertificate(p: HttpsAt & { secrets: readonly string[] }): Hint {
  const secrets = p.secrets.length > 0 ? p.secrets.join(', ') : 'its listener Secret';
  return {
    hint: `Fix the certificate the HTTPS listener of Gateway ${key(p.gateway)} serves for ${p.host}: ${secrets} (cert-manager's Certificate of the same name renews it; see gateway.gateways).`,
    commands: [
      curl('https', p.host, p.address, p.port, '/', '-vsI'),
      describeGateway(p.gateway.namespace, p.gateway.name),
    ],
  };
}

export function gatewayNoRedirect(p: HttpsAt & { httpPort: number }): Hint {
  return {
    hint: `Make the HTTPRoute on the HTTP listener of Gateway ${key(p.gateway)} redirect ${p.host} to HTTPS (a RequestRedirect filter with scheme https), and check that it is accepted (see gateway.routes).`,
    commands: [curl('http', p.host, p.address, p.httpPort, '/')],
  };
}

export function gatewayPathServerError(p: { route: Ref; service: Ref | null }): Hint {
  return p.service
    ? {
        hint: `Check the pods behind Service ${key(p.service)}; the Gateway answers 5xx when the backend is down or HTTPRoute ${key(p.route)} cannot resolve it (see gateway.routes).`,
        commands: [
          kubectl`get endpointslices -n ${p.service.namespace} -l kubernetes.io/service-name=${p.service.name}`,
          describeRoute(p.route.namespace, p.route.name),
        ],
      }
    : {
        hint: `Check the backends of HTTPRoute ${key(p.route)} (see gateway.routes); the Gateway answers 5xx when none works.`,
        commands: [describeRoute(p.route.namespace, p.route.name)],
      };
}

export function gatewayPathNotRouted(p: HttpsAt & { path: string; route: Ref }): Hint {
  return {
    hint: `Make HTTPRoute ${key(p.route)} match ${p.path} for ${p.host} and check that Gateway ${key(p.gateway)} accepts it (see gateway.routes); the request reached no rule.`,
    commands: [
      curl('https', p.host, p.address, p.port, p.path),
      describeRoute(p.route.namespace, p.route.name),
    ],
  };
}
