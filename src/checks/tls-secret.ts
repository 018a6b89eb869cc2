/**
 * TLS Secrets as Ingress TLS entries and Gateway listeners name them: the one judgement of "is this a
 * kubernetes.io/tls Secret with tls.crt and tls.key", from Secret summaries (names and key names only).
 */
import type { SecretSummary } from '../gateways/types.js';
import type { FindingCode } from './codes.js';
import type { Hint } from './command.js';
import { listFailureLeaf } from './could-not-check.js';
import { mapListing, type Listing } from './listing.js';
import type { CheckNode } from './result.js';
import { secretsNotRead } from './step.js';

/** A Secret by name, type and key names: all a TLS judgement needs. */
export interface TlsSecretView {
  namespace: string;
  name: string;
  type: string;
  keys: string[];
}

export function tlsSecretViews(secrets: Listing<SecretSummary>): Listing<TlsSecretView> {
  return mapListing(secrets, (items) =>
    items.map((s) => ({
      namespace: s.metadata.namespace ?? '',
      name: s.metadata.name,
      type: s.type,
      keys: s.keys,
    })),
  );
}

const TLS_KEYS = ['tls.crt', 'tls.key'];

/**
 * Secret `namespace/name` as a TLS leaf: `usedBy` names what serves it (`listener https of Gateway
 * plate/web`), `advice` is what to do when it is missing or malformed.
 */
export function tlsSecretLeaf(
  stepId: string,
  base: { id: string; title: string; subject: string; dependsOn?: string[] },
  secrets: Listing<TlsSecretView>,
  ref: { namespace: string; name: string },
  usedBy: string,
  advice: Hint,
): CheckNode {
  if (secrets.kind === 'failed') return listFailureLeaf(stepId, secrets.failures[0], base);
  if (secrets.kind === 'not-read') return secretsNotRead(base);
  const items = secrets.kind === 'items' ? secrets.items : [];
  const secret = items.find((s) => s.namespace === ref.namespace && s.name === ref.name);
  const fail = (code: FindingCode, message: string): CheckNode => ({
    ...base,
    status: 'fail',
    code,
    message,
    ...advice,
  });
  if (!secret) return fail('TLS_SECRET_MISSING', `does not exist (TLS Secret of ${usedBy})`);
  if (secret.type !== 'kubernetes.io/tls') {
    return fail('TLS_SECRET_INVALID', `has type ${secret.type}, expected kubernetes.io/tls`);
  }
  const missing = TLS_KEYS.filter((k) => !secret.keys.includes(k));
  if (missing.length > 0) return fail('TLS_SECRET_INVALID', `has no ${missing.join(' or ')}`);
  return { ...base, status: 'pass', message: 'kubernetes.io/tls Secret with tls.crt and tls.key' };
}
