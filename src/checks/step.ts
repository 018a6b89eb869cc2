import type { Profile } from '../config/schema.js';
import type { Gateways } from '../gateways/types.js';
import type { Sensitive } from '../gateways/sensitive.js';
import type { CheckNode, StepId } from './result.js';

/** The message of a leaf that needed Secret data under `--no-read-secrets` (Scope.readSecrets false). */
export const SECRETS_NOT_READ = 'not checked: --no-read-secrets keeps the doctor away from Secrets';

/** The `skip` leaf for an object whose check needs Secret data under `--no-read-secrets`. */
export function secretsNotRead(base: { id: string; title: string; subject: string }): CheckNode {
  return {
    ...base,
    status: 'skip',
    code: 'SECRETS_NOT_READ',
    message: SECRETS_NOT_READ,
    hint: `Run the doctor without --no-read-secrets to check ${base.subject}.`,
  };
}

/** What a run looks at: resolved from flags, the config profile and the environment by the CLI. */
export interface Scope {
  profile: Profile;
  /** Application namespaces from `-n` or the profile; null means all namespaces. */
  namespaces: string[] | null;
  /** False with `--no-read-secrets`: no Secret data is read at all, only names. */
  readSecrets: boolean;
  ports: { http: number; https: number };
  /** `--openbao-addr`, else BAO_ADDR / VAULT_ADDR, else the profile's address; null → each store's server. */
  openbaoAddress: string | null;
  /** BAO_TOKEN / VAULT_TOKEN, used when Secret data may not be read. */
  openbaoToken: Sensitive | null;
  /** BAO_CACERT / VAULT_CACERT contents, for TLS to OpenBao. */
  openbaoCaPem: string | null;
}

export interface GatherContext {
  gateways: Gateways;
  scope: Scope;
  /** Aborts at the step's deadline; pass it to every gateway call. */
  signal: AbortSignal;
}

/**
 * One contract step: `gather` does I/O through gateways only; `evaluate` is pure
 * (no I/O, no clock, no environment), so its judgement is testable without a cluster.
 */
export interface Step<Facts = unknown> {
  id: StepId;
  /** The claim being checked, present tense: "DNS records point at the ingress load balancer". */
  title: string;
  gather(ctx: GatherContext): Promise<Facts>;
  evaluate(facts: Facts, ctx: { now: Date }): CheckNode;
}

/** Erases the facts type so steps of different facts fit one array. */
export function defineStep<Facts>(step: Step<Facts>): Step<unknown> {
  return step as Step<unknown>;
}
