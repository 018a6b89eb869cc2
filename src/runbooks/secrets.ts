import { esoLogsStep } from '../checks/secrets/eso-logs.js';
import { externalSecretsStep } from '../checks/secrets/externalsecrets.js';
import { openbaoStep } from '../checks/secrets/openbao.js';
import { storesStep } from '../checks/secrets/stores.js';
import { targetSecretsStep } from '../checks/secrets/target-secrets.js';
import type { Runbook } from './types.js';

/** The documented "pod does not start, or an environment variable is missing" runbook, in contract order. */
export const secrets: Runbook = {
  id: 'secrets',
  title: 'Secrets from OpenBao',
  steps: [storesStep, externalSecretsStep, targetSecretsStep, esoLogsStep, openbaoStep],
};
