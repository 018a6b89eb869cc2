import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { DecodedPacket, Packet, RecordType } from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type DnsServer } from '../../src/sandbox/dns-server.js';
import { scenarioSchema } from '../../src/sandbox/scenario.js';

const spec = scenarioSchema.shape.dns.parse({
  records: [
    { name: 'cocdev.co.kr', type: 'A', value: '127.0.10.10' },
    { name: 'stg.cocdev.co.kr', type: 'A', value: '127.0.10.10', ttl: 60 },
    { name: 'stg.cocdev.co.kr', type: 'AAAA', value: '::1' },
    { name: 'llm.cocdev.co.kr', type: 'CNAME', value: 'lb.cocdev.co.kr.' },
    { name: 'lb.cocdev.co.kr', type: 'CNAME', value: 'elb.example.net' },
    { name: 'elb.example.net', type: 'A', value: '203.0.113.10' },
    { name: 'elb.example.net', type: 'A', value: '203.0.113.11' },
    { name: 'dangling.cocdev.co.kr', type: 'CNAME', value: 'missing.cocdev.co.kr' },
    { name: 'api.internal.cocdev.co.kr', type: 'A', value: '10.0.0.1' },
    { name: 'loop-a.cocdev.co.kr', type: 'CNAME', value: 'loop-b.cocdev.co.kr' },
    { name: 'loop-b.cocdev.co.kr', type: 'CNAME', value: 'loop-a.cocdev.co.kr' },
    { name: 'big.cocdev.co.kr', type: 'A', value: '127.0.10.10' },
  ],
  behaviour: {
    'broken.cocdev.co.kr': 'servfail',
    'quiet.cocdev.co.kr': 'silent',
    'big.cocdev.co.kr': 'truncate',
  },
});

/** dns-packet decodes `rcode` too; its type declarations leave it out. */
type Reply = DecodedPacket & { rcode: string };

let server: DnsServer;

beforeAll(async () => {
  server = await startDnsServer(spec);
});
afterAll(async () => {
  await server.close();
});

const query = (name: string, type: RecordType = 'A', extra: Partial<Packet> = {}): Buffer =>
  dnsPacket.encode({
    type: 'query',
    id: 4242,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: 'IN' }],
    ...extra,
  });

function overUdp(message: Buffer, timeoutMs = 1_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no UDP answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('message', (reply) => {
      clearTimeout(timer);
      socket.close();
      resolve(dnsPacket.decode(reply) as Reply);
    });
    socket.send(message, server.port, server.host);
  });
}

function overTcp(message: Buffer, timeoutMs = 1_000, port = server.port): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, server.host);
    let received = Buffer.alloc(0);
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`no TCP answer within ${timeoutMs} ms`));
    });
    socket.on('error', reject);
    socket.on('connect', () => socket.write(Buffer.concat([Buffer.from([0, message.length]), message])));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const decoded = dnsPacket.streamDecode(received) as Reply | null;
      if (decoded) {
        socket.destroy();
        resolve(decoded);
      }
    });
  });
}

const data = (packet: Packet, section: 'answers' | 'authorities' = 'answers') =>
  (packet[section] ?? []).map(
    (a) => `${a.name} ${a.type} ${'data' in a && typeof a.data === 'string' ? a.data : ''}`,
  );

describe('DNS over UDP', () => {
  it('answers an A query with the record, its TTL, the query id and RA', async () => {
    const reply = await overUdp(query('stg.cocdev.co.kr'));
    expect(reply).toMatchObject({ id: 4242, rcode: 'NOERROR', flag_rd: true, flag_ra: true, flag_tc: false });
    expect(reply.answers).toEqual([
      { name: 'stg.cocdev.co.kr', type: 'A', class: 'IN', ttl: 60, flush: false, data: '127.0.10.10' },
    ]);
  });

  it('answers AAAA queries from AAAA records', async () => {
    expect(data(await overUdp(query('stg.cocdev.co.kr', 'AAAA')))).toEqual(['stg.cocdev.co.kr AAAA ::1']);
  });

  it('matches names case-insensitively and with a trailing dot', async () => {
    expect(data(await overUdp(query('STG.Cocdev.co.kr.')))).toEqual(['stg.cocdev.co.kr A 127.0.10.10']);
  });

  it('follows a CNAME chain like a recursive resolver: every CNAME, then the final addresses', async () => {
    const reply = await overUdp(query('llm.cocdev.co.kr'));
    expect(reply.rcode).toBe('NOERROR');
    expect(data(reply)).toEqual([
      'llm.cocdev.co.kr CNAME lb.cocdev.co.kr',
      'lb.cocdev.co.kr CNAME elb.example.net',
      'elb.example.net A 203.0.113.10',
      'elb.example.net A 203.0.113.11',
    ]);
  });

  it('answers a CNAME query with the CNAME alone', async () => {
    expect(data(await overUdp(query('llm.cocdev.co.kr', 'CNAME')))).toEqual([
      'llm.cocdev.co.kr CNAME lb.cocdev.co.kr',
    ]);
  });

  it('answers NXDOMAIN with the zone SOA for an unknown name inside a zone', async () => {
    const reply = await overUdp(query('nope.cocdev.co.kr'));
    expect(reply.rcode).toBe('NXDOMAIN');
    expect(reply.answers).toEqual([]);
    expect(reply.authorities).toMatchObject([
      { name: 'cocdev.co.kr', type: 'SOA', data: { mname: 'ns1.cocdev.co.kr', minimum: 300 } },
    ]);
  });

  it('answers NXDOMAIN with the root SOA for a name outside every zone', async () => {
    const reply = await overUdp(query('www.example.org'));
    expect(reply.rcode).toBe('NXDOMAIN');
    expect(reply.authorities).toMatchObject([
      { name: '.', type: 'SOA', data: { mname: 'a.root-servers.net' } },
    ]);
  });

  it('answers NXDOMAIN after the CNAMEs when the chain ends at a name that does not exist', async () => {
    const reply = await overUdp(query('dangling.cocdev.co.kr'));
    expect(reply.rcode).toBe('NXDOMAIN');
    expect(data(reply)).toEqual(['dangling.cocdev.co.kr CNAME missing.cocdev.co.kr']);
  });

  it('answers NODATA (NOERROR, no answers, SOA) for an existing name without the asked type', async () => {
    const reply = await overUdp(query('cocdev.co.kr', 'AAAA'));
    expect(reply.rcode).toBe('NOERROR');
    expect(reply.answers).toEqual([]);
    expect(data(reply, 'authorities')).toEqual(['cocdev.co.kr SOA ']);
  });

  it('treats a name with records only below it as existing (NODATA, not NXDOMAIN)', async () => {
    expect((await overUdp(query('internal.cocdev.co.kr'))).rcode).toBe('NOERROR');
  });

  it('gives up on a CNAME loop with SERVFAIL', async () => {
    expect((await overUdp(query('loop-a.cocdev.co.kr'))).rcode).toBe('SERVFAIL');
  });

  it('answers SERVFAIL for a name the scenario breaks', async () => {
    const reply = await overUdp(query('broken.cocdev.co.kr'));
    expect(reply.rcode).toBe('SERVFAIL');
    expect(reply.answers).toEqual([]);
  });

  it('stays silent for a name the scenario silences, so the client times out', async () => {
    await expect(overUdp(query('quiet.cocdev.co.kr'), 300)).rejects.toThrow('no UDP answer within 300 ms');
  });

  it('sets TC with no answers over UDP for a name the scenario truncates', async () => {
    const reply = await overUdp(query('big.cocdev.co.kr'));
    expect(reply).toMatchObject({ flag_tc: true, rcode: 'NOERROR', answers: [] });
  });

  it('echoes an EDNS OPT record when the query carries one', async () => {
    const reply = await overUdp(
      query('stg.cocdev.co.kr', 'A', {
        additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096 } as never],
      }),
    );
    expect(reply.additionals).toMatchObject([{ type: 'OPT', udpPayloadSize: 1232 }]);
  });
});

describe('DNS over TCP', () => {
  it('answers with the 2-byte length framing on the same port', async () => {
    expect(data(await overTcp(query('stg.cocdev.co.kr')))).toEqual(['stg.cocdev.co.kr A 127.0.10.10']);
  });

  it('returns the full answer for a name that is truncated over UDP', async () => {
    const reply = await overTcp(query('big.cocdev.co.kr'));
    expect(reply.flag_tc).toBe(false);
    expect(data(reply)).toEqual(['big.cocdev.co.kr A 127.0.10.10']);
  });

  it('follows CNAME chains and answers NXDOMAIN as over UDP', async () => {
    expect(data(await overTcp(query('llm.cocdev.co.kr')))).toHaveLength(4);
    expect((await overTcp(query('nope.cocdev.co.kr'))).rcode).toBe('NXDOMAIN');
  });

  it('stays silent over TCP too for a silenced name', async () => {
    await expect(overTcp(query('quiet.cocdev.co.kr'), 300)).rejects.toThrow('no TCP answer within 300 ms');
  });
});

describe('close', () => {
  it('frees the TCP port: a new connection is refused', async () => {
    const other = await startDnsServer(spec);
    await other.close();
    await expect(overTcp(query('stg.cocdev.co.kr'), 1_000, other.port)).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});
