/**
 * `@patroni-kit/rest/lean`: the lean read path, one request over `node:http`/`node:https`.
 *
 * Loading undici costs about as much as a whole `patroni-kit list`, so the reads `list` needs (member
 * `GET /patroni`, etcd's JSON gateway) come here; writes go through {@link PatroniClient}. Failures map to the
 * same `PatroniKitError` codes and hints as the client (`failures.ts`), every request has a timeout and takes
 * an `AbortSignal`, and messages never hold credentials.
 */
import type { IncomingHttpHeaders } from 'node:http';
import {
  checkTimeoutMs,
  emitRequest,
  PatroniKitError,
  type RequestListener,
  redactUrl,
} from '@patroni-kit/errors';
import { accessError, failureToError, type RequestContext, statusError } from './failures.js';
import { ExchangeFailure, type FailureKind } from './http.js';
import { tlsConnectOptions } from './tls.js';
import type { PatroniTlsOptions } from './types.js';

/** TLS settings for https URLs (those of {@link PatroniClient}). Verification stays on unless `rejectUnauthorized` is `false`. */
export type LeanTls = PatroniTlsOptions;

/** One read request (a `POST` only for read APIs such as etcd's `/v3/kv/range`). */
export interface LeanRequest {
  url: string;
  method?: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  tls?: LeanTls | undefined;
  /** Upper bound of the body (default 8 MiB). */
  maxBytes?: number;
  /** Told about the request when it ends (URL redacted). */
  onRequest?: RequestListener | undefined;
}

/** One answer (any status). */
export interface LeanResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

type HttpModule = typeof import('node:http');
let httpMod: Promise<HttpModule> | undefined;
let httpsMod: Promise<typeof import('node:https')> | undefined;

/**
 * Sends one request; resolves with any HTTP status, rejects with CONFIG (not an http(s) URL), CONNECT,
 * TIMEOUT, ABORTED, TLS or DECODE, as {@link PatroniClient} does.
 */
export async function leanRequest(req: LeanRequest): Promise<LeanResponse> {
  const url = parseLeanUrl(req.url);
  const timeoutMs = checkTimeoutMs(req.timeoutMs, 'timeoutMs');
  const secure = url.protocol === 'https:';
  const method = req.method ?? 'GET';
  const ctx: RequestContext = {
    method,
    url: `${url.origin}${url.pathname}`,
    timeoutMs,
    protocol: url.protocol,
    hasAuth: req.headers?.authorization !== undefined,
  };
  const startedAt = performance.now();
  const report = (status: number | undefined, error?: PatroniKitError) =>
    emitRequest(req.onRequest, {
      method,
      url: ctx.url,
      ...(status === undefined ? {} : { status }),
      outcome: error ? 'error' : 'ok',
      durationMs: performance.now() - startedAt,
      ...(error ? { error: error.code } : {}),
    });
  try {
    const res = await send(req, url, ctx, secure);
    report(res.status);
    return res;
  } catch (err) {
    report(undefined, err as PatroniKitError);
    throw err;
  }
}

async function send(req: LeanRequest, url: URL, ctx: RequestContext, secure: boolean): Promise<LeanResponse> {
  if (secure) httpsMod ??= import('node:https');
  else httpMod ??= import('node:http');
  const mod: HttpModule = secure ? ((await httpsMod) as unknown as HttpModule) : await httpMod!;
  if (req.signal?.aborted)
    throw failureToError(new ExchangeFailure('aborted', false, req.signal.reason), ctx);
  return new Promise<LeanResponse>((resolve, reject) => {
    let settled = false;
    let started = false;
    const fail = (kind: FailureKind, error: unknown) =>
      finish(failureToError(new ExchangeFailure(kind, started, error), ctx));
    const finish = (err: PatroniKitError | undefined, res?: LeanResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      if (err) {
        request.destroy();
        reject(err);
      } else resolve(res!);
    };
    const headers: Record<string, string> = { 'user-agent': 'patroni-kit', ...req.headers };
    if (req.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = String(Buffer.byteLength(req.body));
    }
    const request = mod.request(url, {
      method: ctx.method,
      headers,
      agent: false,
      ...(secure ? tlsConnectOptions(req.tls) : {}),
    });
    const timer = setTimeout(
      () => fail('timeout', new Error(`no complete answer within ${ctx.timeoutMs} ms`)),
      ctx.timeoutMs,
    );
    const onAbort = () => fail('aborted', req.signal?.reason ?? new Error('aborted by the caller'));
    req.signal?.addEventListener('abort', onAbort, { once: true });
    request.on('socket', (socket) => {
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        started = true;
      });
    });
    request.on('error', (err) => fail('error', err));
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const max = req.maxBytes ?? 8 * 1024 * 1024;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > max) {
          fail('too-large', new Error(`answer larger than ${max} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () =>
        finish(undefined, {
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: res.headers,
          body: Buffer.concat(chunks),
        }),
      );
      res.on('error', (err) => fail('error', err));
    });
    request.end(req.body);
  });
}

function parseLeanUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PatroniKitError('CONFIG', `not a URL: ${redactUrl(String(text)).slice(0, 200)}`, {
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
  return url;
}

/** Parses a JSON answer or throws DECODE naming `where`. */
export function parseJsonBody(res: LeanResponse, where: string): unknown {
  const text = res.body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new PatroniKitError('DECODE', `${where}: the answer is not JSON (${(err as Error).message})`, {
      status: res.status,
      hint: 'this does not look like a Patroni REST API; check the URL and port (Patroni listens on restapi.listen, 8008 by default)',
      details: { status: res.status, start: text.slice(0, 80) },
    });
  }
}

/** Options of {@link leanGetJson}. */
export type LeanGetOptions = Omit<LeanRequest, 'url' | 'method' | 'body'>;

/**
 * `GET url` and its JSON body; a 401/403 is AUTH and any other status but 200 is HTTP_STATUS, with the
 * client's hints.
 */
export async function leanGetJson(url: string, options: LeanGetOptions): Promise<unknown> {
  const res = await leanRequest({ ...options, url });
  const u = new URL(url);
  const ctx: RequestContext = {
    method: 'GET',
    url: `${u.origin}${u.pathname}`,
    timeoutMs: options.timeoutMs,
    protocol: u.protocol,
    hasAuth: options.headers?.authorization !== undefined,
  };
  if (res.status === 401 || res.status === 403) throw accessError(res, ctx);
  if (res.status !== 200) throw statusError(res, ctx);
  return parseJsonBody(res, `GET ${ctx.url}`);
}
