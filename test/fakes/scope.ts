import { resolveProfile } from '../../src/config/schema.js';
import type { GatherContext, Scope } from '../../src/checks/step.js';
import type { Gateways } from '../../src/gateways/types.js';
import { fakeGateways } from './gateways.js';

/** A scope with the documented defaults; override what a test needs. */
export function aScope(overrides: Partial<Scope> = {}): Scope {
  return {
    profile: resolveProfile(null, undefined, undefined),
    namespaces: null,
    readSecrets: true,
    ports: { http: 80, https: 443 },
    openbaoAddress: null,
    openbaoToken: null,
    openbaoCaPem: null,
    ...overrides,
  };
}

export function aGatherContext(gateways: Partial<Gateways>, scope: Partial<Scope> = {}): GatherContext {
  return { gateways: fakeGateways(gateways), scope: aScope(scope), signal: AbortSignal.timeout(5_000) };
}
