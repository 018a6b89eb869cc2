/**
 * The one redactor. Every credential the doctor holds is registered here (a `Sensitive` registers itself),
 * and every text that came from outside passes through `redact` before it becomes a message: GatewayError
 * messages, result nodes, stderr lines and debug traces. Known values, their base64 forms, common token
 * shapes and URL userinfo become `[redacted]`, so a server that quotes our token back cannot leak it.
 */

export const REDACTED = '[redacted]';

/** Shorter values would redact ordinary words; no credential the doctor handles is that short. */
const MIN_SECRET_LENGTH = 6;

const known = new Set<string>();
/** Longest first, so a value that contains another is replaced whole. */
let ordered: string[] = [];

/** Registers a credential (and its base64 forms) so `redact` removes it from any text. */
export function registerSecret(value: string): void {
  const trimmed = value.trim();
  if (trimmed.length < MIN_SECRET_LENGTH || known.has(trimmed)) return;
  const forms = [
    trimmed,
    Buffer.from(trimmed).toString('base64'),
    Buffer.from(trimmed).toString('base64url'),
    // Unpadded base64, as it appears inside a longer base64 string (a Basic header, a Secret's data).
    Buffer.from(trimmed).toString('base64').replace(/=+$/, ''),
  ];
  for (const form of forms) known.add(form);
  ordered = [...known].sort((a, b) => b.length - a.length);
}

// Shapes that are credentials whoever holds them: Vault/OpenBao tokens (hvs./hvb./hvr., legacy s./b./r. of
// 24 characters), JWTs (service account tokens), and the values of auth headers quoted in error bodies.
const TOKEN_SHAPES: [RegExp, string][] = [
  [/\bhv[sbr]\.[A-Za-z0-9_-]{20,}/g, REDACTED],
  [/\b[sbr]\.[A-Za-z0-9]{24}\b/g, REDACTED],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, REDACTED],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/gi, `$1 ${REDACTED}`],
  [
    // The value runs to a delimiter, so prose such as cert-manager's "authorization: acme: …" is left alone.
    /\b(X-Vault-Token|X-Vault-Wrap-Token|Authorization|Proxy-Authorization)(["']?\s*[:=]\s*["']?)(?!Bearer\b|Basic\b)[^\s"',;:]{4,}(?![^\s"',;])/gi,
    `$1$2${REDACTED}`,
  ],
  // scheme://user:password@host, and scheme://token@host
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@"'<>]+@/gi, `$1${REDACTED}@`],
];

/** `text` with every registered credential, token shape and URL userinfo replaced by `[redacted]`. */
export function redact(text: string): string {
  let out = text;
  for (const secret of ordered) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  for (const [pattern, replacement] of TOKEN_SHAPES) out = out.replace(pattern, replacement);
  return out;
}

/** A deep copy of a JSON value with every string, keys included, passed through `redact`. */
export function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map(redactDeep);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      // defineProperty: a `__proto__` key from a hostile server stays a plain field.
      Object.defineProperty(out, redact(key), {
        value: redactDeep(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

/** A URL without userinfo, for messages: `https://user:pw@host/` → `https://host/`. */
export function withoutUserinfo(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, url.endsWith('/') ? '/' : '');
  } catch {
    return redact(url);
  }
}
