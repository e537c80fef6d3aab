/** Public types of the REST client: bodies (from the generated OpenAPI types), options and results. */
import type { ErrorCode, PatroniKitError, RequestListener } from '@patroni-kit/errors';
import type { Dispatcher } from 'undici';
import type { components, paths } from './generated/patroni-rest.js';

type Schemas = components['schemas'];

/** Body of `GET /patroni` and of every GET health check. */
export type NodeStatus = Schemas['NodeStatus'];
/** Role a node reports for itself (`master` on 3.x, `primary` on 4.x). */
export type NodeRole = Schemas['NodeRole'];
/** Body of `GET /cluster`. */
export type ClusterStatus = Schemas['ClusterStatus'];
/** One member of `GET /cluster`. */
export type ClusterMember = Schemas['ClusterMember'];
/** Role of a member in `GET /cluster` (computed from the leader and sync keys). */
export type ClusterMemberRole = Schemas['ClusterMemberRole'];
/** Body of `GET /history`. */
export type History = Schemas['History'];
/** One timeline switch in `GET /history`. */
export type HistoryEntry = Schemas['HistoryEntry'];
/** The dynamic configuration (`GET /config`, body of `PUT /config`). */
export type DynamicConfig = Schemas['DynamicConfig'];
/** Body of `GET /failsafe`: member name → api_url. */
export type FailsafeTopology = Schemas['FailsafeTopology'];
/** Body of `POST /failsafe` (sent by a primary while the DCS is down). */
export type FailsafeHeartbeat = Schemas['FailsafeHeartbeat'];
/** Body of `POST /citus` and `POST /mpp`. */
export type MppEvent = Schemas['MppEvent'];
/** Body of `POST /switchover`. */
export type SwitchoverRequest = Schemas['SwitchoverRequest'];
/** Body of `POST /failover`. */
export type FailoverRequest = Schemas['FailoverRequest'];
/** Body of `POST /restart` (every key is a filter). */
export type RestartRequest = Schemas['RestartRequest'];
/** Body of `POST /reinitialize`. */
export type ReinitializeRequest = Schemas['ReinitializeRequest'];
/** The generated `paths` interface, for callers who want raw per-status types. */
export type PatroniPaths = paths;

/** A merge patch for `PATCH /config`: like {@link DynamicConfig}, every key optional, `null` deletes it. */
export type DynamicConfigPatch = { [K in keyof DynamicConfig]?: PatchValue<DynamicConfig[K]> | null } & {
  [key: string]: unknown;
};
type PatchValue<T> = T extends readonly unknown[]
  ? T
  : T extends Record<string, unknown>
    ? { [K in keyof T]?: PatchValue<T[K]> | null }
    : T;

/** Health-check paths (without the leading slash; `''` is `/`). */
export type HealthEndpoint =
  | ''
  | 'primary'
  | 'master'
  | 'read-write'
  | 'leader'
  | 'standby-leader'
  | 'standby_leader'
  | 'replica'
  | 'read-only'
  | 'health'
  | 'sync'
  | 'synchronous'
  | 'async'
  | 'asynchronous'
  | 'read-only-sync'
  | 'read-only-synchronous'
  | 'quorum'
  | 'read-only-quorum';

/** Every health endpoint, in the order Patroni evaluates them. */
export const HEALTH_ENDPOINTS: readonly HealthEndpoint[] = [
  '',
  'primary',
  'master',
  'read-write',
  'leader',
  'standby-leader',
  'standby_leader',
  'replica',
  'read-only',
  'health',
  'sync',
  'synchronous',
  'async',
  'asynchronous',
  'read-only-sync',
  'read-only-synchronous',
  'quorum',
  'read-only-quorum',
];

/** Query of a health check: maximum lag (bytes or `16MB`) and tag filters (`{ nofailover: 'true' }`). */
export interface HealthQuery {
  lag?: string | number;
  /** Tag name → expected value, sent as `tag_<name>=<value>`. */
  tags?: Record<string, string>;
}

/** Query of `GET /readiness` (Patroni 4.1.0+; older versions ignore it). */
export interface ReadinessQuery {
  lag?: string | number;
  mode?: 'apply' | 'write';
}

/** Answer of a GET health check: 200 and 503 both carry the node status. */
export interface HealthResult {
  endpoint: HealthEndpoint;
  status: 200 | 503;
  /** True for 200. */
  ok: boolean;
  body: NodeStatus;
}

/** Answer of a probe that Patroni sends as a bare status line (HEAD/OPTIONS, `/liveness`, `/readiness`). */
export interface StatusLineResult {
  status: number;
  ok: boolean;
}

/** TLS settings (patronictl's `ctl.cacert`, `ctl.certfile`, `ctl.keyfile`, `ctl.keyfile_password`, `ctl.insecure`). */
export interface PatroniTlsOptions {
  /** CA certificate(s) in PEM that sign the REST API's certificate. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate in PEM, for `restapi.verify_client`. */
  cert?: string | Buffer;
  /** Client key in PEM. */
  key?: string | Buffer;
  /** Passphrase of an encrypted client key. */
  passphrase?: string;
  /** Server name for SNI and certificate checks when it differs from the URL's host. */
  servername?: string;
  /** Set to `false` only to turn verification off on purpose (patronictl's `insecure: true`). Default true. */
  rejectUnauthorized?: boolean;
}

/** Default timeouts in milliseconds; each call may override its own. */
export interface PatroniTimeouts {
  /** TCP + TLS connection set-up. Default 3000. */
  connect?: number;
  /** Whole GET call, retries included. Default 5000. */
  read?: number;
  /** Whole non-blocking write call. Default 10000. */
  write?: number;
  /**
   * Writes that Patroni answers only when done: immediate switchover/failover (Patroni polls for up to
   * `2*max(10, loop_wait)` s) and immediate restart. Default 90000; see {@link blockingWriteTimeout}.
   */
  blockingWrite?: number;
}

/** Options of {@link PatroniClient}. */
export interface PatroniClientOptions {
  /** A member's REST API: `http(s)://host:port`; a member `api_url` ending in `/patroni` is accepted too. */
  url: string | URL;
  /** `restapi.authentication` (or `ctl.authentication`) credentials, sent with unsafe requests only. */
  auth?: { username: string; password: string };
  tls?: PatroniTlsOptions;
  timeouts?: PatroniTimeouts;
  /** Extra attempts for GETs after a connection failure or a dropped connection. Default 2. Writes never retry. */
  retries?: number;
  /** Delay before the first GET retry, doubled each time (bounded by the call's deadline). Default 100 ms. */
  retryDelayMs?: number;
  /** Upper bound for a response body. Default 8 MiB. */
  maxResponseBytes?: number;
  /** Use this undici dispatcher (e.g. one `Agent` shared by all members) instead of a private `Pool`. */
  dispatcher?: Dispatcher;
  /** `User-Agent` header. Default `patroni-kit-rest/<version>`. */
  userAgent?: string;
  /** Told about every request when it ends (a request log); the URL never holds credentials. */
  onRequest?: RequestListener | undefined;
}

/** Per-call options. */
export interface CallOptions {
  /** Cancels the call. A write cancelled after it was sent is reported as `unknown`. */
  signal?: AbortSignal;
  /** Deadline for this call in ms, overriding the client's default for its kind. */
  timeoutMs?: number;
}

/** A write Patroni acknowledged (2xx). */
export interface WriteSucceeded<T> {
  outcome: 'succeeded';
  status: number;
  body: T;
}

/** A write Patroni refused or reported as failed; nothing was done unless `message` says otherwise. */
export interface WriteFailed {
  outcome: 'failed';
  status: number;
  /** Patroni's answer (plain text, or the message of an HTML error page). */
  message: string;
  /** One line for people: the request and what Patroni said. */
  reason: string;
  /** The same as an HTTP_STATUS error, to throw or log. */
  error: PatroniKitError;
}

/**
 * A write whose effect is unknown: the request may have reached Patroni but no usable answer came back
 * (timeout, dropped connection, cancellation, or Patroni's own "status unknown"). Confirm by reading the cluster.
 */
export interface WriteUnknown {
  outcome: 'unknown';
  reason: string;
  /** Set when Patroni answered (e.g. 503 `Switchover status unknown`). */
  status?: number;
  /** Code of the transport failure, when there was one: TIMEOUT, ABORTED, CONNECT or DECODE. */
  transport?: ErrorCode;
  /** An AMBIGUOUS_WRITE error (the transport error is its `cause`), to throw or log. */
  error: PatroniKitError;
}

/** Result of every write: never retried, never thrown for an unknown outcome. */
export type WriteResult<T = string> = WriteSucceeded<T> | WriteFailed | WriteUnknown;
