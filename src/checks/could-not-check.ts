/**
 * The one way a step says "could not check": a list or a call that gave no answer becomes an `error`
 * leaf with the same wording, hint and id scheme in every runbook.
 */
import { KINDS, resourceName } from '../gateways/kinds.js';
import { kubectl, type Command, type Hint } from './command.js';
import type { ListFailure } from './listing.js';
import type { Failure } from './outcome.js';
import type { CheckNode, StepId } from './result.js';
import type { FindingCode } from './codes.js';
import type { GatewayErrorKind } from '../gateways/errors.js';

/** The finding code of each way an answer can fail to come. */
const CODES: Record<GatewayErrorKind, FindingCode> = {
  forbidden: 'CHECK_FORBIDDEN',
  unauthorized: 'CHECK_UNAUTHORIZED',
  unreachable: 'CHECK_UNREACHABLE',
  unavailable: 'CHECK_UNREACHABLE',
  timeout: 'CHECK_TIMEOUT',
  tls: 'CHECK_TLS',
  protocol: 'CHECK_PROTOCOL',
  unrecorded: 'CHECK_NOT_RECORDED',
};

/** The code of a "could not check" finding for a failure of `kind`. */
export function couldNotCheckCode(kind: GatewayErrorKind): FindingCode {
  return CODES[kind];
}

/** `kubectl auth can-i` for a permission as the gateways word it: `list secrets in plate-stg`, `get pods/log in x`. */
function canI(permission: string): Command | null {
  const match = /^(\S+) (\S+)(?: in (\S+)| at cluster scope)?$/.exec(permission);
  if (!match) return null;
  const [, verb = '', resource = '', namespace] = match;
  // kubectl reads `pods/log` as a pod named "log": a subresource has its own flag.
  const [plural = '', subresource] = resource.split('/');
  const sub = subresource ? [`--subresource=${subresource}`] : [];
  const where = namespace ? ['-n', namespace] : ['-A'];
  return kubectl`auth can-i ${verb} ${plural} ${sub} ${where}`;
}

/**
 * How to get the doctor the access or the answer it lacked, with the finding code. `what` names the system:
 * `the Kubernetes API`.
 */
export function couldNotCheck(failure: Failure, what: string): Hint & { code: FindingCode } {
  return { ...advice(failure, what), code: CODES[failure.kind] };
}

function advice(failure: Failure, what: string): Hint {
  switch (failure.kind) {
    case 'forbidden': {
      const permission = failure.permission ?? 'the missing permission';
      const command = failure.permission ? canI(failure.permission) : null;
      return {
        hint: `Grant "${permission}" to the identity running the doctor, or run it with a kubeconfig that has it.`,
        commands: command ? [command] : [],
      };
    }
    case 'timeout':
      return { hint: `Retry with a longer --timeout; ${what} did not answer in time.`, commands: [] };
    case 'unauthorized':
      return { hint: `Renew the credentials the doctor uses for ${what}, then retry.`, commands: [] };
    case 'tls':
      return {
        hint: `Trust the CA that signs the certificate of ${what} (BAO_CACERT or the store's caBundle).`,
        commands: [],
      };
    case 'unreachable':
      return { hint: `Make ${what} reachable from here, then retry.`, commands: [] };
    case 'unrecorded':
      return {
        hint: `Run the doctor against the live platform to check this; the snapshot holds no answer from ${what}.`,
        commands: [],
      };
    default:
      return { hint: `Retry; ${what} gave an answer the doctor could not read.`, commands: [] };
  }
}

/** A failed list named for people: `Secrets in plate-stg`, `Secrets in all namespaces`, `ClusterIssuers`. */
export function listLabel({ listed, namespace }: ListFailure): string {
  const label = `${KINDS[listed].kind}${KINDS[listed].kind.endsWith('s') ? 'es' : 's'}`;
  if (!KINDS[listed].namespaced) return label;
  return `${label} ${namespace ? `in ${namespace}` : 'in all namespaces'}`;
}

/**
 * The `error` leaf of a list that could not be read. On its own its id is `<step>:list:<what>`
 * (`secrets.stores:list:SecretStores in plate-stg`); given `base`, it stands in place of the object whose
 * judgement the list would have decided, under that object's id and subject.
 */
export function listFailureLeaf(
  stepId: StepId,
  f: ListFailure,
  base?: { id: string; title: string; subject: string },
): CheckNode {
  const what = listLabel(f);
  const message =
    f.failure.kind === 'forbidden'
      ? `not allowed to ${f.failure.permission ?? `list ${resourceName(f.listed)}`}`
      : `could not list ${what}: ${f.failure.message}`;
  return {
    ...(base ?? { id: `${stepId}:list:${what}`, title: what, subject: what }),
    status: 'error',
    message,
    ...couldNotCheck(f.failure, 'the Kubernetes API'),
  };
}
