import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import { UserError, errorMessage } from './errors.js';
import type { ExecConfig } from './kube-exec.js';
import { registerSecret, withoutUserinfo } from './redact.js';
import type { KubeTarget } from './types.js';

/** No usable Kubernetes configuration: one line for people, e.g. `kubeconfig /x: no such file`. */
export class KubeConfigError extends UserError {
  override readonly name = 'KubeConfigError';
}

/** Where to look for credentials; the defaults are kubectl's. */
export interface KubeConfigOptions {
  /** `--kubeconfig`: this file only, which must exist. */
  kubeconfigPath?: string;
  /** `--context`: overrides the kubeconfig's current-context. */
  context?: string;
  /** Read for KUBECONFIG, HOME and KUBERNETES_SERVICE_HOST/PORT; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where a pod's service-account token, ca.crt and namespace live; injectable for tests. */
  serviceAccountDir?: string;
}

/** A KubeConfig whose current context is the one to use, and who that is for the report. */
export interface ResolvedKubeConfig {
  kubeConfig: KubeConfig;
  /** `target.server` is for people (userinfo removed); requests go to `server`. */
  target: KubeTarget;
  server: string;
  /** The current user's exec credential plugin, run by the gateway itself (see ExecCredentialPlugin). */
  exec: ExecConfig | null;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Resolves credentials like kubectl: `--kubeconfig`; else the KUBECONFIG list merged (first file wins
 * per name, current-context from the first file that sets it, missing files skipped); else
 * ~/.kube/config; else the in-cluster service account. Throws KubeConfigError when none is usable.
 */
export function resolveKubeConfig(options: KubeConfigOptions): ResolvedKubeConfig {
  const env = options.env ?? process.env;
  const files = kubeconfigFiles(options, env);
  if (files.existing.length > 0) return fromFiles(files.existing, options.context);

  const saDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (host && port && fs.existsSync(path.join(saDir, 'token'))) {
    if (options.context !== undefined) {
      throw new KubeConfigError(
        `context "${options.context}" not found: there is no kubeconfig, only the in-cluster service account`,
      );
    }
    return inCluster(host, port, saDir);
  }
  throw new KubeConfigError(files.missingReason);
}

function kubeconfigFiles(
  options: KubeConfigOptions,
  env: NodeJS.ProcessEnv,
): { existing: string[]; missingReason: string } {
  if (options.kubeconfigPath !== undefined) {
    // An explicit path must exist (kubectl errors too); it is read, and its errors reported, by fromFiles.
    return { existing: [options.kubeconfigPath], missingReason: '' };
  }
  if (env.KUBECONFIG) {
    const listed = [...new Set(env.KUBECONFIG.split(path.delimiter).filter((f) => f !== ''))];
    // kubectl skips missing entries of KUBECONFIG silently and never falls back to ~/.kube/config.
    return {
      existing: listed.filter((f) => fs.existsSync(f)),
      missingReason: `no kubeconfig found: none of the files in KUBECONFIG exist (${listed.join(', ')})`,
    };
  }
  const home = env.HOME ?? env.USERPROFILE;
  const defaultFile = home ? path.join(home, '.kube', 'config') : null;
  return {
    existing: defaultFile && fs.existsSync(defaultFile) ? [defaultFile] : [],
    missingReason: 'no kubeconfig found: set KUBECONFIG, pass --kubeconfig, or run inside a pod',
  };
}

function readKubeconfig(file: string): KubeConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new KubeConfigError(`kubeconfig ${file}: ${fileProblem(error)}`, { cause: error });
  }
  const kc = new KubeConfig();
  // An empty file is an empty config to kubectl; client-node would fail on `undefined['current-context']`.
  if (text.trim() === '') return kc;
  try {
    kc.loadFromString(text);
  } catch (error) {
    // No `cause`: js-yaml appends a snippet of the file to its message, and the file holds credentials.
    throw new KubeConfigError(`kubeconfig ${file}: ${errorMessage(error)}`);
  }
  kc.makePathsAbsolute(path.dirname(file));
  return kc;
}

function fromFiles(files: string[], contextOverride: string | undefined): ResolvedKubeConfig {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  let currentContext: string | undefined;
  for (const file of files) {
    const kc = readKubeconfig(file);
    for (const c of kc.getClusters()) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of kc.getUsers()) if (!users.has(u.name)) users.set(u.name, u);
    for (const c of kc.getContexts()) if (!contexts.has(c.name)) contexts.set(c.name, c);
    currentContext ||= kc.getCurrentContext() || undefined;
  }

  const available = contexts.size ? [...contexts.keys()].join(', ') : 'none';
  const name = contextOverride ?? currentContext;
  if (!name)
    throw new KubeConfigError(`kubeconfig sets no current-context: pass --context (available: ${available})`);
  const context = contexts.get(name);
  if (!context)
    throw new KubeConfigError(`context "${name}" not found in kubeconfig (available: ${available})`);
  const cluster = clusters.get(context.cluster);
  if (!cluster) {
    throw new KubeConfigError(
      `context "${name}" refers to cluster "${context.cluster}", which is not in kubeconfig`,
    );
  }
  const user = context.user ? users.get(context.user) : undefined;
  checkFile(`cluster "${cluster.name}": certificate-authority`, cluster.caFile);
  checkFile(`user "${context.user}": client-certificate`, user?.certFile);
  checkFile(`user "${context.user}": client-key`, user?.keyFile);
  registerCredentials(user, cluster.server);
  const exec = execConfigOf(user);

  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [...clusters.values()],
    // The gateway runs the exec plugin itself, under the run's deadline; client-node must not run it too.
    users: [...users.values()].map((u) => (u === user && exec ? { ...u, exec: undefined } : u)),
    contexts: [...contexts.values()],
    currentContext: name,
  });
  return {
    kubeConfig,
    server: cluster.server,
    exec,
    target: {
      context: name,
      cluster: cluster.name,
      server: withoutUserinfo(cluster.server),
      user: context.user ?? null,
      namespace: context.namespace ?? null,
      inCluster: false,
    },
  };
}

/** Every credential the kubeconfig holds for this user, known to the redactor before any request. */
function registerCredentials(user: User | undefined, server: string): void {
  for (const value of [user?.token, user?.password, user?.keyData]) if (value) registerSecret(value);
  if (user?.keyData) registerSecret(Buffer.from(user.keyData, 'base64').toString('utf8'));
  try {
    const { password } = new URL(server);
    if (password) registerSecret(decodeURIComponent(password));
  } catch {
    // Not a URL: the first request reports it.
  }
}

function execConfigOf(user: User | undefined): ExecConfig | null {
  const exec: unknown = user?.exec;
  if (typeof exec !== 'object' || exec === null) return null;
  const { command, args, env, apiVersion, provideClusterInfo } = exec as Record<string, unknown>;
  if (typeof command !== 'string' || command === '') {
    throw new KubeConfigError(`user "${user?.name}": exec has no command`);
  }
  const strings = (v: unknown) =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  return {
    command,
    args: strings(args),
    env: (Array.isArray(env) ? env : []).flatMap((e: { name?: unknown; value?: unknown }) =>
      typeof e?.name === 'string' && typeof e.value === 'string' ? [{ name: e.name, value: e.value }] : [],
    ),
    apiVersion: typeof apiVersion === 'string' ? apiVersion : undefined,
    provideClusterInfo: provideClusterInfo === true,
  };
}

/** Fails now, with the file named, rather than on the first request with a bare ENOENT. */
function checkFile(what: string, file: string | undefined): void {
  if (!file) return;
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch (error) {
    throw new KubeConfigError(`${what} ${file}: ${fileProblem(error)}`, { cause: error });
  }
}

function inCluster(host: string, port: string, saDir: string): ResolvedKubeConfig {
  const server = `https://${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
  const read = (file: string): string => {
    try {
      return fs.readFileSync(path.join(saDir, file), 'utf8').trim();
    } catch (error) {
      throw new KubeConfigError(`service account ${path.join(saDir, file)}: ${fileProblem(error)}`, {
        cause: error,
      });
    }
  };
  const namespaceFile = path.join(saDir, 'namespace');
  const namespace = fs.existsSync(namespaceFile) ? read('namespace') : null;
  const token = read('token');
  registerSecret(token);
  const kubeConfig = new KubeConfig();
  // The token is read once rather than through client-node's tokenFile provider: that provider is a
  // process-wide singleton caching one token for all files. A doctor run is far shorter than the
  // token's rotation period (about an hour for projected tokens).
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'in-cluster', server, caFile: path.join(saDir, 'ca.crt'), skipTLSVerify: false }],
    users: [{ name: 'service-account', token: token }],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'service-account', namespace }],
    currentContext: 'in-cluster',
  });
  checkFile('service account', path.join(saDir, 'ca.crt'));
  return {
    kubeConfig,
    server,
    exec: null,
    target: { context: null, cluster: null, server, user: null, namespace, inCluster: true },
  };
}

function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory, not a file';
  return errorMessage(error);
}
