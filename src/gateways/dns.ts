import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import * as dnsPacket from 'dns-packet';
import pLimit from 'p-limit';
import { formatIpEndpoint, parseIpEndpoint, type IpEndpoint } from '../values.js';
import { socketErrorReason } from './errors.js';
import { SharedReads } from './memo.js';
import type { DnsAnswer, DnsGateway, ResolverAnswer } from './types.js';

export interface DnsGatewayOptions {
  /** `--dns-server` values, `IP[:PORT]` (`10.0.0.2`, `[::1]:5353`), already checked by `parseIpEndpoint`. */
  servers?: string[];
  /** Per query (one UDP or TCP exchange), in milliseconds. */
  timeoutMs?: number;
  /** The system's nameservers; defaults to the `nameserver` lines of /etc/resolv.conf. */
  readSystemResolvers?: () => string[];
}

type DnsServer = IpEndpoint;

const MAX_CNAME_HOPS = 8;
const RESOLV_CONF = '/etc/resolv.conf';

/** IPv6 test that accepts a zone suffix (`fe80::1%eth0`), as resolv.conf may carry one. */
function isIPv6(host: string): boolean {
  return net.isIPv6(host.replace(/%.*$/, ''));
}

/** The `nameserver` lines of /etc/resolv.conf; [] when the file cannot be read. */
function readResolvConf(): string[] {
  let text: string;
  try {
    text = readFileSync(RESOLV_CONF, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((line) => /^\s*nameserver\s+(\S+)/.exec(line)?.[1])
    .filter((value): value is string => value !== undefined);
}

/**
 * The real DNS gateway: dns-packet over node:dgram, retried over TCP when the UDP reply is truncated.
 * Every resolver is asked in parallel; answers come back in resolver order.
 */
export function createDnsGateway(options: DnsGatewayOptions = {}): DnsGateway {
  const timeoutMs = options.timeoutMs ?? 2000;
  const configured = options.servers?.length
    ? options.servers
    : (options.readSystemResolvers ?? readResolvConf)();
  const parsed = configured.flatMap((text) => {
    try {
      return [parseIpEndpoint(text, 53)];
    } catch {
      // A resolv.conf line that is not an address cannot be asked; flags are checked before this.
      return [];
    }
  });
  // glibc's rule (resolv.conf(5)): with no nameserver line, ask the name server on the local machine.
  const servers = parsed.length ? parsed : [{ host: '127.0.0.1', port: 53 }];
  const reads = new SharedReads();
  // Questions in flight at once across resolvers: steps ask for every host together and this queues them.
  const limit = pLimit(32);

  return {
    resolvers: servers.map(formatIpEndpoint),
    resolve(name, signal) {
      const fqdn = name.replace(/\.$/, '').toLowerCase();
      const what = `${servers.length === 1 ? `the resolver ${formatIpEndpoint(servers[0]!)}` : 'the resolvers'} (${fqdn})`;
      return reads.read(fqdn, signal, what, (workSignal) =>
        Promise.all(
          servers.map(async (server): Promise<ResolverAnswer> => ({
            resolver: formatIpEndpoint(server),
            answer: await limit(() => resolveWith(server, fqdn, timeoutMs, workSignal)),
          })),
        ),
      );
    },
    forget(signal) {
      reads.clear(signal);
    },
    // Each exchange closes its own socket when it ends or is aborted: nothing is held between them.
    async close() {
      reads.clear();
    },
  };
}

type RecordType = 'A' | 'AAAA';

/** What one record type gave at the end of the CNAME chain. */
type TypeAnswer =
  | { kind: 'records'; addresses: string[]; cnames: string[]; ttlSeconds: number }
  | { kind: 'nodata'; cnames: string[] }
  | { kind: 'nxdomain'; cnames: string[] }
  | { kind: 'unanswered'; reason: string };

async function resolveWith(
  server: DnsServer,
  name: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<DnsAnswer> {
  const [a, aaaa] = await Promise.all([
    resolveType(server, name, 'A', timeoutMs, signal),
    resolveType(server, name, 'AAAA', timeoutMs, signal),
  ]);
  if (a.kind === 'unanswered' && aaaa.kind === 'unanswered') return a;
  // One type unanswered while the other was answered: name the type, the resolver itself did answer.
  if (a.kind === 'unanswered') return { kind: 'unanswered', reason: `A: ${a.reason}` };
  if (aaaa.kind === 'unanswered') return { kind: 'unanswered', reason: `AAAA: ${aaaa.reason}` };
  // The CNAMEs followed before the name ran out: a host that is an alias of a name that does not resolve.
  const aliases = (kind: 'nxdomain' | 'nodata') => {
    const chain = [a, aaaa].find((t) => t.kind === kind)?.cnames ?? [];
    return chain.length > 0 ? { cnames: chain } : {};
  };
  if (a.kind === 'nxdomain' || aaaa.kind === 'nxdomain') return { kind: 'nxdomain', ...aliases('nxdomain') };
  const found = [a, aaaa].filter((t): t is Extract<TypeAnswer, { kind: 'records' }> => t.kind === 'records');
  if (found.length === 0) return { kind: 'nodata', ...aliases('nodata') };
  return {
    kind: 'addresses',
    addresses: found.flatMap((t) => t.addresses).sort((x, y) => x.localeCompare(y, 'en', { numeric: true })),
    cnames: found.reduce<string[]>(
      (longest, t) => (t.cnames.length > longest.length ? t.cnames : longest),
      [],
    ),
    ttlSeconds: Math.min(...found.map((t) => t.ttlSeconds)),
  };
}

/**
 * One record type for `name`, following CNAMEs: first through the answer section, then by asking
 * again for the last target when the server stopped there (an authoritative server does that for
 * targets outside its zones).
 */
async function resolveType(
  server: DnsServer,
  name: string,
  type: RecordType,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<TypeAnswer> {
  const cnames: string[] = [];
  const seen = new Set([name]);
  let ttlSeconds = Infinity;
  let current = name;
  for (;;) {
    const reply = await exchange(server, current, type, timeoutMs, signal);
    if ('reason' in reply) return { kind: 'unanswered', reason: reply.reason };
    const rcode = (reply as { rcode?: string }).rcode ?? 'NOERROR';
    if (rcode !== 'NOERROR' && rcode !== 'NXDOMAIN') return { kind: 'unanswered', reason: rcode };

    const answers = (reply.answers ?? []).filter(
      (r): r is dnsPacket.StringAnswer => r.type === 'CNAME' || r.type === type,
    );
    let target = current;
    for (;;) {
      const cname = answers.find((r) => r.type === 'CNAME' && sameName(r.name, target));
      if (!cname) break;
      target = cname.data.replace(/\.$/, '').toLowerCase();
      if (seen.has(target)) return { kind: 'unanswered', reason: `CNAME loop at ${target}` };
      if (cnames.length === MAX_CNAME_HOPS)
        return { kind: 'unanswered', reason: `more than ${MAX_CNAME_HOPS} CNAMEs` };
      seen.add(target);
      cnames.push(target);
      ttlSeconds = Math.min(ttlSeconds, cname.ttl ?? 0);
    }
    // The rcode speaks of the last name of the chain (RFC 6604): NXDOMAIN after CNAMEs is the target's.
    if (rcode === 'NXDOMAIN') return { kind: 'nxdomain', cnames };
    const records = answers.filter((r) => r.type === type && sameName(r.name, target));
    if (records.length > 0) {
      const ttl = Math.min(ttlSeconds, ...records.map((r) => r.ttl ?? 0));
      return { kind: 'records', addresses: records.map((r) => r.data), cnames, ttlSeconds: ttl };
    }
    if (target === current) return { kind: 'nodata', cnames };
    current = target;
  }
}

function sameName(a: string, b: string): boolean {
  return a.replace(/\.$/, '').toLowerCase() === b;
}

type Reply = dnsPacket.DecodedPacket | { reason: string };

/** One question over UDP, and again over TCP when the reply has TC set. */
async function exchange(
  server: DnsServer,
  name: string,
  type: RecordType,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Reply> {
  const id = randomInt(0, 65536);
  const query = dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name }],
  });
  const udp = await withDeadline(timeoutMs, signal, (onCleanup, finish) =>
    exchangeUdp(server, query, id, name, type, onCleanup, finish),
  );
  if ('reason' in udp || !udp.flag_tc) return udp;
  const tcp = await withDeadline(timeoutMs, signal, (onCleanup, finish) =>
    exchangeTcp(server, query, id, name, type, onCleanup, finish),
  );
  // Over TCP nothing needs truncating: a TC reply there is incomplete, and its missing answers say nothing.
  if (!('reason' in tcp) && tcp.flag_tc) return { reason: 'truncated reply over TCP' };
  return tcp;
}

type Finish = (reply: Reply) => void;
type OnCleanup = (cleanup: () => void) => void;

/**
 * Runs one transport exchange until it finishes, the timeout passes or `signal` aborts; the
 * transport registers its socket's cleanup, which always runs.
 */
function withDeadline(
  timeoutMs: number,
  signal: AbortSignal,
  exchangeWith: (onCleanup: OnCleanup, finish: Finish) => void,
): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    const cleanups: (() => void)[] = [];
    let isDone = false;
    const end = () => {
      isDone = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      for (const cleanup of cleanups) cleanup();
    };
    const finish: Finish = (reply) => {
      if (isDone) return;
      end();
      resolve(reply);
    };
    const onAbort = () => {
      if (isDone) return;
      end();
      reject(signal.reason);
    };
    const timer = setTimeout(() => finish({ reason: `timeout after ${timeoutMs / 1000}s` }), timeoutMs);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    exchangeWith((cleanup) => (isDone ? cleanup() : cleanups.push(cleanup)), finish);
  });
}

/** Whether `packet` answers our question: same id, same name and type. Anything else is stray. */
function isReplyTo(packet: dnsPacket.DecodedPacket, id: number, name: string, type: RecordType): boolean {
  const question = packet.questions?.[0];
  return (
    packet.id === id && packet.type === 'response' && question?.type === type && sameName(question.name, name)
  );
}

function exchangeUdp(
  server: DnsServer,
  query: Buffer,
  id: number,
  name: string,
  type: RecordType,
  onCleanup: OnCleanup,
  finish: Finish,
): void {
  const socket = dgram.createSocket(isIPv6(server.host) ? 'udp6' : 'udp4');
  let isClosed = false;
  onCleanup(() => {
    isClosed = true;
    socket.close();
  });
  socket.on('error', (error: NodeJS.ErrnoException) => finish({ reason: socketReason(error) }));
  socket.on('message', (message) => {
    let packet: dnsPacket.DecodedPacket;
    try {
      packet = dnsPacket.decode(message);
    } catch {
      // The socket is connected, so only the server can reach it: an undecodable datagram is its reply.
      return finish({ reason: 'malformed reply' });
    }
    if (isReplyTo(packet, id, name, type)) finish(packet);
  });
  // An abort may close the socket before the connect completes; sending then would throw.
  socket.connect(server.port, server.host, () => isClosed || socket.send(query));
}

function exchangeTcp(
  server: DnsServer,
  query: Buffer,
  id: number,
  name: string,
  type: RecordType,
  onCleanup: OnCleanup,
  finish: Finish,
): void {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(query.length);
  const socket = net.connect({ host: server.host, port: server.port });
  onCleanup(() => socket.destroy());
  let buffered = Buffer.alloc(0);
  socket.on('connect', () => socket.write(Buffer.concat([length, query])));
  socket.on('error', (error: NodeJS.ErrnoException) => finish({ reason: `TCP: ${socketReason(error)}` }));
  socket.on('end', () => finish({ reason: 'TCP: connection closed before the reply' }));
  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
      const size = buffered.readUInt16BE(0);
      const message = buffered.subarray(2, 2 + size);
      buffered = buffered.subarray(2 + size);
      let packet: dnsPacket.DecodedPacket;
      try {
        packet = dnsPacket.decode(message);
      } catch {
        return finish({ reason: 'malformed reply' });
      }
      if (isReplyTo(packet, id, name, type)) return finish(packet);
    }
  });
}

function socketReason(error: NodeJS.ErrnoException): string {
  return socketErrorReason(error.code) ?? error.code ?? error.message.split('\n')[0]!;
}
