import { Pool } from 'undici';
import type { BaoEndpoint } from './types.js';

/** What node-vault hands its transport (`client.request` passes our own fields through). */
export interface BaoRequest {
  uri: string;
  method: string;
  headers?: Record<string, string>;
  json?: unknown;
  /** The caller's deadline: aborting it closes the socket, also mid-body. */
  signal: AbortSignal;
}

/** What the transport gives back to node-vault: its `request-promise` response shape, plus `location`. */
export interface BaoResponse {
  statusCode: number;
  /** Parsed JSON when the body is JSON, else the text. */
  body: unknown;
  /** The Location header of a redirect, which is reported, never followed. */
  location: string | null;
  request: { path: string };
}

/** OpenBao answers are small; an error page bigger than this is not read to the end. */
export const MAX_BAO_BODY_BYTES = 1 << 20;

/** The body was cut at MAX_BAO_BODY_BYTES: the gateway reports it as a protocol error. */
export class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge';
}

/**
 * node-vault's transport hook (its `request-promise` option), on undici instead of its default axios:
 * no redirect is ever followed (a redirected request would carry X-Vault-Token to another host), the
 * caller's AbortSignal ends the request and its socket, and bodies are read up to MAX_BAO_BODY_BYTES.
 * One connection pool per endpoint; `close()` ends its sockets so nothing outlives the run.
 */
export class BaoTransport {
  readonly #pool: Pool;

  /** `connections`: as many as the gateway lets requests run at once, so none waits in the pool. */
  constructor(endpoint: BaoEndpoint, connections: number) {
    const tls = endpoint.tls;
    this.#pool = new Pool(new URL(endpoint.address).origin, {
      connections,
      connect: {
        ...(tls?.caPem ? { ca: tls.caPem } : {}),
        ...(tls?.certPem ? { cert: tls.certPem } : {}),
        ...(tls?.keyPem ? { key: tls.keyPem.reveal() } : {}),
        rejectUnauthorized: !tls?.insecureSkipVerify,
      },
    });
  }

  /** The object node-vault expects under `request-promise`. */
  get requestPromise(): { defaults: () => (options: BaoRequest) => Promise<BaoResponse> } {
    return { defaults: () => (options) => this.send(options) };
  }

  async send(options: BaoRequest): Promise<BaoResponse> {
    const url = new URL(options.uri);
    const hasBody = options.json !== undefined;
    const response = await this.#pool.request({
      method: options.method as 'GET' | 'POST',
      path: `${url.pathname}${url.search}`,
      headers: { ...options.headers, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
      body: hasBody ? JSON.stringify(options.json) : undefined,
      signal: options.signal,
    });
    const text = await readBounded(response.body);
    const location = response.headers['location'];
    return {
      statusCode: response.statusCode,
      body: parseBody(text, String(response.headers['content-type'] ?? '')),
      location: typeof location === 'string' ? location : null,
      request: { path: url.pathname },
    };
  }

  close(): Promise<void> {
    return this.#pool.destroy();
  }
}

async function readBounded(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_BAO_BODY_BYTES) {
      body.destroy();
      throw new BodyTooLarge(`more than ${MAX_BAO_BODY_BYTES >> 20} MB`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(text: string, contentType: string): unknown {
  if (!contentType.includes('json') && !/^\s*[{[]/.test(text)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
