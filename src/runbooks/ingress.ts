import { certManagerLogsStep } from '../checks/ingress/cert-manager-logs.js';
import { certificatesStep } from '../checks/ingress/certificates.js';
import { dnsStep } from '../checks/ingress/dns.js';
import { httpsStep } from '../checks/ingress/https.js';
import { resourcesStep } from '../checks/ingress/resources.js';
import type { Runbook } from './types.js';

/** "The domain is unreachable or HTTPS fails": the documented runbook's steps, in contract order. */
export const ingress: Runbook = {
  id: 'ingress',
  title: 'Ingress, certificates and DNS',
  steps: [resourcesStep, certificatesStep, certManagerLogsStep, dnsStep, httpsStep],
};
