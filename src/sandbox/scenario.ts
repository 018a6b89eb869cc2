import { z } from 'zod';

/**
 * A sandbox scenario: the whole platform as the sandbox serves it, read from scenarios/<name>.yaml.
 * A failure scenario names `extends: healthy` and overrides only what differs:
 * - `kubernetes.objects` are merged by (apiVersion group, kind, namespace, name): a listed object replaces the
 *   base one; `kubernetes.remove` drops base objects;
 * - `kubernetes.logs` entries replace the base lines of the same pod/container;
 * - `openbao`, `dns` and `endpoint` are deep-merged (maps by key, lists replaced);
 * - `faults` replace the base faults.
 * Secret values and tokens in scenarios are canaries: tests search every output for them.
 */
const objectKey = z.strictObject({
  kind: z.string(),
  name: z.string(),
  namespace: z.string().optional(),
});

const forbidRule = z.strictObject({
  verb: z.enum(['get', 'list', 'watch', '*']).default('*'),
  /** Plural resource name, with group for non-core kinds: `secrets`, `certificates.cert-manager.io`. */
  resource: z.string(),
  /** Omitted: every namespace (and cluster-scoped requests). */
  namespace: z.string().optional(),
});

const certificateSpec = z.strictObject({
  /**
   * valid: signed by the sandbox ACME CA for the host; expiring: valid, expires in `days` (default 5);
   * expired: notAfter in the past; wrong-name: valid but for another name; self-signed: the ingress-nginx fake
   * certificate (CN "Kubernetes Ingress Controller Fake Certificate", SAN ingress.local).
   */
  kind: z.enum(['valid', 'expiring', 'expired', 'wrong-name', 'self-signed']).default('valid'),
  days: z.number().int().optional(),
  /** For wrong-name: the name the certificate is for. */
  name: z.string().optional(),
});

const endpointHost = z.strictObject({
  certificate: certificateSpec.default({ kind: 'valid' }),
  /** HTTP answers with a 308 to https (ingress-nginx ssl-redirect). */
  redirectToHttps: z.boolean().default(true),
  /** Status per path prefix; a path not listed gets 200. 404 is served as the controller's default backend. */
  paths: z.record(z.string(), z.number().int().min(100).max(599)).default({}),
});

const dnsRecord = z.strictObject({
  name: z.string(),
  type: z.enum(['A', 'AAAA', 'CNAME']),
  value: z.string(),
  ttl: z.number().int().nonnegative().default(300),
});

const baoToken = z.strictObject({
  /** The token string: a canary. */
  token: z.string(),
  policies: z.array(z.string()).default(['default']),
  /** Seconds left; negative: expired (lookup-self then answers 403 like a revoked token). */
  ttlSeconds: z.number().int().default(2_764_800),
  revoked: z.boolean().default(false),
  renewable: z.boolean().default(true),
  /** Capabilities per path, as capabilities-self answers; a path not listed gets ["deny"]. */
  capabilities: z.record(z.string(), z.array(z.string())).default({}),
});

export const scenarioSchema = z.strictObject({
  /** One line for `platform sandbox list`. */
  description: z.string(),
  /** Where the statuses, messages and log lines come from (upstream source files, issues). */
  sources: z.array(z.string()).default([]),
  extends: z.string().optional(),
  /** Exit code, failing steps and first cause the doctor should report: tests assert them. */
  expect: z
    .strictObject({
      exitCode: z.number().int().min(0).max(3),
      failingSteps: z.array(z.string()).default([]),
      /** The leaf id "Start here" leads with: the cause that explains the most. */
      startHere: z.string().optional(),
    })
    .optional(),
  kubernetes: z
    .strictObject({
      /** Full manifests including `status`. */
      objects: z.array(z.record(z.string(), z.unknown())).default([]),
      remove: z.array(objectKey).default([]),
      /**
       * Pod logs: `namespace/pod` → container → lines (oldest first). RFC3339 timestamps may prefix lines.
       * `<container>:previous` holds the output of the container's previous instance (`kubectl logs --previous`).
       */
      logs: z.record(z.string(), z.record(z.string(), z.array(z.string()))).default({}),
    })
    .default({ objects: [], remove: [], logs: {} }),
  openbao: z
    .strictObject({
      initialized: z.boolean().optional(),
      sealed: z.boolean().optional(),
      standby: z.boolean().optional(),
      version: z.string().optional(),
      /** Error body style for 403s: OpenBao 2.x multierror, or the older plain `permission denied`. */
      deniedStyle: z.enum(['multierror', 'plain']).optional(),
      tokens: z.array(baoToken).optional(),
      /** KV v2 data: `mount/path` → key → value (values are canaries). `null` marks a deleted latest version. */
      kv: z.record(z.string(), z.record(z.string(), z.string()).nullable()).optional(),
      /** Which in-cluster Service the API server proxy forwards to this server. */
      service: z.strictObject({ namespace: z.string(), name: z.string(), port: z.number().int() }).optional(),
    })
    .default({}),
  dns: z
    .strictObject({
      records: z.array(dnsRecord).optional(),
      /** Per name: answer SERVFAIL, stay silent, or set TC on UDP so the client must retry over TCP. */
      behaviour: z.record(z.string(), z.enum(['servfail', 'silent', 'truncate'])).optional(),
    })
    .default({}),
  endpoint: z
    .strictObject({
      /** The load balancer address the ingress endpoint listens on (a 127.0.0.0/8 address). */
      address: z.string().optional(),
      /** Further load balancer addresses answering the same way on the same ports (a Gateway's data plane). */
      extraAddresses: z.array(z.string()).optional(),
      hosts: z.record(z.string(), endpointHost).optional(),
    })
    .default({}),
  faults: z
    .strictObject({
      forbid: z.array(forbidRule).default([]),
      /** Added to every Kubernetes API response, in milliseconds. */
      latencyMs: z.number().int().nonnegative().default(0),
    })
    .optional(),
});

export type ScenarioFile = z.infer<typeof scenarioSchema>;

/** A scenario after `extends` is resolved, relative times filled in and defaults applied. */
export type Scenario = ScenarioFile & { name: string };

/** A server the sandbox started; `close()` frees its ports and resolves when they are free. */
export interface RunningServer {
  close(): Promise<void>;
}
