/** The Patroni REST client: one instance per member, a typed method per endpoint. */
import {
  checkTimeoutMs,
  emitRequest,
  isLeaderRole,
  isObject,
  PatroniKitError,
  type RequestListener,
  redactUrl,
  registerSecret,
  sleep,
} from '@patroni-kit/errors';
import { type Dispatcher, Pool } from 'undici';
import {
  accessError,
  answerText,
  certainlyNotSent,
  decodeError,
  failureToError,
  isRetryable,
  type RequestContext,
  statusError,
} from './failures.js';
import { ExchangeFailure, exchange, type HttpMethod, type RawResponse } from './http.js';
import { tlsConnectOptions } from './tls.js';
import type {
  CallOptions,
  ClusterStatus,
  DynamicConfig,
  DynamicConfigPatch,
  FailoverRequest,
  FailsafeHeartbeat,
  FailsafeTopology,
  HealthEndpoint,
  HealthQuery,
  HealthResult,
  History,
  MppEvent,
  NodeStatus,
  PatroniClientOptions,
  ReadinessQuery,
  ReinitializeRequest,
  RestartRequest,
  StatusLineResult,
  SwitchoverRequest,
  WriteResult,
  WriteUnknown,
} from './types.js';
import { HEALTH_ENDPOINTS } from './types.js';

/** Version sent in the default `User-Agent`. */
export const CLIENT_VERSION = '0.1.0';

const defaults = {
  connect: 3_000,
  read: 5_000,
  write: 10_000,
  blockingWrite: 90_000,
  retries: 2,
  retryDelayMs: 100,
  maxResponseBytes: 8 * 1024 * 1024,
};

/**
 * Timeout for a blocking switchover/failover: Patroni polls for `2*max(10, loop_wait)` seconds before it
 * answers, so the client must wait longer than that (plus `marginMs`).
 */
export function blockingWriteTimeout(loopWaitSeconds: number, marginMs = 10_000): number {
  return 2 * Math.max(10, loopWaitSeconds) * 1000 + marginMs;
}

/** True for the role a node reports while it runs as primary: `primary` (4.x) or `master` (3.x). */
export function isPrimaryRole(role: string | undefined): boolean {
  return isLeaderRole(role);
}

type Decoder<T> = (response: RawResponse, ctx: RequestContext) => T;
type WriteKind = 'write' | 'blockingWrite';

interface Endpoint {
  origin: string;
  protocol: string;
}

/** Typed client for one Patroni member's REST API (Patroni 3.0 to 4.1). */
export class PatroniClient {
  /** The member's origin (`http(s)://host:port`), without credentials. */
  readonly url: string;
  readonly #endpoint: Endpoint;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #authHeader: string | undefined;
  readonly #timeouts: Required<NonNullable<PatroniClientOptions['timeouts']>>;
  readonly #retries: number;
  readonly #retryDelayMs: number;
  readonly #maxResponseBytes: number;
  readonly #userAgent: string;
  readonly #onRequest: RequestListener | undefined;
  #closed = false;

  constructor(options: PatroniClientOptions) {
    const { endpoint, urlAuth } = parseUrl(options.url);
    this.#endpoint = endpoint;
    this.url = endpoint.origin;
    const auth = options.auth ?? urlAuth;
    if (auth !== undefined && (typeof auth.username !== 'string' || typeof auth.password !== 'string')) {
      throw new PatroniKitError('USAGE', 'auth needs a username and a password (strings)', {
        hint: 'pass auth: { username, password } from restapi.authentication',
      });
    }
    this.#authHeader =
      auth === undefined
        ? undefined
        : `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
    // A server may echo what it got into its answer, which reaches messages and results: never these.
    if (auth !== undefined) {
      registerSecret(auth.password);
      registerSecret(this.#authHeader!.slice('Basic '.length));
    }
    this.#timeouts = {
      connect: positive(options.timeouts?.connect, defaults.connect, 'timeouts.connect'),
      read: positive(options.timeouts?.read, defaults.read, 'timeouts.read'),
      write: positive(options.timeouts?.write, defaults.write, 'timeouts.write'),
      blockingWrite: positive(
        options.timeouts?.blockingWrite,
        defaults.blockingWrite,
        'timeouts.blockingWrite',
      ),
    };
    this.#retries = Math.max(0, Math.floor(options.retries ?? defaults.retries));
    this.#retryDelayMs = Math.max(0, options.retryDelayMs ?? defaults.retryDelayMs);
    this.#maxResponseBytes = options.maxResponseBytes ?? defaults.maxResponseBytes;
    this.#userAgent = options.userAgent ?? `patroni-kit-rest/${CLIENT_VERSION}`;
    this.#onRequest = options.onRequest;

    if (options.dispatcher !== undefined) {
      if (options.tls !== undefined) {
        throw new PatroniKitError('USAGE', 'tls and dispatcher cannot be combined', {
          hint: 'configure TLS on the dispatcher you pass (connect: { ca, cert, key })',
        });
      }
      this.#dispatcher = options.dispatcher;
      this.#ownsDispatcher = false;
    } else {
      if (options.tls !== undefined && endpoint.protocol !== 'https:') {
        throw new PatroniKitError('USAGE', `tls options were given but the URL ${this.url} is not https://`, {
          hint: 'use https:// for a REST API with restapi.certfile',
        });
      }
      // Patroni speaks HTTP/1.0 and closes every connection, so a small pool is enough; it lets a GET run
      // while a blocking switchover holds another connection.
      this.#dispatcher = new Pool(endpoint.origin, {
        connections: 4,
        pipelining: 1,
        connect: {
          timeout: this.#timeouts.connect,
          ...(endpoint.protocol === 'https:' ? tlsConnectOptions(options.tls) : {}),
        },
      });
      this.#ownsDispatcher = true;
    }
  }

  /** Close the private connection pool (a dispatcher passed in options is left open). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsDispatcher) await this.#dispatcher.destroy();
  }

  // ---------------------------------------------------------------- reads

  /** `GET /patroni`: this node's status (role, state, timeline, xlog, tags, pending restart …). */
  getPatroni(options: CallOptions = {}): Promise<NodeStatus> {
    return this.#read('/patroni', options, json(isNodeStatus, 'a Patroni node status'));
  }

  /** `GET /cluster`: members, roles, lag, pause and scheduled switchover, read from the DCS. */
  getCluster(options: CallOptions = {}): Promise<ClusterStatus> {
    return this.#read('/cluster', options, json(isClusterStatus, 'a Patroni cluster status'));
  }

  /** `GET /history`: timeline switches, oldest first (`[]` when none). */
  getHistory(options: CallOptions = {}): Promise<History> {
    return this.#read('/history', options, json(isHistory, 'a Patroni history array'));
  }

  /** `GET /config`: the dynamic configuration; HTTP_STATUS 502 when the DCS has no valid `config` key. */
  getConfig(options: CallOptions = {}): Promise<DynamicConfig> {
    return this.#read('/config', options, json(isObject, 'a JSON object'), {
      502: 'the DCS has no valid config key (cluster not bootstrapped yet, or the key was wiped)',
    });
  }

  /** `GET /metrics`: Prometheus text. */
  getMetrics(options: CallOptions = {}): Promise<string> {
    return this.#read('/metrics', options, (response, ctx) => {
      const text = response.body.toString('utf8');
      if (!/^patroni_version[ {]/m.test(text))
        throw decodeError(ctx, 'the answer has no patroni_version metric', response);
      return text;
    });
  }

  /** `GET /failsafe`: member name → api_url; HTTP_STATUS 502 when failsafe mode is off. */
  getFailsafe(options: CallOptions = {}): Promise<FailsafeTopology> {
    return this.#read('/failsafe', options, json(isStringRecord, 'a member → api_url object'), {
      502: 'failsafe_mode is not enabled in the dynamic configuration',
    });
  }

  /** GET health check (`/primary`, `/replica?lag=…`, …): 200 and 503 both resolve, with the node status. */
  async health(
    endpoint: HealthEndpoint,
    query: HealthQuery = {},
    options: CallOptions = {},
  ): Promise<HealthResult> {
    const path = healthPath(endpoint, query);
    const decodeStatus = json(isNodeStatus, 'a Patroni node status');
    return this.#read(
      path,
      options,
      (response, ctx) => {
        const status = response.status === 200 ? 200 : 503;
        return { endpoint, status, ok: status === 200, body: decodeStatus(response, ctx) };
      },
      {},
      [200, 503],
    );
  }

  /** HEAD or OPTIONS health check, as load balancers send it: only the status code. */
  async healthStatus(
    endpoint: HealthEndpoint,
    query: HealthQuery = {},
    options: CallOptions & { method?: 'HEAD' | 'OPTIONS' } = {},
  ): Promise<StatusLineResult> {
    return this.#read(
      healthPath(endpoint, query),
      options,
      statusLine,
      {},
      [200, 503],
      options.method ?? 'OPTIONS',
    );
  }

  /** `GET /liveness`: 200 while the HA loop runs (or the cluster is paused), 503 otherwise. */
  liveness(options: CallOptions = {}): Promise<StatusLineResult> {
    return this.#read('/liveness', options, statusLine, {}, [200, 503]);
  }

  /** `GET /readiness`: 200 when the node can take traffic; `lag`/`mode` are honoured from Patroni 4.1.0. */
  readiness(query: ReadinessQuery = {}, options: CallOptions = {}): Promise<StatusLineResult> {
    const params = new URLSearchParams();
    if (query.lag !== undefined) params.set('lag', String(query.lag));
    if (query.mode !== undefined) params.set('mode', query.mode);
    return this.#read(withQuery('/readiness', params), options, statusLine, {}, [200, 503]);
  }

  // ---------------------------------------------------------------- writes (never retried)

  /** `PATCH /config`: merge-patch the dynamic configuration (`null` deletes a key); body is the new document. */
  async patchConfig(
    patch: DynamicConfigPatch,
    options: CallOptions = {},
  ): Promise<WriteResult<DynamicConfig>> {
    requireNonEmptyObject(patch, 'patchConfig');
    return this.#write('PATCH', '/config', patch, 'write', options, json(isObject, 'a JSON object'));
  }

  /** `PUT /config`: replace the dynamic configuration unconditionally; body echoes the request. */
  async putConfig(config: DynamicConfig, options: CallOptions = {}): Promise<WriteResult<DynamicConfig>> {
    requireNonEmptyObject(config, 'putConfig');
    return this.#write('PUT', '/config', config, 'write', options, json(isObject, 'a JSON object'));
  }

  /**
   * `POST /switchover`. Immediate switchovers block until Patroni sees the new leader (up to
   * `2*max(10, loop_wait)` s) and use the `blockingWrite` timeout; scheduled ones (`scheduled_at`) return 202.
   * 503 `Switchover status unknown` is returned as `unknown`.
   */
  switchover(request: SwitchoverRequest, options: CallOptions = {}): Promise<WriteResult> {
    const kind: WriteKind = request.scheduled_at === undefined ? 'blockingWrite' : 'write';
    return this.#write('POST', '/switchover', request, kind, options, text);
  }

  /** `DELETE /switchover`: cancel a scheduled switchover (`failed` with 404 when none is scheduled). */
  cancelSwitchover(options: CallOptions = {}): Promise<WriteResult> {
    return this.#write('DELETE', '/switchover', undefined, 'write', options, text);
  }

  /** `POST /failover` to a named candidate; blocks like an immediate switchover. */
  failover(request: FailoverRequest, options: CallOptions = {}): Promise<WriteResult> {
    const kind: WriteKind = request.scheduled_at === undefined ? 'blockingWrite' : 'write';
    return this.#write('POST', '/failover', request, kind, options, text);
  }

  /** `POST /restart`: restart this node's PostgreSQL now (blocks until it is up) or at `schedule` (202). */
  restart(request: RestartRequest = {}, options: CallOptions = {}): Promise<WriteResult> {
    const kind: WriteKind = request.schedule === undefined ? 'blockingWrite' : 'write';
    return this.#write('POST', '/restart', request, kind, options, text);
  }

  /** `DELETE /restart`: drop the restart scheduled on this node (`failed` with 404 when none). */
  cancelRestart(options: CallOptions = {}): Promise<WriteResult> {
    return this.#write('DELETE', '/restart', undefined, 'write', options, text);
  }

  /** `POST /reinitialize`: re-clone this replica; returns when the work started (poll `state` to finish). */
  reinitialize(request: ReinitializeRequest = {}, options: CallOptions = {}): Promise<WriteResult> {
    return this.#write('POST', '/reinitialize', request, 'write', options, text);
  }

  /** `POST /reload`: re-read patroni.yml and the environment on the next loop (always 202). */
  reload(options: CallOptions = {}): Promise<WriteResult> {
    return this.#write('POST', '/reload', undefined, 'write', options, text);
  }

  /** `POST /failsafe` (what a primary sends while the DCS is down); `lsn` is the replica's position (4.0+). */
  postFailsafe(
    heartbeat: FailsafeHeartbeat,
    options: CallOptions = {},
  ): Promise<WriteResult<{ message: string; lsn?: number }>> {
    return this.#write('POST', '/failsafe', heartbeat, 'write', options, (response) => {
      const lsn = Number(response.headers.lsn);
      return {
        message: response.body.toString('utf8'),
        ...(typeof response.headers.lsn === 'string' && Number.isFinite(lsn) ? { lsn } : {}),
      };
    });
  }

  /** `POST /citus`: a Citus worker event for the coordinator (internal; answered `OK`). */
  postCitus(event: MppEvent, options: CallOptions = {}): Promise<WriteResult> {
    return this.#write('POST', '/citus', event, 'write', options, text);
  }

  /** `POST /mpp` (3.3.0+): a generic MPP worker event (internal; not access-checked by Patroni). */
  postMpp(event: MppEvent, options: CallOptions = {}): Promise<WriteResult> {
    return this.#write('POST', '/mpp', event, 'write', options, text);
  }

  /** `POST /sigterm`: Patroni's Windows test hook; a no-op answered 202 elsewhere. */
  sigterm(options: CallOptions = {}): Promise<WriteResult> {
    return this.#write('POST', '/sigterm', undefined, 'write', options, text);
  }

  // ---------------------------------------------------------------- internals

  #context(method: string, path: string, timeoutMs: number): RequestContext {
    return {
      method,
      url: `${this.url}${path}`,
      timeoutMs,
      protocol: this.#endpoint.protocol,
      hasAuth: this.#authHeader !== undefined,
    };
  }

  /** One exchange, told to `onRequest` (URL without credentials, outcome, status or error code). */
  async #exchange(
    ctx: RequestContext,
    write: boolean,
    request: Parameters<typeof exchange>[1],
  ): Promise<RawResponse> {
    if (this.#onRequest === undefined) return exchange(this.#dispatcher, request);
    const startedAt = performance.now();
    try {
      const response = await exchange(this.#dispatcher, request);
      emitRequest(this.#onRequest, {
        method: ctx.method,
        url: ctx.url,
        status: response.status,
        outcome: 'ok',
        durationMs: performance.now() - startedAt,
      });
      return response;
    } catch (error) {
      if (error instanceof ExchangeFailure)
        emitRequest(this.#onRequest, {
          method: ctx.method,
          url: ctx.url,
          outcome: write && !certainlyNotSent(error) ? 'unknown' : 'error',
          durationMs: performance.now() - startedAt,
          error: failureToError(error, ctx).code,
        });
      throw error;
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new PatroniKitError('USAGE', `the client for ${this.url} is closed`);
  }

  async #read<T>(
    path: string,
    options: CallOptions,
    decode: Decoder<T>,
    statusHints: Record<number, string> = {},
    accepted: readonly number[] = [200],
    method: HttpMethod = 'GET',
  ): Promise<T> {
    this.#checkOpen();
    const timeoutMs = positive(options.timeoutMs, this.#timeouts.read, 'timeoutMs');
    const ctx = this.#context(method, path, timeoutMs);
    const deadline = Date.now() + timeoutMs;
    let delay = this.#retryDelayMs;
    for (let attempt = 0; ; attempt++) {
      const remaining = deadline - Date.now();
      let response: RawResponse;
      try {
        response = await this.#exchange(ctx, false, {
          origin: this.#endpoint.origin,
          method,
          path,
          headers: { 'user-agent': this.#userAgent, accept: 'application/json, text/plain, */*' },
          timeoutMs: Math.max(1, remaining),
          signal: options.signal,
          maxResponseBytes: this.#maxResponseBytes,
        });
      } catch (error) {
        if (!(error instanceof ExchangeFailure)) throw error;
        // The deadline covers all attempts, so the message names the whole budget.
        const canRetry = isRetryable(error) && attempt < this.#retries && deadline - Date.now() > delay;
        if (!canRetry) throw failureToError(error, ctx);
        await sleep(delay, options.signal);
        delay *= 2;
        continue;
      }
      if (response.status === 401 || response.status === 403) throw accessError(response, ctx);
      if (!accepted.includes(response.status)) throw statusError(response, ctx, statusHints[response.status]);
      return decode(response, ctx);
    }
  }

  async #write<T>(
    method: HttpMethod,
    path: string,
    body: unknown,
    kind: WriteKind,
    options: CallOptions,
    decode: Decoder<T>,
  ): Promise<WriteResult<T>> {
    this.#checkOpen();
    const timeoutMs = positive(options.timeoutMs, this.#timeouts[kind], 'timeoutMs');
    const ctx = this.#context(method, path, timeoutMs);
    const headers: Record<string, string> = {
      'user-agent': this.#userAgent,
      accept: 'text/html, application/json',
    };
    if (this.#authHeader !== undefined) headers.authorization = this.#authHeader;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    let response: RawResponse;
    try {
      response = await this.#exchange(ctx, true, {
        origin: this.#endpoint.origin,
        method,
        path,
        headers,
        ...(payload === undefined ? {} : { body: payload }),
        timeoutMs,
        signal: options.signal,
        maxResponseBytes: this.#maxResponseBytes,
      });
    } catch (error) {
      if (!(error instanceof ExchangeFailure)) throw error;
      const failure = failureToError(error, ctx);
      // Nothing reached Patroni: a plain error is the truth. Otherwise the outcome is unknown.
      if (certainlyNotSent(error)) throw failure;
      return unknown(ctx, `${failure.message}; the request may have reached Patroni`, undefined, failure);
    }
    // Patroni checks access before acting, so these did nothing; they are configuration errors.
    if (response.status === 401 || response.status === 403) throw accessError(response, ctx);
    if (response.status >= 200 && response.status < 300) {
      try {
        return { outcome: 'succeeded', status: response.status, body: decode(response, ctx) };
      } catch (error) {
        const failure =
          error instanceof PatroniKitError
            ? error
            : decodeError(ctx, 'the answer cannot be decoded', response);
        return unknown(
          ctx,
          `${failure.message}; Patroni answered ${response.status} but the body is unusable`,
          response.status,
          failure,
        );
      }
    }
    const message = answerText(response);
    if (response.status === 503 && / status unknown$/.test(message)) {
      return unknown(
        ctx,
        `${method} ${ctx.url}: Patroni answered 503 "${message}": the leader had not changed when it stopped waiting; it may still change`,
        503,
      );
    }
    // A 502/504 that is not Patroni's own error page (Python's http.server: "Server: BaseHTTP", "<title>Error
    // response</title>", as for POST /failsafe with failsafe off) came from a proxy in front, which may have
    // passed the request on before it gave up: the write may have happened.
    if ((response.status === 502 || response.status === 504) && !fromPatroni(response)) {
      return unknown(
        ctx,
        `${method} ${ctx.url}: ${response.status} ${message} from a proxy or gateway in front of Patroni: the request may have reached Patroni`,
        response.status,
      );
    }
    const reason = `${method} ${ctx.url}: Patroni answered ${response.status} ${message}`;
    return {
      outcome: 'failed',
      status: response.status,
      message,
      reason,
      error: new PatroniKitError('HTTP_STATUS', reason, {
        status: response.status,
        details: { method, url: ctx.url, answer: message },
      }),
    };
  }
}

/** The body of a succeeded write; throws the result's error (HTTP_STATUS or AMBIGUOUS_WRITE) otherwise. */
export function unwrapWrite<T>(result: WriteResult<T>): T {
  if (result.outcome === 'succeeded') return result.body;
  throw result.error;
}

function unknown(
  ctx: RequestContext,
  reason: string,
  status?: number,
  transport?: PatroniKitError,
): WriteUnknown {
  const error = new PatroniKitError('AMBIGUOUS_WRITE', `${reason}; outcome unknown`, {
    ...(status === undefined ? {} : { status }),
    hint: 'the write may or may not have taken effect: read the cluster (GET /cluster, each member’s /patroni) before retrying',
    ...(transport === undefined ? {} : { cause: transport }),
    details: {
      method: ctx.method,
      url: ctx.url,
      ...(transport === undefined ? {} : { transport: transport.code }),
    },
  });
  return {
    outcome: 'unknown',
    reason: `${reason}; read the cluster to learn the outcome`,
    ...(status === undefined ? {} : { status }),
    ...(transport === undefined ? {} : { transport: transport.code }),
    error,
  };
}

// ---------------------------------------------------------------- helpers

function parseUrl(input: string | URL): {
  endpoint: Endpoint;
  urlAuth: { username: string; password: string } | undefined;
} {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    // A URL that does not parse may still hold credentials: only what follows the last `@` is shown.
    throw new PatroniKitError('USAGE', `not a URL: ${shownUrl(String(input))}`, {
      hint: 'give the member REST API as http://host:8008 or https://host:8008',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PatroniKitError('USAGE', `unsupported URL scheme ${url.protocol} in ${url.origin}`, {
      hint: 'use http:// or https://',
    });
  }
  // Credentials in the URL are moved to the Authorization header and never shown again.
  const urlAuth =
    url.username === ''
      ? undefined
      : { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  return { endpoint: { origin: url.origin, protocol: url.protocol }, urlAuth };
}

/** True for an answer written by Patroni's HTTP server itself (not by a proxy in front of it). */
function fromPatroni(response: RawResponse): boolean {
  return (
    /BaseHTTP/i.test(String(response.headers.server ?? '')) ||
    response.body.toString('utf8').includes('<title>Error response</title>')
  );
}

function shownUrl(text: string): string {
  const at = text.lastIndexOf('@');
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text)?.[0] ?? '';
  return redactUrl(at < 0 ? text : `${scheme}***@${text.slice(at + 1)}`).slice(0, 200);
}

function positive(value: number | undefined, fallback: number, name: string): number {
  return value === undefined ? fallback : checkTimeoutMs(value, name);
}

function requireNonEmptyObject(value: unknown, method: string): void {
  if (!isObject(value) || Object.keys(value).length === 0) {
    throw new PatroniKitError('USAGE', `${method} needs a non-empty object`, {
      hint: 'Patroni rejects an empty body with 400',
    });
  }
}

function healthPath(endpoint: HealthEndpoint, query: HealthQuery): string {
  if (!HEALTH_ENDPOINTS.includes(endpoint)) {
    throw new PatroniKitError('USAGE', `unknown health endpoint ${JSON.stringify(endpoint)}`, {
      hint: `use one of: ${HEALTH_ENDPOINTS.map((e) => `'${e}'`).join(', ')}`,
    });
  }
  const params = new URLSearchParams();
  if (query.lag !== undefined) params.set('lag', String(query.lag));
  for (const [name, value] of Object.entries(query.tags ?? {})) params.set(`tag_${name}`, value);
  return withQuery(`/${endpoint}`, params);
}

function withQuery(path: string, params: URLSearchParams): string {
  const query = params.toString();
  return query === '' ? path : `${path}?${query}`;
}

const text: Decoder<string> = (response) => response.body.toString('utf8');

const statusLine: Decoder<StatusLineResult> = (response) => ({
  status: response.status,
  ok: response.status === 200,
});

function json<T>(guard: (value: unknown) => value is T, what: string): Decoder<T> {
  return (response, ctx) => {
    const body = response.body.toString('utf8');
    const type = String(response.headers['content-type'] ?? '');
    if (!type.includes('json')) {
      throw decodeError(
        ctx,
        `expected JSON, got ${type || 'no content type'} (${body.slice(0, 60).trim()}…)`,
        response,
      );
    }
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (error) {
      throw decodeError(ctx, `malformed JSON (${(error as Error).message})`, response);
    }
    if (!guard(value)) throw decodeError(ctx, `the JSON is not ${what}`, response);
    return value;
  };
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isObject(value) && Object.values(value).every((v) => typeof v === 'string');
}

function isNodeStatus(value: unknown): value is NodeStatus {
  if (!isObject(value) || typeof value.state !== 'string' || typeof value.role !== 'string') return false;
  const patroni = value.patroni;
  return isObject(patroni) && typeof patroni.version === 'string';
}

function isClusterStatus(value: unknown): value is ClusterStatus {
  return (
    isObject(value) &&
    Array.isArray(value.members) &&
    value.members.every((m) => isObject(m) && typeof m.name === 'string')
  );
}

function isHistory(value: unknown): value is History {
  return Array.isArray(value) && value.every((entry) => Array.isArray(entry) && typeof entry[0] === 'number');
}
