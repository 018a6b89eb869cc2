import { spawn } from 'node:child_process';
import { GatewayError } from './errors.js';
import { Sensitive } from './sensitive.js';

/** A kubeconfig `users[].user.exec` block (client.authentication.k8s.io), as kubectl reads it. */
export interface ExecConfig {
  command: string;
  args?: string[];
  env?: { name: string; value: string }[];
  apiVersion?: string;
  provideClusterInfo?: boolean;
}

/** What a credential plugin gave: a bearer token and/or a client certificate, none of it printable. */
export interface ExecCredential {
  token: Sensitive | null;
  certPem: string | null;
  keyPem: Sensitive | null;
}

/** Plugins print a few KB; anything near this is not an ExecCredential. */
const MAX_STDOUT_BYTES = 1 << 20;

/**
 * Runs a kubeconfig exec credential plugin the way kubectl does (ExecCredential on stdout, the request in
 * KUBERNETES_EXEC_INFO), but under the caller's AbortSignal: at the deadline the child is killed, so a
 * plugin waiting for a browser login cannot keep the doctor alive. Used instead of client-node's ExecAuth,
 * which cannot be aborted, copies `env` into process.env and quotes the plugin's output in its errors.
 * The credential is cached until its `expirationTimestamp` (for the whole run when it has none).
 */
export class ExecCredentialPlugin {
  #cached: { credential: ExecCredential; expiresAtMs: number } | null = null;
  #pending: Promise<ExecCredential> | null = null;

  constructor(
    private readonly config: ExecConfig,
    private readonly cluster: { server: string; caPem?: string },
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** The plugin is running now: what a request waits for is the plugin, not the server. */
  get isRunning(): boolean {
    return this.#pending !== null;
  }

  /** `the credential plugin aws`, for wait messages. */
  get label(): string {
    return `the credential plugin ${this.config.command}`;
  }

  credential(signal: AbortSignal, nowMs: number): Promise<ExecCredential> {
    if (this.#cached && this.#cached.expiresAtMs > nowMs) return Promise.resolve(this.#cached.credential);
    this.#pending ??= this.#run(signal).finally(() => (this.#pending = null));
    return this.#pending;
  }

  async #run(signal: AbortSignal): Promise<ExecCredential> {
    const { stdout, code } = await runPlugin(this.config, this.#execInfo(), this.env, signal);
    const name = this.config.command;
    if (code !== 0) {
      // Its stderr is not quoted: plugins print tokens and login URLs there, and no redactor knows them all.
      throw new GatewayError(
        'kubernetes',
        'unauthorized',
        `the credential plugin ${name} exited with code ${code}; run it by hand to see why (${[name, ...(this.config.args ?? [])].join(' ')})`,
      );
    }
    const parsed = parseCredential(stdout);
    if (!parsed) {
      // Never quote stdout: it is where a token would be.
      throw new GatewayError(
        'kubernetes',
        'unauthorized',
        `the credential plugin ${name} printed something that is not an ExecCredential (${stdout.length} bytes)`,
      );
    }
    const expiresAtMs = parsed.expiration ? Date.parse(parsed.expiration) : Infinity;
    this.#cached = {
      credential: parsed.credential,
      expiresAtMs: Number.isNaN(expiresAtMs) ? 0 : expiresAtMs,
    };
    return parsed.credential;
  }

  #execInfo(): string {
    const spec: Record<string, unknown> = { interactive: false };
    if (this.config.provideClusterInfo) {
      spec.cluster = {
        server: this.cluster.server,
        ...(this.cluster.caPem
          ? { 'certificate-authority-data': Buffer.from(this.cluster.caPem).toString('base64') }
          : {}),
      };
    }
    return JSON.stringify({
      apiVersion: this.config.apiVersion ?? 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      spec,
    });
  }
}

function runPlugin(
  config: ExecConfig,
  execInfo: string,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<{ stdout: string; code: number | null }> {
  signal.throwIfAborted();
  const childEnv: NodeJS.ProcessEnv = { ...env, KUBERNETES_EXEC_INFO: execInfo };
  for (const { name, value } of config.env ?? []) childEnv[name] = value;
  return new Promise((resolve, reject) => {
    const child = spawn(config.command, config.args ?? [], {
      env: childEnv,
      stdio: ['ignore', 'pipe', 'ignore'],
      signal,
      killSignal: 'SIGKILL',
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > MAX_STDOUT_BYTES) child.kill('SIGKILL');
      else out.push(chunk);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (signal.aborted) return reject(signal.reason);
      const why = error.code === 'ENOENT' ? 'not found on PATH' : (error.code ?? error.message);
      reject(
        new GatewayError('kubernetes', 'unauthorized', `the credential plugin ${config.command}: ${why}`),
      );
    });
    child.on('close', (code) => {
      if (signal.aborted) return reject(signal.reason);
      resolve({ stdout: Buffer.concat(out).toString('utf8'), code: outBytes > MAX_STDOUT_BYTES ? -1 : code });
    });
  });
}

function parseCredential(stdout: string): { credential: ExecCredential; expiration: string | null } | null {
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch {
    return null;
  }
  const status = (value as { status?: unknown } | null)?.status;
  if (typeof status !== 'object' || status === null) return null;
  const { token, clientCertificateData, clientKeyData, expirationTimestamp } = status as Record<
    string,
    unknown
  >;
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  const credential: ExecCredential = {
    token: text(token) ? new Sensitive(text(token)!) : null,
    certPem: text(clientCertificateData),
    keyPem: text(clientKeyData) ? new Sensitive(text(clientKeyData)!) : null,
  };
  if (!credential.token && !(credential.certPem && credential.keyPem)) return null;
  return { credential, expiration: text(expirationTimestamp) };
}
