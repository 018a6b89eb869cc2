import { X509Certificate } from 'node:crypto';
import { hostMatches } from './inventory.js';

/** The public facts of one X.509 certificate, as plain data for `evaluate`. */
export interface CertInfo {
  subjectCn: string | null;
  /** Issuer CN, else O: what people call the issuer (`R11`, `Let's Encrypt`). */
  issuer: string | null;
  dnsNames: readonly string[];
  ipAddresses: readonly string[];
  notBefore: string;
  notAfter: string;
  /** The self-signed certificate ingress-nginx serves when no valid TLS Secret matches the SNI name. */
  isIngressFake: boolean;
}

/** ingress-nginx's default certificate: CN `Kubernetes Ingress Controller Fake Certificate`, SAN `ingress.local`. */
const FAKE_CN = 'Kubernetes Ingress Controller Fake Certificate';
const FAKE_SAN = 'ingress.local';

function field(dn: string, name: string): string | null {
  const line = dn.split('\n').find((l) => l.startsWith(`${name}=`));
  return line ? line.slice(name.length + 1) : null;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----/;
const PARSED_MAX = 4096;
/**
 * Certificates already read, by their first PEM block without whitespace: a TLS Secret's certificate and the
 * one the load balancer serves from it are the same, and parsing is most of what reading one costs.
 */
const parsed = new Map<string, Readonly<CertInfo> | { error: string }>();

/**
 * Parses a PEM certificate (the first in the text). Pure: the same text gives the same (frozen) answer;
 * returns an error string for unreadable input.
 */
export function readCertificate(pem: string): Readonly<CertInfo> | { error: string } {
  const key = (PEM_BLOCK.exec(pem)?.[0] ?? pem).replace(/\s+/g, '');
  const known = parsed.get(key);
  if (known) return known;
  if (parsed.size >= PARSED_MAX) parsed.clear();
  const info = parse(pem);
  parsed.set(key, info);
  return info;
}

function parse(pem: string): Readonly<CertInfo> | { error: string } {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (error) {
    return {
      error: `tls.crt is not a readable certificate: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  // Node writes `Bad time value` for validity dates it cannot represent (year 1, year 10000).
  if (!Number.isFinite(notBefore.getTime()) || !Number.isFinite(notAfter.getTime()))
    return { error: `tls.crt has an unreadable validity period (${cert.validFrom} to ${cert.validTo})` };
  const sans = (cert.subjectAltName ?? '').split(', ').filter(Boolean);
  const dnsNames = sans.filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
  const subjectCn = field(cert.subject, 'CN');
  return Object.freeze({
    subjectCn,
    issuer: field(cert.issuer, 'CN') ?? field(cert.issuer, 'O'),
    dnsNames: Object.freeze(dnsNames),
    ipAddresses: Object.freeze(sans.filter((s) => s.startsWith('IP Address:')).map((s) => s.slice(11))),
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    isIngressFake: subjectCn === FAKE_CN || dnsNames.includes(FAKE_SAN),
  });
}

/** Whether one of `names` (DNS names, wildcards one label deep) covers `host`. */
export function namesCover(names: readonly string[], host: string): boolean {
  return names.some((n) => hostMatches(n, host));
}

/** Whether the certificate names `host` (SAN DNS names and IPs; the CN only when there are no SANs). */
export function certCovers(cert: CertInfo, host: string): boolean {
  const hasSans = cert.dnsNames.length > 0 || cert.ipAddresses.length > 0;
  return (
    namesCover(hasSans ? cert.dnsNames : [cert.subjectCn ?? ''], host) || cert.ipAddresses.includes(host)
  );
}

const DAY_MS = 86_400_000;

/** Whole days from `now` until `iso` (negative once past). */
export function daysUntil(iso: string, now: Date): number {
  return Math.floor((Date.parse(iso) - now.getTime()) / DAY_MS);
}

/** `2026-08-15`: the date part of an ISO time, for messages. */
export function day(iso: string): string {
  return iso.slice(0, 10);
}

/** Below this many days left a certificate is a warning: Let's Encrypt renewals happen at 30. */
export const EXPIRY_WARN_DAYS = 14;
