import net from 'node:net';
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import * as dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDnsGateway } from '../../src/gateways/dns.js';
import { startKnot, type RunningKnot } from '../support/knot.js';
import { requireBinary } from '../support/require-binary.js';

const knotd = requireBinary('knotd');

const chain = Array.from({ length: 10 }, (_, i) => `c${i} CNAME ${i === 9 ? 'www' : `c${i + 1}`}`);
const many = Array.from({ length: 40 }, (_, i) => `many A 198.51.100.${i + 1}`);

const EXAMPLE_ZONE = `$ORIGIN example.test.
$TTL 300
@ SOA ns hostmaster 1 3600 900 604800 60
@ NS ns
ns A 127.0.0.1
www A 203.0.113.10
dual 60 A 203.0.113.10
dual AAAA 2001:db8::10
alias 120 CNAME alias2
alias2 CNAME www
outside CNAME target.other.test.
loop1 CNAME loop2
loop2 CNAME loop1
text TXT "no addresses here"
dangling CNAME gone
dangling-out CNAME gone.other.test.
alias-text CNAME text
*.preview A 203.0.113.20
${chain.join('\n')}
${many.join('\n')}
`;

const OTHER_ZONE = `$ORIGIN other.test.
$TTL 300
@ SOA ns.example.test. hostmaster.example.test. 1 3600 900 604800 60
@ NS ns.example.test.
target A 192.0.2.7
`;

const signal = () => AbortSignal.timeout(10_000);

knotd.describe('DNS gateway against Knot DNS', () => {
  let knot: RunningKnot;
  beforeAll(async () => {
    knot = await startKnot(knotd.path, { 'example.test': EXAMPLE_ZONE, 'other.test': OTHER_ZONE });
  });
  afterAll(async () => {
    await knot?.close();
  });

  const resolveOne = async (name: string) => {
    const [only] = await createDnsGateway({ servers: [knot.server], timeoutMs: 1000 }).resolve(
      name,
      signal(),
    );
    return only;
  };

  it('answers a plain A record with its address and TTL, naming the resolver', async () => {
    expect(await resolveOne('www.example.test')).toEqual({
      resolver: knot.server,
      answer: { kind: 'addresses', addresses: ['203.0.113.10'], cnames: [], ttlSeconds: 300 },
    });
  });

  it('answers the literal name of a wildcard with the wildcard record, as it answers any name it covers', async () => {
    const wildcard = { kind: 'addresses', addresses: ['203.0.113.20'], cnames: [], ttlSeconds: 300 };
    expect((await resolveOne('*.preview.example.test'))?.answer).toEqual(wildcard);
    expect((await resolveOne('platform-doctor-probe.preview.example.test'))?.answer).toEqual(wildcard);
    expect((await resolveOne('*.review.example.test'))?.answer).toMatchObject({ kind: 'nxdomain' });
  });

  it('joins A and AAAA addresses, sorted, with the smallest TTL', async () => {
    expect((await resolveOne('dual.example.test'))?.answer).toEqual({
      kind: 'addresses',
      addresses: ['203.0.113.10', '2001:db8::10'],
      cnames: [],
      ttlSeconds: 60,
    });
  });

  it('follows a CNAME chain given in the answer section', async () => {
    expect((await resolveOne('alias.example.test'))?.answer).toEqual({
      kind: 'addresses',
      addresses: ['203.0.113.10'],
      cnames: ['alias2.example.test', 'www.example.test'],
      ttlSeconds: 120,
    });
  });

  it('asks again for a CNAME target the authoritative server does not answer for', async () => {
    expect((await resolveOne('outside.example.test'))?.answer).toEqual({
      kind: 'addresses',
      addresses: ['192.0.2.7'],
      cnames: ['target.other.test'],
      ttlSeconds: 300,
    });
  });

  it('retries over TCP when the UDP answer is truncated, and gets every address', async () => {
    const answer = (await resolveOne('many.example.test'))?.answer;
    expect(answer?.kind).toBe('addresses');
    expect(answer?.kind === 'addresses' && answer.addresses).toEqual(
      Array.from({ length: 40 }, (_, i) => `198.51.100.${i + 1}`),
    );
  });

  it.each([
    ['missing.example.test', { kind: 'nxdomain' }],
    ['text.example.test', { kind: 'nodata' }],
    // A dangling alias: the rcode is the target's (RFC 6604); the chain says whose name ran out.
    ['dangling.example.test', { kind: 'nxdomain', cnames: ['gone.example.test'] }],
    ['dangling-out.example.test', { kind: 'nxdomain', cnames: ['gone.other.test'] }],
    ['alias-text.example.test', { kind: 'nodata', cnames: ['text.example.test'] }],
    ['loop1.example.test', { kind: 'unanswered', reason: 'CNAME loop at loop1.example.test' }],
    ['c0.example.test', { kind: 'unanswered', reason: 'more than 8 CNAMEs' }],
    ['www.not-served.invalid', { kind: 'unanswered', reason: 'REFUSED' }],
  ])('reports %s as %j', async (name, answer) => {
    expect((await resolveOne(name))?.answer).toEqual(answer);
  });

  it('treats names case-insensitively and ignores a trailing dot', async () => {
    expect((await resolveOne('WWW.Example.Test.'))?.answer).toMatchObject({ addresses: ['203.0.113.10'] });
  });

  it('asks every resolver in parallel and keeps resolver order, even when the first is silent', async () => {
    const silent = await startFakeDns(() => []);
    try {
      const gateway = createDnsGateway({ servers: [silent.server, knot.server], timeoutMs: 300 });
      expect(await gateway.resolve('www.example.test', signal())).toEqual([
        { resolver: silent.server, answer: { kind: 'unanswered', reason: 'timeout after 0.3s' } },
        {
          resolver: knot.server,
          answer: { kind: 'addresses', addresses: ['203.0.113.10'], cnames: [], ttlSeconds: 300 },
        },
      ]);
    } finally {
      await silent.close();
    }
  });
});

/** A UDP server on loopback that answers each query with whatever `reply` returns (raw datagrams). */
async function startFakeDns(reply: (query: dnsPacket.DecodedPacket) => Buffer[], port = 0) {
  const socket = dgram.createSocket('udp4');
  const queries: string[] = [];
  const senders = new Set<number>();
  const ids = new Set<number>();
  socket.on('message', (message, from) => {
    const query = dnsPacket.decode(message);
    queries.push(`${query.questions?.[0]?.type} ${query.questions?.[0]?.name}`);
    senders.add(from.port);
    ids.add(query.id!);
    for (const datagram of reply(query)) socket.send(datagram, from.port, from.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', resolve);
  });
  const bound = (socket.address() as AddressInfo).port;
  return {
    server: `127.0.0.1:${bound}`,
    queries,
    /** Source ports the queries came from. */
    senders,
    ids,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

function response(query: dnsPacket.DecodedPacket, fields: Partial<dnsPacket.Packet>): Buffer {
  return dnsPacket.encode({ type: 'response', id: query.id, questions: query.questions, ...fields });
}

/** The RCODE lives in the low four bits of the flags; 2 is SERVFAIL. */
const SERVFAIL_FLAGS = 2;

const address = (query: dnsPacket.DecodedPacket): dnsPacket.Answer[] => {
  const question = query.questions![0]!;
  return question.type === 'A' ? [{ type: 'A', name: question.name, ttl: 30, data: '192.0.2.1' }] : [];
};

describe('DNS gateway corner cases (in-test UDP server)', () => {
  it('ignores a reply with another id and takes the matching one that follows', async () => {
    const fake = await startFakeDns((query) => [
      response({ ...query, id: (query.id! + 1) % 65536 }, { answers: [] }),
      response(query, { answers: address(query) }),
    ]);
    try {
      const [only] = await createDnsGateway({ servers: [fake.server], timeoutMs: 1000 }).resolve(
        'a.test',
        signal(),
      );
      expect(only?.answer).toEqual({
        kind: 'addresses',
        addresses: ['192.0.2.1'],
        cnames: [],
        ttlSeconds: 30,
      });
    } finally {
      await fake.close();
    }
  });

  it('asks many names at once over one UDP socket, each question under its own id', async () => {
    const fake = await startFakeDns((query) => [response(query, { answers: address(query) })]);
    const udpSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;
    // Sockets of earlier tests finish closing first.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const before = udpSockets();
    try {
      const gateway = createDnsGateway({ servers: [fake.server], timeoutMs: 1000 });
      const names = Array.from({ length: 20 }, (_, i) => `host-${i}.test`);
      const answers = await Promise.all(names.map((name) => gateway.resolve(name, signal())));
      expect(answers.map(([only]) => only?.answer.kind)).toEqual(names.map(() => 'addresses'));
      expect(fake.queries).toHaveLength(40);
      expect(fake.ids.size).toBe(40);
      expect(fake.senders.size).toBe(1);
      // Nothing in flight: the socket is closed.
      await until(() => udpSockets() === before);
    } finally {
      await fake.close();
    }
  });

  it('ignores a reply with our id but another question, and takes the one that answers it', async () => {
    const fake = await startFakeDns((query) => [
      response(
        { ...query, questions: [{ type: query.questions![0]!.type, name: 'other.test' }] },
        { answers: [] },
      ),
      response(query, { answers: address(query) }),
    ]);
    try {
      const [only] = await createDnsGateway({ servers: [fake.server], timeoutMs: 1000 }).resolve(
        'a.test',
        signal(),
      );
      expect(only?.answer).toMatchObject({ kind: 'addresses', addresses: ['192.0.2.1'] });
    } finally {
      await fake.close();
    }
  });

  it('reports SERVFAIL as unanswered with the response code', async () => {
    const fake = await startFakeDns((query) => [response(query, { flags: SERVFAIL_FLAGS })]);
    try {
      const [only] = await createDnsGateway({ servers: [fake.server], timeoutMs: 1000 }).resolve(
        'a.test',
        signal(),
      );
      expect(only?.answer).toEqual({ kind: 'unanswered', reason: 'SERVFAIL' });
    } finally {
      await fake.close();
    }
  });

  it('reports an undecodable datagram as a malformed reply', async () => {
    const fake = await startFakeDns(() => [Buffer.from([1, 2, 3])]);
    try {
      const [only] = await createDnsGateway({ servers: [fake.server], timeoutMs: 1000 }).resolve(
        'a.test',
        signal(),
      );
      expect(only?.answer).toEqual({ kind: 'unanswered', reason: 'malformed reply' });
    } finally {
      await fake.close();
    }
  });

  it('says so when a truncated UDP answer cannot be fetched over TCP', async () => {
    const fake = await startFakeDns((query) => [response(query, { flags: dnsPacket.TRUNCATED_RESPONSE })]);
    try {
      const [only] = await createDnsGateway({ servers: [fake.server], timeoutMs: 1000 }).resolve(
        'a.test',
        signal(),
      );
      expect(only?.answer).toEqual({ kind: 'unanswered', reason: 'TCP: connection refused' });
    } finally {
      await fake.close();
    }
  });

  it('does not take a truncated reply over TCP with no answers for "no A record"', async () => {
    // TCP first on a free port, then UDP on the same number: the resolver asks both at one address.
    const tcp = net.createServer((socket) => {
      socket.on('data', (data) => {
        const query = dnsPacket.decode(data.subarray(2));
        const reply = response(query, { flags: dnsPacket.TRUNCATED_RESPONSE });
        const length = Buffer.alloc(2);
        length.writeUInt16BE(reply.length);
        socket.end(Buffer.concat([length, reply]));
      });
    });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    const port = (tcp.address() as AddressInfo).port;
    const fake = await startFakeDns(
      (query) => [response(query, { flags: dnsPacket.TRUNCATED_RESPONSE })],
      port,
    );
    try {
      const [only] = await createDnsGateway({ servers: [fake.server], timeoutMs: 1000 }).resolve(
        'a.test',
        signal(),
      );
      expect(only?.answer).toEqual({ kind: 'unanswered', reason: 'truncated reply over TCP' });
    } finally {
      await new Promise((resolve) => tcp.close(resolve));
      await fake.close();
    }
  });

  it('names the record type when only AAAA goes unanswered', async () => {
    const fake = await startFakeDns((query) =>
      query.questions![0]!.type === 'A' ? [response(query, { answers: address(query) })] : [],
    );
    try {
      const [only] = await createDnsGateway({ servers: [fake.server], timeoutMs: 300 }).resolve(
        'a.test',
        signal(),
      );
      expect(only?.answer).toEqual({ kind: 'unanswered', reason: 'AAAA: timeout after 0.3s' });
    } finally {
      await fake.close();
    }
  });

  it('asks once per name until forget() is called', async () => {
    const fake = await startFakeDns((query) => [response(query, { answers: address(query) })]);
    try {
      const gateway = createDnsGateway({ servers: [fake.server], timeoutMs: 1000 });
      await Promise.all([gateway.resolve('a.test', signal()), gateway.resolve('A.test.', signal())]);
      expect(fake.queries).toEqual(['A a.test', 'AAAA a.test']);
      gateway.forget();
      await gateway.resolve('a.test', signal());
      expect(fake.queries).toHaveLength(4);
    } finally {
      await fake.close();
    }
  });

  it('closes quietly when aborted before the query is even sent', async () => {
    const controller = new AbortController();
    const pending = createDnsGateway({ servers: ['127.0.0.1:9'], timeoutMs: 1000 }).resolve(
      'a.test',
      controller.signal,
    );
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    await new Promise((resolve) => setTimeout(resolve, 50));
  });

  it("rejects with the caller's abort reason and asks afresh on the next call", async () => {
    const fake = await startFakeDns(() => []);
    try {
      const gateway = createDnsGateway({ servers: [fake.server], timeoutMs: 5000 });
      const first = new AbortController();
      const pending = gateway.resolve('a.test', first.signal);
      await until(() => fake.queries.length === 2);
      first.abort(new Error('step gave up'));
      await expect(pending).rejects.toThrow('step gave up');
      const second = new AbortController();
      const again = gateway.resolve('a.test', second.signal);
      await until(() => fake.queries.length === 4);
      second.abort(new Error('step gave up again'));
      await expect(again).rejects.toThrow('step gave up again');
      expect(fake.queries).toEqual(['A a.test', 'AAAA a.test', 'A a.test', 'AAAA a.test']);
    } finally {
      await fake.close();
    }
  });
});

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('DNS gateway resolvers', () => {
  it('uses --dns-server values over the system resolvers', () => {
    const gateway = createDnsGateway({
      servers: ['10.0.0.2', '[::1]:5353'],
      readSystemResolvers: () => ['9.9.9.9'],
    });
    expect(gateway.resolvers).toEqual(['10.0.0.2:53', '[::1]:5353']);
  });

  it('falls back to the system resolvers, then to the local name server as glibc does', () => {
    expect(createDnsGateway({ readSystemResolvers: () => ['192.0.2.53', 'fe80::1%eth0'] }).resolvers).toEqual(
      ['192.0.2.53:53', '[fe80::1%eth0]:53'],
    );
    expect(createDnsGateway({ readSystemResolvers: () => [] }).resolvers).toEqual(['127.0.0.1:53']);
  });
});
