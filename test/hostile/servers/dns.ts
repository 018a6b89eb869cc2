/**
 * A hostile DNS server on 127.0.0.1, UDP and TCP on one port:
 * - `garbage`: every query gets random bytes back (over UDP, and length-prefixed over TCP);
 * - `truncated`: UDP replies set TC with no answers; the TCP retry gets TC set again and still no answers
 *   (a broken middlebox): nothing was learned, which is not "the name has no A record";
 * - `nxdomain`: a correct NXDOMAIN for every name (for names that must not resolve, such as `*.svc`).
 * Every query is counted per transport.
 */
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import * as dnsPacket from 'dns-packet';
import { freePort } from '../../support/daemon.js';

export type DnsMode = 'garbage' | 'truncated' | 'nxdomain';

export interface HostileDns {
  /** `127.0.0.1:PORT`, as `--dns-server` takes it. */
  server: string;
  queries: { udp: number; tcp: number };
  close(): Promise<void>;
}

function reply(query: Buffer, mode: DnsMode): Buffer {
  if (mode === 'garbage') return randomBytes(48);
  const packet = dnsPacket.decode(query);
  const NXDOMAIN = 3;
  return dnsPacket.encode({
    type: 'response',
    id: packet.id,
    flags:
      dnsPacket.RECURSION_DESIRED |
      dnsPacket.RECURSION_AVAILABLE |
      (mode === 'truncated' ? dnsPacket.TRUNCATED_RESPONSE : 0) |
      (mode === 'nxdomain' ? NXDOMAIN : 0),
    questions: packet.questions,
    answers: [],
  } as dnsPacket.Packet);
}

export async function startDns(mode: DnsMode): Promise<HostileDns> {
  const port = await freePort(true);
  const queries = { udp: 0, tcp: 0 };
  const udp = dgram.createSocket('udp4');
  udp.on('message', (message, peer) => {
    queries.udp += 1;
    try {
      udp.send(reply(message, mode), peer.port, peer.address);
    } catch {
      // an undecodable query gets no answer
    }
  });
  await new Promise<void>((resolve) => udp.bind(port, '127.0.0.1', resolve));

  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const size = buffered.readUInt16BE(0);
        const query = buffered.subarray(2, 2 + size);
        buffered = buffered.subarray(2 + size);
        queries.tcp += 1;
        try {
          const answer = reply(query, mode);
          const length = Buffer.alloc(2);
          length.writeUInt16BE(answer.length);
          socket.write(Buffer.concat([length, answer]));
        } catch {
          socket.destroy();
        }
      }
    });
  });
  await new Promise<void>((resolve) => tcp.listen(port, '127.0.0.1', resolve));

  return {
    server: `127.0.0.1:${port}`,
    queries,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => tcp.close(() => resolve())),
        new Promise<void>((resolve) => udp.close(() => resolve())),
      ]);
    },
  };
}
