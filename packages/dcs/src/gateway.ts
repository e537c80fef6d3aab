/**
 * `@patroni-kit/dcs/gateway`: {@link EtcdTransport} over etcd's JSON gateway (`POST /v3/kv/range`), the way
 * patronictl reads Patroni's keys: one linearizable range read, keys and values base64, int64 numbers as
 * decimal strings. Range reads and lease TTLs go over HTTP (`@patroni-kit/rest/lean`); a watch, a
 * transaction, a compaction or a member/status call loads npm etcd3 (gRPC) on first use and goes through
 * {@link Etcd3Transport}, so a read-only command such as `list` never loads gRPC.
 */
import { isPatroniKitError, PatroniKitError, registerSecret } from '@patroni-kit/errors';
import { type LeanTls, leanRequest, parseJsonBody } from '@patroni-kit/rest/lean';
import { type CallOptions, type ConnectionOptions, normalizeEndpoint, pem } from './connection.js';
import { splitEndpoint } from './ctlconfig.js';
import type { RawKv } from './decode.js';
import { prefixRangeEnd } from './keys.js';
import type {
  Compare,
  EtcdTransport,
  MemberStatus,
  RangeResult,
  TxnOp,
  WatchHandle,
  WatchHandlers,
} from './transport.js';
import type { LeaseTtl } from './types.js';

/** A range read over the gateway, with the endpoint that answered. */
export interface GatewayRangeResult extends RangeResult {
  endpoint: string;
}

interface GatewayKv {
  key?: string;
  value?: string;
  create_revision?: string;
  mod_revision?: string;
  version?: string;
  lease?: string;
}

const b64 = (data: string | Buffer) =>
  (Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8')).toString('base64');

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function int64(v: unknown, fallback = '0'): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : fallback;
}

/** {@link EtcdTransport} over etcd's v3 JSON gateway, with endpoint fail-over under one deadline per call. */
export class GatewayTransport implements EtcdTransport {
  readonly endpoints: readonly string[];
  readonly #options: ConnectionOptions;
  readonly #timeoutMs: number;
  readonly #tls: LeanTls | undefined;
  readonly #auth: { username: string; password: string } | undefined;
  #token: string | undefined;
  #preferred = 0;
  #grpc: Promise<EtcdTransport> | undefined;
  #closed = false;

  constructor(options: ConnectionOptions) {
    let urlAuth: { username: string; password: string } | undefined;
    this.endpoints = options.endpoints.map((e) => {
      const { endpoint, auth } = splitEndpoint(e);
      urlAuth ??= auth;
      return normalizeEndpoint(endpoint);
    });
    if (this.endpoints.length === 0)
      throw new PatroniKitError('USAGE', 'no etcd endpoints given', {
        hint: 'Pass --dcs-url etcd3://host:2379 or -c with an etcd3.hosts section.',
      });
    this.#options = options;
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#auth = options.auth ?? urlAuth;
    registerSecret(this.#auth?.password);
    const t = options.tls;
    if (t) {
      const tls: LeanTls = {};
      const ca = pem(t.ca, t.caFile, 'CA');
      const cert = pem(t.cert, t.certFile, 'client certificate');
      const key = pem(t.key, t.keyFile, 'client key');
      if (ca !== undefined) tls.ca = ca;
      if (cert !== undefined) tls.cert = cert;
      if (key !== undefined) tls.key = key;
      this.#tls = tls;
    }
  }

  /** One range read of `key`, or of every key under it with `prefix` (linearizable unless `serializable`). */
  async range(
    key: string,
    opts: CallOptions & { prefix?: boolean; keysOnly?: boolean; serializable?: boolean } = {},
  ): Promise<GatewayRangeResult> {
    const body: Record<string, unknown> = { key: b64(key) };
    if (opts.prefix) body.range_end = b64(prefixRangeEnd(Buffer.from(key, 'utf8')));
    if (opts.serializable) body.serializable = true;
    if (opts.keysOnly) body.keys_only = true;
    const { json, endpoint } = await this.#call('/v3/kv/range', body, opts);
    const bad = (what: string) =>
      new PatroniKitError('DECODE', `etcd ${endpoint}: the range answer ${what}`, {
        hint: 'this does not look like etcd v3 (or its JSON gateway): check etcd3.hosts / --dcs-url',
      });
    if (!isRecord(json)) throw bad('is not a JSON object');
    const rawKvs = json.kvs ?? [];
    if (!Array.isArray(rawKvs)) throw bad('has kvs that is not a list');
    const kvs: RawKv[] = rawKvs.map((kv: unknown, i) => {
      if (!isRecord(kv)) throw bad(`has kvs[${i}] that is not an object`);
      for (const field of ['key', 'value', 'create_revision', 'mod_revision', 'version', 'lease'] as const) {
        const v = kv[field];
        if (
          v !== undefined &&
          typeof v !== 'string' &&
          !(typeof v === 'number' && field !== 'key' && field !== 'value')
        )
          throw bad(`has kvs[${i}].${field} that is not a string`);
      }
      const k = kv as GatewayKv;
      const raw: RawKv = {
        key: Buffer.from(k.key ?? '', 'base64').toString('utf8'),
        value: Buffer.from(k.value ?? '', 'base64'),
        createRevision: int64(k.create_revision),
        modRevision: int64(k.mod_revision),
        version: int64(k.version),
      };
      if (k.lease && String(k.lease) !== '0') raw.leaseId = String(k.lease);
      return raw;
    });
    const header = isRecord(json.header) ? json.header : {};
    return {
      revision: int64(header.revision),
      memberId: int64(header.member_id),
      raftTerm: int64(header.raft_term),
      count: Number(int64(json.count, String(kvs.length))),
      kvs,
      endpoint,
    };
  }

  /** A lease's remaining and granted TTL (`ttl` is `-1` when it expired). */
  async leaseTimeToLive(id: string, opts: CallOptions = {}): Promise<LeaseTtl> {
    const { json } = await this.#call('/v3/lease/timetolive', { ID: id }, opts);
    const num = (v: unknown) => {
      const n = Number(isRecord(json) ? int64(v, '-1') : -1);
      return Number.isFinite(n) ? n : -1;
    };
    return {
      id,
      ttl: num(isRecord(json) ? json.TTL : undefined),
      grantedTtl: num(isRecord(json) ? json.grantedTTL : undefined),
    };
  }

  async txn(compares: Compare[], success: TxnOp[], opts: CallOptions = {}) {
    return (await this.#etcd3()).txn(compares, success, opts);
  }

  async memberList(opts: CallOptions = {}) {
    return (await this.#etcd3()).memberList(opts);
  }

  async status(opts: CallOptions = {}): Promise<MemberStatus> {
    return (await this.#etcd3()).status(opts);
  }

  async alarms(opts: CallOptions = {}) {
    return (await this.#etcd3()).alarms(opts);
  }

  async compact(revision: string, opts: CallOptions = {}): Promise<void> {
    return (await this.#etcd3()).compact(revision, opts);
  }

  watchPrefix(prefix: string, startRevision: string, handlers: WatchHandlers): WatchHandle {
    let closed = false;
    const handle = this.#etcd3().then(
      (t) => {
        if (closed) return undefined;
        return t.watchPrefix(prefix, startRevision, handlers);
      },
      (err: unknown) => {
        if (!closed)
          handlers.onCancelled(
            isPatroniKitError(err)
              ? err
              : new PatroniKitError('DCS', `cannot watch ${prefix}`, { cause: err }),
          );
        return undefined;
      },
    );
    return {
      close: async () => {
        closed = true;
        await (await handle)?.close();
      },
    };
  }

  close(): void {
    this.#closed = true;
    void this.#grpc?.then(
      (t) => t.close(),
      () => undefined,
    );
  }

  /** The gRPC transport, loaded and connected on first use. */
  #etcd3(): Promise<EtcdTransport> {
    if (this.#closed) return Promise.reject(new PatroniKitError('USAGE', 'the etcd transport is closed'));
    this.#grpc ??= import('./transport.js').then(({ Etcd3Transport }) => new Etcd3Transport(this.#options));
    return this.#grpc;
  }

  async #authenticate(endpoint: string, timeoutMs: number, signal?: AbortSignal): Promise<string> {
    const auth = this.#auth!;
    const res = await leanRequest({
      url: `${endpoint}/v3/auth/authenticate`,
      method: 'POST',
      body: JSON.stringify({ name: auth.username, password: auth.password }),
      timeoutMs,
      signal,
      tls: this.#tls,
      onRequest: this.#options.onRequest,
    });
    const parsed = parseJsonBody(res, `etcd ${endpoint}`);
    const json = isRecord(parsed) ? parsed : {};
    const message =
      typeof json.message === 'string' ? json.message : typeof json.error === 'string' ? json.error : '';
    if (res.status === 200 && typeof json.token === 'string' && json.token !== '') {
      registerSecret(json.token);
      return json.token;
    }
    // Only a member that judged the credentials refused them; "no leader", a 5xx or junk says nothing about
    // them, so the next endpoint is asked.
    const said = `${typeof json.error === 'string' ? json.error : ''} ${message}`;
    if (
      /authentication failed|invalid user ?(name|id) or password|user name is empty|auth.*not enabled/i.test(
        said,
      )
    ) {
      throw new PatroniKitError('AUTH', `etcd ${endpoint} refused the credentials: ${message}`, {
        hint: 'check etcd3.username and etcd3.password in the config',
      });
    }
    throw new PatroniKitError(
      res.status === 200 ? 'DECODE' : 'DCS',
      `etcd ${endpoint}: authentication did not answer a token (${message || `HTTP ${res.status}`})`,
      {
        status: res.status,
        hint: /no leader|timed out|unavailable/i.test(message)
          ? 'etcd has no quorum: check the etcd members (patroni-kit etcd)'
          : 'check etcd3.hosts in the config, or --dcs-url',
      },
    );
  }

  async #call(path: string, body: unknown, opts: CallOptions): Promise<{ json: unknown; endpoint: string }> {
    if (this.#closed) throw new PatroniKitError('USAGE', 'the etcd transport is closed');
    const timeoutMs = opts.timeoutMs ?? this.#timeoutMs;
    const signal = opts.signal;
    const deadline = Date.now() + timeoutMs;
    const errors: string[] = [];
    const failures: unknown[] = [];
    let last: unknown;
    for (let i = 0; i < this.endpoints.length; i++) {
      const index = (this.#preferred + i) % this.endpoints.length;
      const endpoint = this.endpoints[index]!;
      // Give every remaining endpoint a share of the time left, so one dead member cannot eat the deadline.
      const left = deadline - Date.now();
      if (left <= 0) break;
      const share = Math.max(200, Math.floor(left / (this.endpoints.length - i)));
      try {
        if (this.#auth && this.#token === undefined)
          this.#token = await this.#authenticate(endpoint, share, signal);
        const res = await leanRequest({
          url: `${endpoint}${path}`,
          method: 'POST',
          body: JSON.stringify(body),
          headers: this.#token ? { authorization: this.#token } : {},
          timeoutMs: share,
          signal,
          tls: this.#tls,
          onRequest: this.#options.onRequest,
        });
        const json = parseJsonBody(res, `etcd ${endpoint}`);
        if (res.status === 200) {
          this.#preferred = index;
          return { json, endpoint };
        }
        const answer = isRecord(json) ? json : {};
        const message =
          typeof answer.message === 'string'
            ? answer.message
            : typeof answer.error === 'string'
              ? answer.error
              : `HTTP ${res.status}`;
        if (/invalid auth token|auth.*old/i.test(message)) this.#token = undefined;
        if (/permission denied|user name is empty|authentication failed/i.test(message)) {
          throw new PatroniKitError('AUTH', `etcd ${endpoint}: ${message}`, {
            hint: 'check etcd3.username and etcd3.password in the config',
          });
        }
        throw new PatroniKitError('DCS', `etcd ${endpoint}: ${message}`, {
          hint: /no leader|timed out|not capable|unavailable/i.test(message)
            ? 'etcd has no quorum: check the etcd members (patroni-kit etcd)'
            : 'check the etcd endpoints',
          status: res.status,
        });
      } catch (err) {
        if (isPatroniKitError(err, 'ABORTED', 'AUTH', 'USAGE')) throw err;
        last = err;
        failures.push(err);
        errors.push((err as Error).message);
      }
    }
    // Every endpoint refused the TLS handshake: that is the fix to name, not etcd's health.
    if (failures.length > 0 && failures.every((e) => isPatroniKitError(e, 'TLS')))
      throw new PatroniKitError('TLS', `no etcd endpoint answered ${path}: ${errors.join('; ')}`, {
        cause: last,
        hint: 'trust the CA that signed the etcd certificates: etcd3.cacert in the config (SDK: tls.ca or tls.caFile) or NODE_EXTRA_CA_CERTS; a client certificate goes in etcd3.cert and etcd3.key',
        details: { endpoints: this.endpoints },
      });
    const allTimeouts =
      errors.length > 0 && errors.every((e) => /no answer within|timed out|no leader/.test(e));
    throw new PatroniKitError(
      allTimeouts ? 'QUORUM' : 'DCS',
      `no etcd endpoint answered ${path}: ${errors.join('; ') || 'deadline reached'}`,
      {
        cause: last,
        hint: allTimeouts
          ? 'etcd may have lost its quorum (a linearizable read needs a raft leader)'
          : 'check etcd3.hosts in the config, or --dcs-url',
        details: { endpoints: this.endpoints },
      },
    );
  }
}
