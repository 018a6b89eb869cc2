import { gatewayCertificatesStep } from '../checks/gateway/certificates.js';
import { gatewayDnsStep } from '../checks/gateway/dns.js';
import { gatewaysStep } from '../checks/gateway/gateways.js';
import { gatewayHttpsStep } from '../checks/gateway/https.js';
import { routesStep } from '../checks/gateway/routes.js';
import type { Runbook } from './types.js';

/**
 * "A Gateway API route does not answer": Gateways and their listeners, the routes down to endpoints, the
 * Certificates gateway-shim made for the listeners, then DNS and HTTPS of the route hostnames, judged like
 * the ingress runbook judges Ingress hosts.
 */
export const gateway: Runbook = {
  id: 'gateway',
  title: 'Gateway API routes',
  steps: [gatewaysStep, routesStep, gatewayCertificatesStep, gatewayDnsStep, gatewayHttpsStep],
};
