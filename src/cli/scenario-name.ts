import { RUNBOOK_IDS } from '../runbooks/index.js';
import { UsageError } from './options.js';

/** A scenario that exists, or a usage error that lists them all (and spots a runbook name given by mistake). */
export async function checkScenarioName(name: string, flag: '--demo' | '--scenario'): Promise<void> {
  const { scenarioNames } = await import('../sandbox/load.js');
  const names = await scenarioNames();
  if (names.includes(name)) return;
  const runbook =
    flag === '--demo' && RUNBOOK_IDS.includes(name)
      ? ` (${name} is a runbook: put it before --demo, e.g. platform doctor ${name} --demo)`
      : '';
  throw new UsageError(`${flag} ${name}: no such scenario${runbook}; scenarios: ${names.join(', ')}`);
}
