/**
 * A small HTTP client on `node:http`/`node:https` for the read path (member `GET /patroni`, etcd's JSON gateway).
 *
 * Why not `@patroni-kit/rest` here: loading undici costs about as much as a whole `patroni-kit list`, so the
 * reads `list` needs go through the built-in modules; every write still goes through the REST client.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { PatroniKitError, redactUrl } from '@patroni-kit/errors';

/** TLS settings for https URLs. Verification stays on unless `rejectUnauthorized` is `false`. */
export interface HttpTls {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  passphrase?: string;
  rejectUnauthorized?: boolean;
}

/** One request. */
export interface HttpRequest {
  url: string;
  method?: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  tls?: HttpTls | undefined;
  /** Upper bound of the body (default 8 MiB). */
  maxBytes?: number;
}

/** One answer (any status). */
export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

type HttpModule = typeof import('node:http');
let httpMod: Promise<HttpModule> | undefined;
let httpsMod: Promise<typeof import('node:https')> | undefined;

const tlsCodes =
  /^(ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|CERT_|EPROTO)/;

/** Sends one request; resolves with any HTTP status, rejects with CONNECT, TIMEOUT, ABORTED, TLS or DECODE. */
export async function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    throw new PatroniKitError('CONFIG', `not a URL: ${redactUrl(String(req.url)).slice(0, 200)}`, {
      hint: 'a REST URL is http(s)://host:port (restapi.connect_address, --rest-url)',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new PatroniKitError(
      'CONFIG',
      `unsupported URL scheme ${url.protocol} in ${redactUrl(url.origin)}`,
      {
        hint: 'use http:// or https://',
      },
    );
  const secure = url.protocol === 'https:';
  if (secure) httpsMod ??= import('node:https');
  else httpMod ??= import('node:http');
  const mod: HttpModule = secure ? ((await httpsMod) as unknown as HttpModule) : await httpMod!;
  const where = `${req.method ?? 'GET'} ${url.origin}${url.pathname}`;
  if (req.signal?.aborted) throw new PatroniKitError('ABORTED', `${where}: cancelled by the caller`);
  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    const finish = (err: PatroniKitError | undefined, res?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      if (err) {
        request.destroy();
        reject(err);
      } else resolve(res!);
    };
    const tls = req.tls ?? {};
    const headers: Record<string, string> = { 'user-agent': 'patroni-kit', ...req.headers };
    if (req.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = String(Buffer.byteLength(req.body));
    }
    const request = mod.request(url, {
      method: req.method ?? 'GET',
      headers,
      agent: false,
      ...(secure
        ? {
            ...(tls.ca === undefined ? {} : { ca: tls.ca }),
            ...(tls.cert === undefined ? {} : { cert: tls.cert }),
            ...(tls.key === undefined ? {} : { key: tls.key }),
            ...(tls.passphrase === undefined ? {} : { passphrase: tls.passphrase }),
            rejectUnauthorized: tls.rejectUnauthorized !== false,
          }
        : {}),
    });
    const timer = setTimeout(
      () =>
        finish(
          new PatroniKitError('TIMEOUT', `${where}: no answer within ${req.timeoutMs} ms`, {
            hint: 'the server is unreachable or overloaded; raise the timeout if it is only slow',
            details: { url: `${url.origin}${url.pathname}` },
          }),
        ),
      // Node fires a timer above 2^31-1 ms after 1 ms.
      Math.min(req.timeoutMs, 2 ** 31 - 1),
    );
    const onAbort = () => finish(new PatroniKitError('ABORTED', `${where}: cancelled by the caller`));
    req.signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (err: NodeJS.ErrnoException) => finish(transportError(err, where, secure)));
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const max = req.maxBytes ?? 8 * 1024 * 1024;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > max) {
          finish(
            new PatroniKitError('DECODE', `${where}: the answer is larger than ${max} bytes`, {
              hint: 'this does not look like a Patroni REST API or etcd; check the URL',
            }),
          );
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () =>
        finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', (err: NodeJS.ErrnoException) => finish(transportError(err, where, secure)));
    });
    request.end(req.body);
  });
}

function transportError(err: NodeJS.ErrnoException, where: string, secure: boolean): PatroniKitError {
  const code = err.code ?? '';
  if (tlsCodes.test(code) || /ssl|tls|certificate/i.test(err.message)) {
    const wrongProtocol = /wrong version number|packet length too long|http request/i.test(err.message);
    return new PatroniKitError('TLS', `${where}: TLS failed (${err.message})`, {
      cause: err,
      hint: wrongProtocol
        ? 'the server does not speak TLS on this port: use http://'
        : secure
          ? 'give the CA that signed the server certificate (ctl.cacert / restapi.cafile, --cacert), or -k/--insecure to skip verification'
          : 'check the TLS settings',
    });
  }
  if (code === 'ECONNRESET' && !secure) {
    return new PatroniKitError('CONNECT', `${where}: the connection was reset (${err.message})`, {
      cause: err,
      hint: 'the server may speak TLS on this port: try https://',
    });
  }
  if (code === 'HPE_INVALID_CONSTANT' || code.startsWith('HPE_')) {
    return new PatroniKitError('DECODE', `${where}: the answer is not HTTP (${err.message})`, {
      cause: err,
      hint: 'the port runs something else than a Patroni REST API or etcd, or it speaks TLS: check the URL',
    });
  }
  return new PatroniKitError('CONNECT', `${where}: cannot connect (${code || err.message})`, {
    cause: err,
    hint: 'check that the service runs and that the host and port are right',
  });
}

/** Parses a JSON answer or throws DECODE naming the URL. */
export function parseJsonBody(res: HttpResponse, where: string): unknown {
  const text = res.body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new PatroniKitError('DECODE', `${where}: the answer is not JSON (${(err as Error).message})`, {
      hint: 'this does not look like a Patroni REST API; check the URL and port (Patroni listens on restapi.listen, 8008 by default)',
      details: { status: res.status, start: text.slice(0, 80) },
    });
  }
}
