// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
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

async function leaf(
  issuerName: string,
  signingKey: CryptoKey,
  options: LeafOptions,
  now: Date,
): Promise<Issued> {
  const keys = await keyPair();
  const altNames = [
    ...(options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(options.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${options.commonName}`,
    issuer: issuerName,
    notBefore: options.notBefore ?? new Date(now.getTime() - DAY_MS),
    notAfter: options.notAfter ?? new Date(now.getTime() + 90 * DAY_MS),
    signingAlgorithm: algorithm,
    publicKey: keys.publicKey,
    signingKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([
        options.client ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth,
      ]),
      ...(altNames.length ? [new x509.SubjectAlternativeNameExtension(altNames)] : []),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await pkcs8Pem(keys.privateKey) };
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
  return {
    certPem: cert.toString('pem'),
    keyPem: await pkcs8Pem(keys.privateKey),
    issue: (options) => leaf(name, keys.privateKey, options, now),
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
