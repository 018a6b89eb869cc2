import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, LOOPBACK, spawnDaemon, stopDaemon, waitForTcp } from './daemon.js';

const execFileAsync = promisify(execFile);

function run(binary: string, args: string[]) {
  return execFileAsync(binary, args, { timeout: 10_000 });
}
const DAY_MS = 86_400_000;

/**
 * The certificate an HTTPS server block serves: `valid` (test CA, for the host), `expired` (test CA,
 * ended 30 days ago), `wrong-name` (test CA, for `other.example.test` only) or `self-signed` (the
 * ingress-nginx fake certificate).
 */
export type NginxCertificate = 'valid' | 'expired' | 'wrong-name' | 'self-signed';

export interface NginxSite {
  host: string;
  certificate: NginxCertificate;
  /** Exact paths with their status (and text body); every other path answers 200 `ok`. */
  locations?: Record<string, { status: number; body?: string }>;
}

export interface RunningNginx {
  address: string;
  httpPort: number;
  httpsPort: number;
  /** The test CA that signed the `valid`, `expired` and `wrong-name` leaves. */
  caPem: string;
  close(): Promise<void>;
}

/**
 * Starts Debian's nginx as the current user with prefix, config, pid file, logs and openssl-made
 * certificates in a temp dir. Like ingress-nginx: one HTTPS server block per host chosen by SNI, HTTP
 * answering `308 https://$host$request_uri`, and a default server answering 404 with the fake certificate.
 */
export async function startNginx(
  binaries: { nginx: string; openssl: string },
  sites: NginxSite[],
): Promise<RunningNginx> {
  const dir = await mkdtemp(path.join(tmpdir(), 'doctor-nginx-'));
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  let daemon: ReturnType<typeof spawnDaemon> | undefined;
  const close = async () => {
    if (daemon) await stopDaemon(daemon);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const pki = await makePki(binaries.openssl, dir);
    const fake = await pki.selfSigned('fake');
    const blocks = [
      server(
        [`${LOOPBACK}:${httpPort} default_server`, `${LOOPBACK}:${httpsPort} ssl default_server`],
        '_',
        fake,
        ['return 404;'],
      ),
    ];
    for (const [index, site] of sites.entries()) {
      const files = await pki.leaf(`site${index}`, site);
      blocks.push(
        server([`${LOOPBACK}:${httpPort}`], site.host, null, ['return 308 https://$host$request_uri;']),
        server([`${LOOPBACK}:${httpsPort} ssl`], site.host, files, [
          ...Object.entries(site.locations ?? {}).map(
            ([at, answer]) =>
              `location = ${at} { return ${answer.status}${answer.body ? ` '${answer.body}'` : ''}; }`,
          ),
          "location / { return 200 'ok'; }",
        ]),
      );
    }
    const temp = (name: string) => `${name}_temp_path ${path.join(dir, 'temp', name)};`;
    const config = [
      'daemon off;',
      'worker_processes 1;',
      `pid ${path.join(dir, 'nginx.pid')};`,
      `error_log ${path.join(dir, 'error.log')} warn;`,
      'events { worker_connections 64; }',
      'http {',
      'access_log off;',
      'server_tokens off;',
      'default_type text/plain;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp),
      ...blocks,
      '}',
    ].join('\n');
    await mkdir(path.join(dir, 'temp'));
    await writeFile(path.join(dir, 'nginx.conf'), `${config}\n`);
    // -e: the startup error log, before the config's error_log applies (Debian's default is /var/log/nginx).
    daemon = spawnDaemon(binaries.nginx, [
      '-p',
      dir,
      '-c',
      path.join(dir, 'nginx.conf'),
      '-e',
      path.join(dir, 'error.log'),
    ]);
    await waitForTcp(daemon, 'nginx', [httpPort, httpsPort]).catch(async (error: Error) => {
      const log = await readFile(path.join(dir, 'error.log'), 'utf8').catch(() => '');
      throw new Error(`${error.message} ${log.trim()}`);
    });
    return { address: LOOPBACK, httpPort, httpsPort, caPem: pki.caPem, close };
  } catch (error) {
    await close();
    throw error;
  }
}

interface KeyPair {
  certPath: string;
  keyPath: string;
}

function server(listen: string[], name: string, tls: KeyPair | null, body: string[]): string {
  return [
    'server {',
    ...listen.map((at) => `listen ${at};`),
    `server_name ${name};`,
    ...(tls ? [`ssl_certificate ${tls.certPath};`, `ssl_certificate_key ${tls.keyPath};`] : []),
    ...body,
    '}',
  ].join('\n');
}

/** ASN.1 GeneralizedTime, as `openssl ca -startdate/-enddate` take it: YYYYMMDDHHMMSSZ. */
function asn1Time(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * A test CA made with the openssl binary. OpenSSL 3.0 (Debian 12) has no `req -not_before`, so
 * leaves are signed with `openssl ca`, whose -startdate/-enddate can put validity in the past.
 */
async function makePki(openssl: string, dir: string) {
  const pki = path.join(dir, 'pki');
  await mkdir(path.join(pki, 'issued'), { recursive: true });
  await writeFile(path.join(pki, 'index.txt'), '');
  const caCert = path.join(pki, 'ca.crt');
  const caKey = path.join(pki, 'ca.key');
  await run(openssl, [
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    caKey,
    '-out',
    caCert,
    '-days',
    '2',
    '-subj',
    '/CN=Doctor Test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const caConfig = path.join(pki, 'ca.cnf');
  await writeFile(
    caConfig,
    [
      '[ ca ]',
      'default_ca = test_ca',
      '[ test_ca ]',
      `database = ${path.join(pki, 'index.txt')}`,
      `new_certs_dir = ${path.join(pki, 'issued')}`,
      'rand_serial = yes',
      'default_md = sha256',
      'policy = any_name',
      'unique_subject = no',
      '[ any_name ]',
      'commonName = supplied',
      '',
    ].join('\n'),
  );

  return {
    caPem: await readFile(caCert, 'utf8'),

    async leaf(name: string, site: NginxSite): Promise<KeyPair> {
      if (site.certificate === 'self-signed') return this.selfSigned(name);
      const certPath = path.join(pki, `${name}.crt`);
      const keyPath = path.join(pki, `${name}.key`);
      const csr = path.join(pki, `${name}.csr`);
      const dnsName = site.certificate === 'wrong-name' ? 'other.example.test' : site.host;
      const now = Date.now();
      const [start, end] =
        site.certificate === 'expired'
          ? [now - 60 * DAY_MS, now - 30 * DAY_MS]
          : [now - DAY_MS, now + 30 * DAY_MS];
      const extensions = path.join(pki, `${name}.ext`);
      await writeFile(
        extensions,
        [
          'basicConstraints = critical,CA:FALSE',
          'keyUsage = critical,digitalSignature',
          'extendedKeyUsage = serverAuth',
          `subjectAltName = DNS:${dnsName}`,
          '',
        ].join('\n'),
      );
      await run(openssl, [
        'req',
        '-new',
        ...EC_KEY,
        '-keyout',
        keyPath,
        '-out',
        csr,
        '-subj',
        `/CN=${dnsName}`,
      ]);
      await run(openssl, [
        'ca',
        '-batch',
        '-notext',
        '-config',
        caConfig,
        '-cert',
        caCert,
        '-keyfile',
        caKey,
        '-in',
        csr,
        '-out',
        certPath,
        '-extfile',
        extensions,
        '-startdate',
        asn1Time(new Date(start)),
        '-enddate',
        asn1Time(new Date(end)),
      ]);
      return { certPath, keyPath };
    },

    /** The certificate ingress-nginx serves when it has none for the host. */
    async selfSigned(name: string): Promise<KeyPair> {
      const certPath = path.join(pki, `${name}.crt`);
      const keyPath = path.join(pki, `${name}.key`);
      await run(openssl, [
        'req',
        '-x509',
        ...EC_KEY,
        '-keyout',
        keyPath,
        '-out',
        certPath,
        '-days',
        '365',
        '-subj',
        '/O=Acme Co/CN=Kubernetes Ingress Controller Fake Certificate',
        '-addext',
        'subjectAltName=DNS:ingress.local',
      ]);
      return { certPath, keyPath };
    },
  };
}
