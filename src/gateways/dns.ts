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
  // Names in flight at once across resolvers (two questions each, A and AAAA): steps ask for every host
  // together and this queues them, well within a UDP socket's receive buffer.
  const limit = pLimit(32);
  const channels = servers.map((server) => new UdpChannel(server));

  return {
    resolvers: servers.map(formatIpEndpoint),
    resolve(name, signal) {
      const fqdn = name.replace(/\.$/, '').toLowerCase();
      const what = `${servers.length === 1 ? `the resolver ${formatIpEndpoint(servers[0]!)}` : 'the resolvers'} (${fqdn})`;
      return reads.read(fqdn, signal, what, (workSignal) =>
        Promise.all(
          channels.map(async (channel): Promise<ResolverAnswer> => ({
            resolver: formatIpEndpoint(channel.server),
            answer: await limit(() => resolveWith(channel, fqdn, timeoutMs, workSignal)),
          })),
        ),
      );
    },
    forget(signal) {
      reads.clear(signal);
    },
    // A resolver's UDP socket closes once no question is in flight; a TCP retry closes its own connection.
    async close() {
      reads.clear();
      for (const channel of channels) channel.close();
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
  channel: UdpChannel,
  name: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<DnsAnswer> {
  const [a, aaaa] = await Promise.all([
    resolveType(channel, name, 'A', timeoutMs, signal),
    resolveType(channel, name, 'AAAA', timeoutMs, signal),
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
  channel: UdpChannel,
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
    const reply = await exchange(channel, current, type, timeoutMs, signal);
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
  channel: UdpChannel,
  name: string,
  type: RecordType,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Reply> {
  const udp = await channel.ask(name, type, timeoutMs, signal);
  if ('reason' in udp || !udp.flag_tc) return udp;
  const id = randomInt(0, 65536);
  const tcp = await withDeadline(timeoutMs, signal, (onCleanup, finish) =>
    exchangeTcp(channel.server, encodeQuery(id, name, type), id, name, type, onCleanup, finish),
  );
  // Over TCP nothing needs truncating: a TC reply there is incomplete, and its missing answers say nothing.
  if (!('reason' in tcp) && tcp.flag_tc) return { reason: 'truncated reply over TCP' };
  return tcp;
}

function encodeQuery(id: number, name: string, type: RecordType): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name }],
  });
}

type Finish = (reply: Reply) => void;
type OnCleanup = (cleanup: () => void) => void;

/**
 * Runs one transport exchange until it finishes, the timeout passes or `signal` aborts; the
 * transport registers its cleanup, which always runs.
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

interface Question {
  name: string;
  type: RecordType;
  finish: Finish;
}

/**
 * The UDP side of one resolver: every question in flight to it shares one connected socket, each under a
 * random id no other question in flight holds, and a reply is taken only for the id and question it
 * carries. The socket opens with the first question and closes once none is in flight.
 */
class UdpChannel {
  readonly #pending = new Map<number, Question>();
  #socket: dgram.Socket | null = null;
  /** Queries written before the socket was connected; null once it is. */
  #unsent: Buffer[] | null = null;

  constructor(readonly server: DnsServer) {}

  ask(name: string, type: RecordType, timeoutMs: number, signal: AbortSignal): Promise<Reply> {
    return withDeadline(timeoutMs, signal, (onCleanup, finish) => {
      let id = randomInt(0, 65536);
      while (this.#pending.has(id)) id = randomInt(0, 65536);
      this.#pending.set(id, { name, type, finish });
      onCleanup(() => {
        this.#pending.delete(id);
        if (this.#pending.size === 0) this.close();
      });
      this.#send(encodeQuery(id, name, type));
    });
  }

  /** Closes the socket; a question still in flight goes unanswered. */
  close(reason = 'closed before the reply'): void {
    this.#socket?.close();
    this.#socket = null;
    for (const question of [...this.#pending.values()]) question.finish({ reason });
  }

  #send(query: Buffer): void {
    if (!this.#socket) this.#open();
    if (this.#unsent) this.#unsent.push(query);
    else this.#socket!.send(query);
  }

  #open(): void {
    const socket = dgram.createSocket(isIPv6(this.server.host) ? 'udp6' : 'udp4');
    const unsent: Buffer[] = [];
    this.#socket = socket;
    this.#unsent = unsent;
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A socket error (ICMP port unreachable, say) is the resolver's answer to every question in flight.
      if (this.#socket === socket) this.close(socketReason(error));
    });
    socket.on('message', (message) => this.#receive(message));
    socket.connect(this.server.port, this.server.host, () => {
      if (this.#socket !== socket) return;
      this.#unsent = null;
      for (const query of unsent) socket.send(query);
    });
  }

  #receive(message: Buffer): void {
    let packet: dnsPacket.DecodedPacket;
    try {
      packet = dnsPacket.decode(message);
    } catch {
      // The socket is connected, so only the server can reach it: an undecodable datagram is its reply to
      // the question whose id it carries, or, when it carries none of ours, to every question in flight.
      const owner = message.length >= 2 ? this.#pending.get(message.readUInt16BE(0)) : undefined;
      for (const question of owner ? [owner] : [...this.#pending.values()]) {
        question.finish({ reason: 'malformed reply' });
      }
      return;
    }
    const question = this.#pending.get(packet.id ?? -1);
    if (question && isReplyTo(packet, packet.id!, question.name, question.type)) question.finish(packet);
  }
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
