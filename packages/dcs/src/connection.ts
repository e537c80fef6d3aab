/** How to reach etcd: the options both transports take, and the helpers they share (no etcd3 here). */
import { readFileSync } from 'node:fs';
import { PatroniKitError, type RequestListener, redactUrl } from '@patroni-kit/errors';

/** TLS settings: PEM contents or file paths. Server certificates are always verified. */
export interface TlsOptions {
  ca?: string | Buffer;
  caFile?: string;
  cert?: string | Buffer;
  certFile?: string;
  key?: string | Buffer;
  keyFile?: string;
}

/** How to reach etcd. */
export interface ConnectionOptions {
  /** Client URLs: `http://host:2379`, `https://host:2379` or `host:port` (http). */
  endpoints: string[];
  auth?: { username: string; password: string };
  tls?: TlsOptions;
  /** Timeout of every call in ms (default 5000). */
  timeoutMs?: number;
  /** Told about every request when it ends (a request log); never holds a credential. */
  onRequest?: RequestListener | undefined;
}

/** Per-call options: every call takes a signal and has a timeout. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Overrides the connection's default timeout. */
  timeoutMs?: number;
}

/** PEM contents, or the contents of `file`; CONFIG naming the file when it cannot be read. */
export function pem(
  value: string | Buffer | undefined,
  file: string | undefined,
  what: string,
): Buffer | undefined {
  if (value !== undefined) return Buffer.isBuffer(value) ? value : Buffer.from(value);
  if (file === undefined) return undefined;
  try {
    return readFileSync(file);
  } catch (err) {
    throw new PatroniKitError('CONFIG', `cannot read the etcd ${what} file ${file}`, {
      cause: err,
      hint: `Check the path of the ${what} (etcd3.cacert/cert/key in the config).`,
    });
  }
}

/** Normalises `host:port` to `http://host:port` and rejects what is not a URL. */
export function normalizeEndpoint(endpoint: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(endpoint) ? endpoint : `http://${endpoint}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new PatroniKitError('USAGE', `'${redactUrl(endpoint)}' is not an etcd endpoint`, {
      hint: 'Use http://host:2379, https://host:2379 or host:port.',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PatroniKitError('USAGE', `etcd endpoint '${redactUrl(endpoint)}' must use http or https`, {
      hint: 'Use http://host:2379 or https://host:2379.',
    });
  }
  return `${url.protocol}//${url.hostname.includes(':') ? `[${url.hostname}]` : url.hostname}:${url.port || '2379'}`;
}
