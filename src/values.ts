/**
 * One parser per kind of value the doctor is given, used alike for flags, platform.yaml and the
 * environment. Each throws InvalidValue with a description of what it expected; the caller names the
 * flag, key or variable. Imports no project module.
 */
import { isIP, isIPv6 } from 'node:net';

/** What was expected, e.g. `a duration like 30s, 2m or 1m30s`; the caller adds where the value came from. */
export class InvalidValue extends Error {
  override readonly name = 'InvalidValue';
}

const GO_UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1e3,
  m: 60e3,
  h: 3600e3,
};
const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;

/** A Go duration (`1h30m`, `30m`, `1.5s`, `0`) in milliseconds, as Kubernetes objects write them; null when it is not one. */
export function parseGoDuration(text: string): number | null {
  if (text === '0') return 0;
  if (!GO_DURATION.test(text)) return null;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(amount) * (GO_UNITS_MS[unit as string] ?? 0);
  }
  return total;
}

/** Longest duration a flag takes: timers cannot wait longer than about 24.8 days, and no run needs a day. */
export const MAX_DURATION_MS = 24 * 3_600_000;

/**
 * A positive duration for a flag: the Go/kubectl form (`30s`, `2m`, `1m30s`, `1500ms`) or a bare number of
 * seconds (`90`), at most a day.
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const ms = /^\d+(?:\.\d+)?$/.test(trimmed) ? Number(trimmed) * 1000 : parseGoDuration(trimmed);
  if (ms === null || !Number.isFinite(ms)) {
    throw new InvalidValue(`takes a duration like 30s, 2m or 1m30s, not "${text}"`);
  }
  if (ms <= 0) throw new InvalidValue('must be longer than zero');
  if (ms > MAX_DURATION_MS) throw new InvalidValue(`must be at most 24h, not "${text}"`);
  return Math.round(ms);
}

/** A TCP/UDP port in decimal digits only (not `1e3`, not `0x50`), 1 to 65535. */
export function parsePort(text: string): number {
  const port = /^\d{1,5}$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new InvalidValue(`takes a port number from 1 to 65535, not "${text}"`);
  }
  return port;
}

/** An IP address and a port. */
export interface IpEndpoint {
  host: string;
  port: number;
}

/**
 * `IP[:PORT]`: an IPv4 address, a bracketed IPv6 address (`[::1]:5353`) or a bare IPv6 address (`::1`,
 * default port). Host names are refused by name: a resolver must be reachable without asking DNS first.
 */
export function parseIpEndpoint(text: string, defaultPort: number): IpEndpoint {
  const trimmed = text.trim();
  const bracketed = /^\[([^\]]+)\](?::([^:]*))?$/.exec(trimmed);
  let host: string;
  let portText: string | undefined;
  if (bracketed) [, host = '', portText] = bracketed;
  else if (isIPv6(withoutZone(trimmed))) host = trimmed;
  else {
    const parts = trimmed.split(':');
    if (parts.length > 2) throw new InvalidValue(`takes IP[:PORT], not "${text}"`);
    [host = '', portText] = parts;
  }
  if (isIP(withoutZone(host)) === 0) {
    const looksLikeName = /^[a-z0-9.-]+$/i.test(host) && /[a-z]/i.test(host);
    throw new InvalidValue(
      looksLikeName
        ? `takes an IP address, not the host name "${host}" (look it up first, e.g. dig +short ${host})`
        : `takes IP[:PORT] with a valid IP address, not "${text}"`,
    );
  }
  return { host, port: portText === undefined ? defaultPort : parsePort(portText) };
}

/** `host:port`, with IPv6 hosts in brackets. */
export function formatIpEndpoint({ host, port }: IpEndpoint): string {
  return isIPv6(withoutZone(host)) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** IPv6 addresses in resolv.conf may carry a zone (`fe80::1%eth0`). */
function withoutZone(host: string): string {
  return host.replace(/%.*$/, '');
}

/** An http(s) URL, without a trailing slash: an OpenBao address. */
export function parseHttpUrl(text: string): string {
  try {
    const url = new URL(text.trim());
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname) {
      return text.trim().replace(/\/+$/, '');
    }
  } catch {
    // falls through
  }
  throw new InvalidValue(`takes an http(s) URL like https://bao.example:8200, not "${text}"`);
}
