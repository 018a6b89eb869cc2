import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Answer, OptAnswer, Packet, Question } from 'dns-packet';
import type { RunningServer, Scenario } from './scenario.js';

/**
 * A DNS server on one 127.0.0.1 port (UDP and TCP) that answers from the scenario's records the way a
 * recursive resolver does: CNAME chains are followed into the answer section, NXDOMAIN and NODATA carry
 * an SOA in the authority section (RFC 2308), and per-name faults imitate SERVFAIL, silence and truncation.
 */

type DnsSpec = Scenario['dns'];
type DnsRecord = NonNullable<DnsSpec['records']>[number];

/** What clients asked, for the bench: queries per host and resolver. */
export interface DnsServerStats {
  /** Messages received that decoded as DNS, over both transports. */
  queries: number;
  udp: number;
  tcp: number;
  /** Per question type: `A`, `AAAA`, `CNAME`… */
  byType: Record<string, number>;
  /** Per question name, lower case without the trailing dot. */
  byName: Record<string, number>;
}

/** A running DNS server: one host and port for both UDP and TCP. */
export interface DnsServer extends RunningServer {
  host: string;
  port: number;
  stats: DnsServerStats;
}

/** Longest CNAME chain followed before giving up, as resolvers cap chains against loops. */
const MAX_CNAME_HOPS = 8;
/** RFC 1035 §4.2.1: the UDP limit for a client that sent no EDNS OPT record. */
const CLASSIC_UDP_LIMIT = 512;
/** The EDNS buffer size this server advertises (DNS flag day 2020 recommendation). */
const EDNS_UDP_SIZE = 1232;
const NEGATIVE_TTL = 300;

const canonical = (name: string): string => name.toLowerCase().replace(/\.+$/, '');
const labels = (name: string): string[] => (name === '' ? [] : name.split('.'));
const isAtOrBelow = (name: string, zone: string): boolean =>
  zone === '' || name === zone || name.endsWith(`.${zone}`);

/**
 * Zone apexes for the negative answers' SOA: names are grouped by their last two labels and each group's
 * apex is the longest suffix its names share (`cocdev.co.kr` for `stg.cocdev.co.kr` and `cocdev.co.kr`);
 * a lone name's apex is its last two labels.
 */
function zonesOf(names: string[]): string[] {
  const groups = new Map<string, string[][]>();
  for (const name of names) {
    const parts = labels(name);
    const key = parts.slice(-2).join('.');
    groups.set(key, [...(groups.get(key) ?? []), parts]);
  }
  return [...groups.entries()].map(([key, members]) => {
    if (members.length === 1) return key;
    const shortest = Math.min(...members.map((m) => m.length));
    let shared = 2;
    while (shared < shortest && members.every((m) => m.at(-shared - 1) === members[0]!.at(-shared - 1)))
      shared++;
    return members[0]!.slice(-shared).join('.');
  });
}

function soaFor(zone: string): Answer {
  // Outside every scenario zone a recursive resolver returns the root's SOA for a nonexistent TLD.
  const apex = zone === '' ? '.' : zone;
  return {
    name: apex,
    type: 'SOA',
    class: 'IN',
    ttl: NEGATIVE_TTL,
    data:
      zone === ''
        ? {
            mname: 'a.root-servers.net',
            rname: 'nstld.verisign-grs.com',
            serial: 2026010100,
            refresh: 1800,
            retry: 900,
            expire: 604800,
            minimum: 86400,
          }
        : {
            mname: `ns1.${zone}`,
            rname: `hostmaster.${zone}`,
            serial: 2026010100,
            refresh: 7200,
            retry: 3600,
            expire: 1209600,
            minimum: NEGATIVE_TTL,
          },
  };
}

/** Builds answers from the records; pure apart from the records it closes over. */
function createResolver(records: DnsRecord[]) {
  const byName = new Map<string, DnsRecord[]>();
  for (const record of records) {
    const name = canonical(record.name);
    byName.set(name, [...(byName.get(name) ?? []), record]);
  }
  const zones = zonesOf([...byName.keys()]);
  const zoneOf = (name: string): string =>
    zones.filter((zone) => isAtOrBelow(name, zone)).sort((a, b) => b.length - a.length)[0] ?? '';
  // A name with no records but with records below it is an empty non-terminal: it exists (NODATA, not NXDOMAIN).
  const exists = (name: string): boolean =>
    byName.has(name) || [...byName.keys()].some((owner) => owner.endsWith(`.${name}`));

  const toAnswer = (record: DnsRecord): Answer =>
    ({
      name: canonical(record.name),
      type: record.type,
      class: 'IN',
      ttl: record.ttl,
      data: record.type === 'CNAME' ? canonical(record.value) : record.value,
    }) as Answer;

  return function resolve(question: Question): Pick<Packet, 'answers' | 'authorities'> & { rcode: number } {
    const answers: Answer[] = [];
    let name = canonical(question.name);
    for (let hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
      const owned = byName.get(name) ?? [];
      const matching = owned.filter((r) => r.type === question.type);
      if (matching.length > 0)
        return { rcode: 0, answers: [...answers, ...matching.map(toAnswer)], authorities: [] };
      const cname = owned.find((r) => r.type === 'CNAME');
      if (!cname) break;
      answers.push(toAnswer(cname));
      name = canonical(cname.value);
    }
    // A chain longer than the cap is a loop or a misconfiguration: resolvers give up with SERVFAIL.
    if (answers.length > MAX_CNAME_HOPS) return { rcode: 2, answers: [], authorities: [] };
    // The rcode describes the last name in the chain (RFC 6604): NXDOMAIN even after CNAMEs were followed.
    const rcode = exists(name) ? 0 : 3;
    return { rcode, answers, authorities: [soaFor(zoneOf(name))] };
  };
}

/**
 * Binds TCP to a random port, then UDP to the same number. Another process may hold that UDP port, so a
 * few fresh TCP ports are tried before giving up.
 */
async function listenOnSharedPort(
  tcp: Server,
  createUdp: () => DgramSocket,
  attempts = 5,
): Promise<{ port: number; udp: DgramSocket }> {
  for (let attempt = 1; ; attempt++) {
    const udp = createUdp();
    await new Promise<void>((done, fail) => {
      tcp.once('error', fail);
      tcp.listen(0, '127.0.0.1', () => {
        tcp.off('error', fail);
        done();
      });
    });
    const { port } = tcp.address() as AddressInfo;
    try {
      await new Promise<void>((done, fail) => {
        udp.once('error', fail);
        udp.bind(port, '127.0.0.1', () => {
          udp.off('error', fail);
          done();
        });
      });
      return { port, udp };
    } catch (error) {
      udp.close();
      await new Promise<void>((done) => tcp.close(() => done()));
      if (attempt >= attempts) throw error;
    }
  }
}

/** Starts the DNS server on a random 127.0.0.1 port, the same number for UDP and TCP. */
export async function startDnsServer(spec: DnsSpec): Promise<DnsServer> {
  const resolve = createResolver(spec.records ?? []);
  const behaviour = new Map(Object.entries(spec.behaviour ?? {}).map(([name, b]) => [canonical(name), b]));
  const stats: DnsServerStats = { queries: 0, udp: 0, tcp: 0, byType: {}, byName: {} };

  /** The reply to `query`, or null when the scenario wants this name to go unanswered. */
  function answer(query: Packet, transport: 'udp' | 'tcp'): Buffer | null {
    const question = query.questions?.[0];
    stats.queries++;
    stats[transport]++;
    const type = question?.type ?? '(none)';
    stats.byType[type] = (stats.byType[type] ?? 0) + 1;
    if (question) {
      const name = canonical(question.name);
      stats.byName[name] = (stats.byName[name] ?? 0) + 1;
    }
    const opt = query.additionals?.find((a): a is OptAnswer => a.type === 'OPT');
    const rd = (query.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
    const edns: OptAnswer = {
      type: 'OPT',
      name: '.',
      udpPayloadSize: EDNS_UDP_SIZE,
      extendedRcode: 0,
      ednsVersion: 0,
      flags: 0,
      flag_do: false,
      options: [],
    };
    const reply = (rcode: number, body: Pick<Packet, 'answers' | 'authorities'>, tc = false): Buffer =>
      dnsPacket.encode({
        id: query.id,
        type: 'response',
        flags: rd | dnsPacket.RECURSION_AVAILABLE | (tc ? dnsPacket.TRUNCATED_RESPONSE : 0) | rcode,
        questions: query.questions ?? [],
        ...body,
        // A resolver that understands EDNS answers an OPT with one of its own.
        additionals: opt ? [edns] : [],
      });
    const empty = { answers: [], authorities: [] };

    if (!question) return reply(1, empty); // FORMERR: a query must ask one question
    const fault = behaviour.get(canonical(question.name));
    if (fault === 'silent') return null;
    if (fault === 'servfail') return reply(2, empty);
    if (fault === 'truncate' && transport === 'udp') return reply(0, empty, true);

    const { rcode, ...body } = resolve(question);
    const full = reply(rcode, body);
    const limit = opt
      ? Math.min(Math.max(opt.udpPayloadSize, CLASSIC_UDP_LIMIT), EDNS_UDP_SIZE)
      : CLASSIC_UDP_LIMIT;
    return transport === 'udp' && full.length > limit ? reply(rcode, empty, true) : full;
  }

  function decode(buffer: Buffer): Packet | null {
    try {
      return dnsPacket.decode(buffer);
    } catch {
      return null; // a datagram that is not DNS gets no answer, as from any resolver
    }
  }

  const createUdp = (): DgramSocket => {
    const udp = createSocket('udp4');
    // A reply that cannot be sent (the client went away) concerns that client only, not the sandbox.
    udp.on('error', () => undefined);
    udp.on('message', (message, remote) => {
      const query = decode(message);
      const response = query && answer(query, 'udp');
      if (response) udp.send(response, remote.port, remote.address);
    });
    return udp;
  };

  const sockets = new Set<Socket>();
  const tcp = createServer((socket) => {
    sockets.add(socket);
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      // RFC 1035 §4.2.2 framing: a 2-byte length before each message; several may share one connection.
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const length = pending.readUInt16BE(0);
        const query = decode(pending.subarray(2, 2 + length));
        pending = pending.subarray(2 + length);
        if (!query) return void socket.destroy();
        const response = answer(query, 'tcp');
        if (response)
          socket.write(
            Buffer.concat([Buffer.from([response.length >> 8, response.length & 0xff]), response]),
          );
      }
    });
  });

  const { port, udp } = await listenOnSharedPort(tcp, createUdp);
  return {
    host: '127.0.0.1',
    port,
    stats,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all([
        new Promise<void>((done) => udp.close(() => done())),
        new Promise<void>((done, fail) => tcp.close((error) => (error ? fail(error) : done()))),
      ]);
    },
  };
}
