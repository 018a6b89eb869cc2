import { gatewaysStep } from '../checks/gateway/gateways.js';
import { routesStep } from '../checks/gateway/routes.js';
import type { Runbook } from './types.js';

/** "A Gateway API route does not answer": Gateways and their listeners, then the routes down to endpoints. */
export const gateway: Runbook = {
  id: 'gateway',
  title: 'Gateway API routes',
  steps: [gatewaysStep, routesStep],
};
