/**
 * What a browser sees of one host at a load balancer address, shared by the Ingress and Gateway API
 * runbooks: the probe (one TLS connection for the handshake and every path, one plain-HTTP request for the
 * redirect) and the pure judgements of the served certificate, the redirect and each path. Each runbook
 * builds its own leaves around these verdicts, with its own ids, links and hints.
 */
import type { HttpReply, TlsProbe } from '../gateways/types.js';
import type { FindingCode } from './codes.js';
import {
  certCovers,
  day,
  daysUntil,
  EXPIRY_WARN_DAYS,
  readCertificate,
  type CertInfo,
} from './ingress/x509.js';
import type { Status } from './result.js';
import type { GatherContext } from './step.js';

/** What one host answered at one address. */
export interface HostProbe {
  tls: TlsProbe | null;
  /** The served leaf certificate, parsed. */
  cert: CertInfo | { error: string } | null;
  redirect: HttpReply | null;
  /** One reply per probed path. */
  replies: Map<string, HttpReply>;
}

/** I/O: the handshake and `paths` over one HTTPS connection, and `http://host/` for the redirect, at once. */
export async function probeHost(
  ctx: GatherContext,
  target: { host: string; address: string },
  paths: readonly string[],
): Promise<HostProbe> {
  const { http, https } = ctx.scope.ports;
  const [probe, redirect] = await Promise.all([
    ctx.gateways.http.probeHttps({ ...target, port: https }, paths, ctx.signal),
    ctx.gateways.http.request({ ...target, port: http, scheme: 'http', path: '/' }, ctx.signal),
  ]);
  const leafPem = probe.tls.kind === 'handshake' ? probe.tls.chainPem[0] : undefined;
  return {
    tls: probe.tls,
    cert: leafPem ? readCertificate(leafPem) : null,
    redirect,
    replies: new Map(probe.replies.map((reply, i) => [paths[i]!, reply])),
  };
}

/** A judgement: status, finding code (none on a pass) and what was seen. */
export interface Verdict<Kind extends string> {
  kind: Kind;
  status: Status;
  code?: FindingCode;
  message: string;
}

/** A verdict as a leaf's status, finding code and message. */
export function verdictFields(
  verdict: Verdict<string>,
): Pick<Verdict<string>, 'status' | 'code' | 'message'> {
  return {
    status: verdict.status,
    ...(verdict.code ? { code: verdict.code } : {}),
    message: verdict.message,
  };
}

/**
 * A path that was not asked: `pattern` (how the path reads, e.g. `ImplementationSpecific path /v[0-9]+`) matches
 * no single request, or, when null, the TLS handshake failed before any request.
 */
export function pathNotProbed(host: string, pattern: string | null) {
  const common = { status: 'skip' as const, code: 'PATH_NOT_PROBED' as const };
  if (pattern === null) {
    return {
      ...common,
      message: 'not probed: the TLS handshake failed',
      hint: 'Fix the TLS handshake first (see the certificate check of this host).',
    };
  }
  return {
    ...common,
    message: `not probed: ${pattern} is a pattern`,
    hint: `Probe ${host} with a concrete path that this pattern matches.`,
  };
}

export type CertificateKind =
  | 'handshake-failed'
  | 'unreadable'
  | 'fallback'
  | 'expired'
  | 'wrong-name'
  | 'untrusted'
  | 'expiring'
  | 'valid';

/**
 * The served certificate of `host`, judged: the handshake, whether it is the controller's fallback (whose
 * reason the caller knows and appends), expiry, names and trust.
 */
export function judgeCertificate(
  probe: Pick<HostProbe, 'tls' | 'cert'>,
  target: { host: string; address: string; port: number },
  now: Date,
): Verdict<CertificateKind> {
  const { tls, cert } = probe;
  const { host, address, port } = target;
  if (!tls || tls.kind === 'failed') {
    return {
      kind: 'handshake-failed',
      status: 'fail',
      code: 'HTTPS_HANDSHAKE_FAILED',
      message: `TLS handshake with ${address}:${port} (SNI ${host}) failed: ${tls?.reason ?? 'not attempted'}`,
    };
  }
  if (!cert || 'error' in cert) {
    const why = cert ? cert.error : 'no certificate was served';
    return {
      kind: 'unreadable',
      status: 'fail',
      code: 'HTTPS_CERT_UNREADABLE',
      message: `served certificate is unreadable: ${why}`,
    };
  }
  if (cert.isIngressFake) {
    return {
      kind: 'fallback',
      status: 'fail',
      code: 'HTTPS_DEFAULT_CERT',
      message: 'the controller serves its default certificate',
    };
  }
  const by = cert.issuer ? `issued by ${cert.issuer}` : 'issuer unknown';
  if (Date.parse(cert.notAfter) <= now.getTime()) {
    return {
      kind: 'expired',
      status: 'fail',
      code: 'HTTPS_CERT_EXPIRED',
      message: `certificate expired on ${day(cert.notAfter)} (${by})`,
    };
  }
  if (!certCovers(cert, host)) {
    const names = cert.dnsNames.length > 0 ? cert.dnsNames : [cert.subjectCn ?? 'no name'];
    return {
      kind: 'wrong-name',
      status: 'fail',
      code: 'HTTPS_CERT_WRONG_NAME',
      message: `certificate is for ${names.join(', ')}, not ${host}`,
    };
  }
  if (!tls.isTrusted) {
    return {
      kind: 'untrusted',
      status: 'fail',
      code: 'HTTPS_CERT_UNTRUSTED',
      message: `certificate is not trusted: ${tls.verifyError ?? 'unknown reason'} (${by})`,
    };
  }
  const days = daysUntil(cert.notAfter, now);
  const expiry = `expires in ${days} day${days === 1 ? '' : 's'} (${day(cert.notAfter)})`;
  if (days < EXPIRY_WARN_DAYS) {
    return {
      kind: 'expiring',
      status: 'warn',
      code: 'HTTPS_CERT_EXPIRING',
      message: `certificate ${expiry}, ${by}`,
    };
  }
  return { kind: 'valid', status: 'pass', message: `trusted certificate ${by}, ${expiry}` };
}

const REDIRECTS = new Set([301, 302, 307, 308]);

function isHttpsFor(location: string | null, host: string): boolean {
  if (!location) return false;
  try {
    const url = new URL(location);
    return url.protocol === 'https:' && url.hostname === host;
  } catch {
    return false;
  }
}

/** Whether `http://host/` answers with a redirect to `https://host/`. */
export function judgeRedirect(
  reply: HttpReply | null,
  target: { host: string; address: string; port: number },
): Verdict<'redirects' | 'no-redirect'> {
  const url = `http://${target.host}/`;
  const expected = `https://${target.host}/`;
  const fail = (message: string): Verdict<'no-redirect'> => ({
    kind: 'no-redirect',
    status: 'fail',
    code: 'HTTP_NO_REDIRECT',
    message,
  });
  if (!reply || reply.kind === 'failed') {
    return fail(`${url} via ${target.address}:${target.port} failed: ${reply?.reason ?? 'not attempted'}`);
  }
  if (!REDIRECTS.has(reply.status))
    return fail(`answers ${reply.status} instead of redirecting to ${expected}`);
  if (!isHttpsFor(reply.location, target.host)) {
    return fail(`redirects to ${reply.location ?? 'nowhere'} (${reply.status}), expected ${expected}`);
  }
  return { kind: 'redirects', status: 'pass', message: `redirects to ${reply.location} (${reply.status})` };
}

// ingress-nginx's default backend: `default backend - 404` (older releases) or nginx's own 404 page.
const DEFAULT_BACKEND = /default backend - 404|<center>nginx<\/center>/;

/** One routed path's answer: a 5xx or no answer means a failing backend, a 404 that it was never reached. */
export function judgePath(
  reply: HttpReply,
  { url, path }: { url: string; path: string },
  backend: string | null,
): Verdict<'server-error' | 'not-routed' | 'answers'> {
  const via = backend ? ` (${backend})` : '';
  if (reply.kind === 'failed') {
    return {
      kind: 'server-error',
      status: 'fail',
      code: 'PATH_SERVER_ERROR',
      message: `GET ${url} failed: ${reply.reason}`,
    };
  }
  if (reply.status >= 500) {
    return {
      kind: 'server-error',
      status: 'fail',
      code: 'PATH_SERVER_ERROR',
      message: `answers ${reply.status}${via}`,
    };
  }
  if (reply.status === 404) {
    // A 404 on a routed path means the request never reached the intended backend.
    const message = DEFAULT_BACKEND.test(reply.bodyStart)
      ? "answers 404 from the controller's default backend"
      : `answers 404: the controller's default backend, or the backend has no route for ${path}`;
    return { kind: 'not-routed', status: 'fail', code: 'PATH_DEFAULT_BACKEND', message };
  }
  return { kind: 'answers', status: 'pass', message: `answers ${reply.status}` };
}
