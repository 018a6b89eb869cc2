import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningServer, Scenario } from './scenario.js';

/**
 * A read-only imitation of the OpenBao HTTP API (the Vault API) on 127.0.0.1: health, seal status, token
 * lookup-self, capabilities-self and KV v2 reads, with the status codes and bodies of OpenBao 2.x.
 * Sources: openbao/openbao http/sys_health.go, http/handler.go (injectDataIntoTopRoutes, Cache-Control),
 * sdk/logical/response.go (RespondWithStatusCode), vault/token_store.go (lookup fields), and
 * /work/shared/reference/failure-signatures.md §3.
 */

type OpenBaoSpec = Scenario['openbao'];
type BaoToken = NonNullable<OpenBaoSpec['tokens']>[number];

/** What the doctor asked for that it must never ask for: writes are refused with 405 and recorded here. */
export interface OpenBaoStats {
  /** `METHOD /v1/path` (no query, no body) of every refused write, in arrival order. */
  writes: string[];
  /** Every request, as `METHOD /v1/path` (no query) → count. */
  requests: Record<string, number>;
}

/** A running imitation OpenBao: where it listens and what it refused. */
export interface OpenBaoServer extends RunningServer {
  /** `http://127.0.0.1:PORT`, without `/v1`. */
  address: string;
  stats: OpenBaoStats;
}

/** Test seams for `startOpenBao`. */
export interface OpenBaoOptions {
  /** The clock token TTLs and `server_time_utc` are read from; token TTLs count down from start-up. */
  now?: () => Date;
}

const DAY_MS = 86_400_000;
const MULTIERROR_DENIED = '1 error occurred:\n\t* permission denied\n\n';
const SEALED = 'Vault is sealed';

class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

const errors = (status: number, messages: string[] = []): Reply => new Reply(status, { errors: messages });

/** OpenBao ≥ 2.6.0 renamed seal-status `build_date` to `commit_date` (GH-2678); older servers and Vault keep it. */
function hasCommitDate(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map((part) => Number.parseInt(part, 10));
  return major > 2 || (major === 2 && minor >= 6);
}

/** Go's strconv.ParseBool, which sys/health uses for `standbyok`. */
function parseGoBool(value: string): boolean | null {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return null;
}

/** Starts the imitation OpenBao on a random loopback port; defaults: initialized, unsealed, active, 2.6.2. */
export async function startOpenBao(spec: OpenBaoSpec, options: OpenBaoOptions = {}): Promise<OpenBaoServer> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const initialized = spec.initialized ?? true;
  // An uninitialized core reports itself sealed as well (core.Sealed() is true before init).
  const sealed = (spec.sealed ?? false) || !initialized;
  const standby = spec.standby ?? false;
  const version = spec.version ?? '2.6.2';
  const denied = errors(403, [spec.deniedStyle === 'plain' ? 'permission denied' : MULTIERROR_DENIED]);
  const cluster = { name: `openbao-cluster-${randomBytes(4).toString('hex')}`, id: randomUUID() };
  const tokens = new Map((spec.tokens ?? []).map((t) => [t.token, { ...t, accessor: randomUUID() }]));
  const kv = new Map(Object.entries(spec.kv ?? {}));
  const mounts = new Set([...kv.keys()].map((key) => key.split('/')[0]!));
  const stats: OpenBaoStats = { writes: [], requests: {} };
  const iso = (ms: number) => new Date(ms).toISOString();

  const envelope = (data: unknown, mountType: string) => ({
    request_id: randomUUID(),
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data,
    wrap_info: null,
    warnings: null,
    auth: null,
    mount_type: mountType,
  });

  /** Seconds the token has left now; negative once it has expired. 0 means it never expires. */
  const ttlLeft = (t: BaoToken): number =>
    t.ttlSeconds === 0 ? 0 : t.ttlSeconds - Math.floor((now().getTime() - startedAt.getTime()) / 1000);

  const isRoot = (t: BaoToken) => t.policies.includes('root');

  function authenticate(req: IncomingMessage): (BaoToken & { accessor: string }) | null {
    const header = req.headers['x-vault-token'];
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const presented = (Array.isArray(header) ? header[0] : header) || bearer;
    const token = presented ? tokens.get(presented) : undefined;
    if (!token || token.revoked || token.ttlSeconds < 0 || ttlLeft(token) < 0) return null;
    return token;
  }

  function capabilitiesOf(token: BaoToken, path: string): string[] {
    if (isRoot(token)) return ['root'];
    const listed = token.capabilities[path.replace(/^\/+/, '')];
    return listed?.length ? [...listed].sort() : ['deny'];
  }

  function health(query: URLSearchParams): Reply {
    const codes = { uninitcode: 501, sealedcode: 503, standbycode: 429, activecode: 200 };
    let standbyOk = false;
    const standbyOkParam = query.get('standbyok');
    if (standbyOkParam !== null) {
      const parsed = parseGoBool(standbyOkParam);
      if (parsed === null) return errors(400);
      standbyOk = parsed;
    }
    for (const field of Object.keys(codes) as (keyof typeof codes)[]) {
      const raw = query.get(field);
      if (raw === null) continue;
      const code = Number(raw);
      // Go's Atoi rejects non-integers with 400; codes outside 100–999 cannot be written by any HTTP server.
      if (!/^[+-]?\d+$/.test(raw) || code < 100 || code > 999) return errors(400);
      codes[field] = code;
    }
    let status = codes.activecode;
    if (!initialized) status = codes.uninitcode;
    else if (sealed) status = codes.sealedcode;
    else if (standby && !standbyOk) status = codes.standbycode;
    return new Reply(status, {
      initialized,
      sealed,
      standby,
      performance_standby: false,
      replication_performance_mode: 'disabled',
      replication_dr_mode: 'disabled',
      server_time_utc: Math.floor(now().getTime() / 1000),
      version,
      // Set only `if !sealed` in sys_health.go; Go's omitempty then drops the keys.
      ...(sealed ? {} : { cluster_name: cluster.name, cluster_id: cluster.id }),
    });
  }

  function sealStatus(): Reply {
    return new Reply(200, {
      type: 'shamir',
      initialized,
      sealed,
      t: initialized ? 3 : 0,
      n: initialized ? 5 : 0,
      progress: 0,
      nonce: '',
      version,
      [hasCommitDate(version) ? 'commit_date' : 'build_date']: '2026-08-18T00:00:00Z',
      migration: false,
      ...(sealed ? {} : { cluster_name: cluster.name, cluster_id: cluster.id }),
      recovery_seal: false,
      storage_type: 'raft',
    });
  }

  function lookupSelf(token: BaoToken & { accessor: string }): Reply {
    const ttl = ttlLeft(token);
    const root = isRoot(token);
    const data: Record<string, unknown> = {
      accessor: token.accessor,
      creation_time: Math.floor(startedAt.getTime() / 1000),
      creation_ttl: token.ttlSeconds,
      display_name: root ? 'root' : 'token',
      entity_id: '',
      expire_time: token.ttlSeconds === 0 ? null : iso(startedAt.getTime() + token.ttlSeconds * 1000),
      explicit_max_ttl: 0,
      // The real API returns the token itself here; the doctor's gateway must drop it.
      id: token.token,
      meta: null,
      num_uses: 0,
      orphan: root,
      path: root ? 'auth/token/root' : 'auth/token/create',
      policies: token.policies,
      ttl,
      type: 'service',
    };
    // token_store.go sets renewable and issue_time only from the token's lease; a non-expiring token has none.
    if (token.ttlSeconds !== 0) {
      data.issue_time = iso(startedAt.getTime());
      data.renewable = token.renewable;
    }
    return new Reply(200, envelope(data, 'token'));
  }

  function capabilitiesSelf(token: BaoToken, body: string): Reply {
    let paths: string[];
    try {
      const parsed = JSON.parse(body || '{}') as { paths?: unknown; path?: unknown };
      const raw = parsed.paths ?? parsed.path ?? [];
      const list: unknown[] = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [];
      paths = list.map((p) => String(p).trim()).filter(Boolean);
    } catch {
      return errors(400, ['error parsing JSON']);
    }
    const data: Record<string, string[]> = {};
    for (const path of paths) data[path] = capabilitiesOf(token, path);
    // Kept for backwards compatibility by the server when exactly one path is asked.
    if (paths.length === 1) data.capabilities = data[paths[0]!]!;
    // sys/capabilities-self is in injectDataIntoTopRoutes: the data is copied to the top level too.
    return new Reply(200, { ...data, ...envelope(data, 'system') });
  }

  function kvRead(token: BaoToken, mount: string, kind: 'data' | 'metadata', path: string): Reply {
    if (!capabilitiesOf(token, `${mount}/${kind}/${path}`).some((c) => c === 'read' || c === 'root')) {
      return denied;
    }
    const key = `${mount}/${path}`;
    if (!kv.has(key)) return errors(404);
    const values = kv.get(key)!;
    const createdTime = iso(startedAt.getTime() - 2 * DAY_MS);
    const deletionTime = values === null ? iso(startedAt.getTime() - DAY_MS) : '';
    if (kind === 'metadata') {
      return new Reply(
        200,
        envelope(
          {
            cas_required: false,
            created_time: createdTime,
            current_version: 1,
            custom_metadata: null,
            delete_version_after: '0s',
            max_versions: 0,
            oldest_version: 0,
            updated_time: createdTime,
            versions: { '1': { created_time: createdTime, deletion_time: deletionTime, destroyed: false } },
          },
          'kv',
        ),
      );
    }
    const metadata = {
      created_time: createdTime,
      custom_metadata: null,
      deletion_time: deletionTime,
      destroyed: false,
      version: 1,
    };
    // A deleted latest version is a 404 that still carries the envelope (logical.RespondWithStatusCode).
    if (values === null) return new Reply(404, envelope({ data: null, metadata }, 'kv'));
    return new Reply(200, envelope({ data: values, metadata }, 'kv'));
  }

  function route(req: IncomingMessage, url: URL, body: string): Reply {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    // handler.go's generic wrapper answers anything outside /v1/ (and the UI) with a bare 404.
    if (!path.startsWith('/v1/')) return errors(404);
    if (path === '/v1/sys/health') {
      return method === 'GET' || method === 'HEAD' ? health(url.searchParams) : errors(405);
    }
    if (path === '/v1/sys/seal-status') return method === 'GET' ? sealStatus() : errors(405);

    const isLookup = path === '/v1/auth/token/lookup-self';
    const isCapabilities = path === '/v1/sys/capabilities-self';
    const isRead = method === 'GET' || method === 'HEAD';
    if (!isRead && !(method === 'POST' && (isLookup || isCapabilities))) {
      stats.writes.push(`${method} ${path}`);
      return errors(405);
    }
    if (sealed) return errors(503, [SEALED]);

    const token = authenticate(req);
    if (!token) return denied;
    if (isLookup) return lookupSelf(token);
    if (isCapabilities) return method === 'POST' ? capabilitiesSelf(token, body) : errors(405);

    const match = /^\/v1\/([^/]+)\/(data|metadata)\/(.+)$/.exec(path);
    if (match && mounts.has(match[1]!)) {
      return kvRead(token, match[1]!, match[2] as 'data' | 'metadata', match[3]!);
    }
    return errors(404);
  }

  function respond(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
    const text = `${JSON.stringify(reply.body)}\n`;
    res.writeHead(reply.status, {
      'Cache-Control': 'no-store',
      'Content-Type': 'application/json',
      // HEAD on sys/health answers with the status only (handleSysHealthHead writes no body).
      ...(req.method === 'HEAD' ? {} : { 'Content-Length': Buffer.byteLength(text) }),
    });
    res.end(req.method === 'HEAD' ? undefined : text);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://openbao.invalid');
      const key = `${req.method ?? 'GET'} ${url.pathname}`;
      stats.requests[key] = (stats.requests[key] ?? 0) + 1;
      respond(req, res, route(req, url, Buffer.concat(chunks).toString('utf8')));
    });
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    address: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
