import { clip, oneLine } from '../text.js';
import { redact } from './redact.js';

/** Longest message a GatewayError carries: a 5 MB error body must not become a 5 MB line. */
const ERROR_MESSAGE_LIMIT = 1000;

/**
 * A mistake in how the doctor was called or configured (flags, config file, kubeconfig): the CLI prints
 * its message as one line and exits 3, without a stack trace. Subclasses name where the mistake is.
 */
export class UserError extends Error {
  /** The second line the CLI prints: where to look next. */
  get tryLine(): string {
    return 'try: platform doctor --help';
  }
}

/** The external systems the doctor talks to, one gateway each. */
export type SystemName = 'kubernetes' | 'openbao' | 'dns' | 'http';

/**
 * Why a call to an external system did not give an answer, one word each (the registry snapshots validate
 * against). Expected absence (HTTP 404, NXDOMAIN) is never one of these: gateways return it as a value.
 * - forbidden: 403, the identity lacks a permission; `permission` names it
 * - unauthorized: 401, credentials missing, expired or rejected
 * - unreachable: refused, reset, no route, name not resolvable
 * - timeout: no answer within the deadline
 * - tls: handshake or certificate verification failed
 * - unavailable: the server answered that it cannot serve now (503, sealed)
 * - protocol: an answer we could not make sense of (bad status, bad body)
 * - unrecorded: `--from`, the snapshot holds no answer to this question
 */
export const GATEWAY_ERROR_KINDS = [
  'forbidden',
  'unauthorized',
  'unreachable',
  'timeout',
  'tls',
  'unavailable',
  'protocol',
  'unrecorded',
] as const;

export type GatewayErrorKind = (typeof GATEWAY_ERROR_KINDS)[number];

/**
 * The one error type gateways throw. `message` is one line for people, bounded, and passed through the
 * redactor, so text a server sent back cannot carry a credential out; `cause` keeps the original error
 * for `--debug`.
 */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';

  constructor(
    readonly system: SystemName,
    readonly kind: GatewayErrorKind,
    message: string,
    options: { cause?: unknown; permission?: string; httpStatus?: number } = {},
  ) {
    super(clip(redact(oneLine(message)), ERROR_MESSAGE_LIMIT), { cause: options.cause });
    this.permission = options.permission;
    this.httpStatus = options.httpStatus;
  }

  /** For `forbidden`: the missing permission as RBAC says it, e.g. `list secrets in plate-prod`. */
  readonly permission: string | undefined;
  readonly httpStatus: number | undefined;
}

export function isGatewayError(error: unknown): error is GatewayError {
  return error instanceof GatewayError;
}

/** One line describing any thrown value, redacted; the only way code here turns an error into text. */
export function errorMessage(error: unknown): string {
  const text = error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
  return clip(redact(text), ERROR_MESSAGE_LIMIT);
}

const SOCKET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
};

/** `connection refused` for ECONNREFUSED and the like; undefined for codes that are not about reaching a peer. */
export function socketErrorReason(code: string | undefined): string | undefined {
  return code === undefined ? undefined : SOCKET_ERRORS[code];
}
