// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { generateKeyPairSync, KeyObject, sign, webcrypto } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import * as x509 from '@peculiar/x509';

/**
 * Certificates for the sandbox, made in-process without network or the openssl binary.
 * @peculiar/x509 is a maintained X.509 builder on WebCrypto; node:crypto can parse certificates but not
 * create them. ECDSA P-256 keys keep sandbox start-up fast (an RSA-2048 key takes ~100 ms each).
 */
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

export interface Issued {
  certPem: string;
  keyPem: string;
}

export interface CertificateAuthority extends Issued {
  /** Issues a leaf certificate for `dnsNames` (and `ipAddresses`) valid from `notBefore` to `notAfter`. */
  issue(options: LeafOptions): Promise<Issued>;
}

export interface LeafOptions {
  commonName: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  notBefore?: Date;
  notAfter?: Date;
  /** Client-auth certificate (kube API client) instead of a server certificate. */
  client?: boolean;
}

async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function pkcs8Pem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function serial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(12)))
    .toString('hex')
    .replace(/^0+/, '1');
}

// ---------------------------------------------------------------- leaves, encoded directly
// A leaf through @peculiar/x509 costs ~1.3 ms (it builds an ASN.1 object tree, serialises it and parses the
// result back); a sandbox with 1,000 hosts issues 1,000 of them at start-up. Leaves are therefore DER-encoded
// here (RFC 5280 §4.1, the same fields and extensions as before) and signed with node:crypto: ~0.15 ms each.
// CAs and self-signed certificates, made once per sandbox, keep using @peculiar/x509.

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, ...items);

function objectId(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * first + second];
  for (const arc of rest) {
    const groups = [arc & 0x7f];
    for (let v = arc >>> 7; v > 0; v >>>= 7) groups.unshift(0x80 | (v & 0x7f));
    bytes.push(...groups);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** A positive INTEGER from hex (a leading 0x00 when the high bit is set). */
function positiveInteger(hex: string): Buffer {
  const raw = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  return tlv(0x02, raw[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), raw]) : raw);
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
function time(date: Date): Buffer {
  const iso = date
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
}

/** `CN=value` as @peculiar/x509 writes it: PrintableString when the value allows, else UTF8String. */
function commonNameDer(value: string): Buffer {
  const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value);
  const text = tlv(printable ? 0x13 : 0x0c, Buffer.from(value, 'utf8'));
  return sequence(tlv(0x31, sequence(objectId('2.5.4.3'), text)));
}

/** The raw subject Name of a DER certificate: issued leaves must carry it byte for byte as their issuer. */
function subjectDer(certDer: Buffer): Buffer {
  const children = (buf: Buffer, offset: number): { start: number; end: number; tag: number }[] => {
    const header = (at: number) => {
      const first = buf[at + 1]!;
      if (first < 0x80) return { length: first, size: 2 };
      let length = 0;
      for (let i = 0; i < (first & 0x7f); i++) length = (length << 8) | buf[at + 2 + i]!;
      return { length, size: 2 + (first & 0x7f) };
    };
    const outer = header(offset);
    const items = [];
    for (let at = offset + outer.size; at < offset + outer.size + outer.length;) {
      const { length, size } = header(at);
      items.push({ start: at, end: at + size + length, tag: buf[at]! });
      at += size + length;
    }
    return items;
  };
  const tbs = children(certDer, 0)[0]!;
  const fields = children(certDer, tbs.start).filter((f) => f.tag !== 0xa0);
  // serialNumber, signature, issuer, validity, subject
  const subject = fields[4]!;
  return certDer.subarray(subject.start, subject.end);
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(objectId(id), ...(critical ? [tlv(0x01, Buffer.from([0xff]))] : []), tlv(0x04, value));
}

function ipBytes(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  if (!isIPv6(ip)) throw new Error(`not an IP address: ${ip}`);
  const [head = '', tail = ''] = ip.split('::');
  const words = (part: string) => (part ? part.split(':').map((w) => Number.parseInt(w, 16)) : []);
  const [left, right] = [words(head), ip.includes('::') ? words(tail) : []];
  const all = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return Buffer.from(all.flatMap((w) => [w >> 8, w & 0xff]));
}

const ECDSA_WITH_SHA256 = sequence(objectId('1.2.840.10045.4.3.2'));

function leaf(issuerCertDer: Buffer, signingKey: KeyObject, options: LeafOptions, now: Date): Issued {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const altNames = [
    ...(options.dnsNames ?? []).map((name) => tlv(0x82, Buffer.from(name, 'ascii'))),
    ...(options.ipAddresses ?? []).map((ip) => tlv(0x87, ipBytes(ip))),
  ];
  const extensions = [
    extension('2.5.29.19', true, sequence()),
    // digitalSignature (bit 0) and keyEncipherment (bit 2): 5 unused bits.
    extension('2.5.29.15', true, tlv(0x03, Buffer.from([0x05, 0xa0]))),
    extension(
      '2.5.29.37',
      false,
      sequence(objectId(options.client ? '1.3.6.1.5.5.7.3.2' : '1.3.6.1.5.5.7.3.1')),
    ),
    ...(altNames.length ? [extension('2.5.29.17', false, sequence(...altNames))] : []),
  ];
  const tbs = sequence(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    positiveInteger(serial()),
    ECDSA_WITH_SHA256,
    subjectDer(issuerCertDer),
    sequence(
      time(options.notBefore ?? new Date(now.getTime() - DAY_MS)),
      time(options.notAfter ?? new Date(now.getTime() + 90 * DAY_MS)),
    ),
    commonNameDer(options.commonName),
    keys.publicKey.export({ type: 'spki', format: 'der' }),
    tlv(0xa3, sequence(...extensions)),
  );
  const signature = sign('sha256', tbs, { key: signingKey, dsaEncoding: 'der' });
  const der = sequence(tbs, ECDSA_WITH_SHA256, tlv(0x03, Buffer.from([0]), signature));
  return {
    certPem: x509.PemConverter.encode(der, 'CERTIFICATE'),
    keyPem: String(keys.privateKey.export({ type: 'pkcs8', format: 'pem' })).trimEnd(),
  };
}

/** A new CA with `commonName`; `now` is injectable so tests can make expired chains. */
export async function createCertificateAuthority(
  commonName: string,
  now = new Date(),
): Promise<CertificateAuthority> {
  const keys = await keyPair();
  const name = `CN=${commonName}`;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name,
    notBefore: new Date(now.getTime() - 2 * DAY_MS),
    notAfter: new Date(now.getTime() + 3650 * DAY_MS),
    signingAlgorithm: algorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const caDer = Buffer.from(cert.rawData);
  const caKey = KeyObject.from(keys.privateKey as Parameters<typeof KeyObject.from>[0]);
  return {
    certPem: cert.toString('pem'),
    keyPem: await pkcs8Pem(keys.privateKey),
    issue: async (options) => leaf(caDer, caKey, options, now),
  };
}

/** A self-signed leaf, like ingress-nginx's fake default certificate. */
export async function createSelfSigned(options: LeafOptions, now = new Date()): Promise<Issued> {
  const keys = await keyPair();
  const name = `CN=${options.commonName}`;
  const altNames = (options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value }));
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name,
    notBefore: options.notBefore ?? new Date(now.getTime() - DAY_MS),
    notAfter: options.notAfter ?? new Date(now.getTime() + 365 * DAY_MS),
    signingAlgorithm: algorithm,
    keys,
    extensions: altNames.length ? [new x509.SubjectAlternativeNameExtension(altNames)] : [],
  });
  return { certPem: cert.toString('pem'), keyPem: await pkcs8Pem(keys.privateKey) };
}
