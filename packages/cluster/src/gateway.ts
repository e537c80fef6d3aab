/**
 * Reads Patroni's keys through etcd's JSON gateway (`POST /v3/kv/range`), the way patronictl does: one
 * linearizable range read of the cluster prefix, keys and values base64, int64 numbers as decimal strings.
 * Writes and watches go through `@patroni-kit/dcs` (npm etcd3); this path exists to keep `list` lean.
 */
import { readFileSync } from 'node:fs';
import type { RawKv } from '@patroni-kit/dcs';
import { splitEndpoint } from '@patroni-kit/dcs/ctlconfig';
import { isPatroniKitError, PatroniKitError, registerSecret } from '@patroni-kit/errors';
import { type HttpTls, httpRequest, parseJsonBody } from './http.js';

/** How to reach etcd (the shape of `@patroni-kit/dcs`'s ConnectionOptions). */
export interface GatewayConnection {
  endpoints: string[];
  auth?: { username: string; password: string };
  tls?: {
    ca?: string | Buffer;
    caFile?: string;
    cert?: string | Buffer;
    certFile?: string;
    key?: string | Buffer;
    keyFile?: string;
  };
}

/** Result of a range read. */
export interface GatewayRange {
  revision: string;
  kvs: RawKv[];
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

function b64(text: string | Buffer): string {
  return (Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8')).toString('base64');
}

/** The end of a prefix range: the prefix with its last byte incremented. */
function rangeEnd(prefix: string): string {
  const buf = Buffer.from(prefix, 'utf8');
  for (let i = buf.length - 1; i >= 0; i--) {
    if (buf[i]! < 0xff) {
      const end = buf.subarray(0, i + 1);
      end[i]! += 1;
      return b64(end);
    }
  }
  return b64(Buffer.from([0]));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** etcd v3 JSON gateway client: range reads and lease TTLs, with endpoint fail-over under one deadline. */
export class EtcdGateway {
  readonly endpoints: string[];
  #tls: HttpTls | undefined;
  #auth: { username: string; password: string } | undefined;
  #token: string | undefined;
  #preferred = 0;

  constructor(conn: GatewayConnection) {
    let urlAuth: { username: string; password: string } | undefined;
    this.endpoints = conn.endpoints.map((e) => {
      const { endpoint, auth } = splitEndpoint(e);
      urlAuth ??= auth;
      return endpoint;
    });
    if (this.endpoints.length === 0) throw new PatroniKitError('CONFIG', 'no etcd endpoint given');
    this.#auth = conn.auth ?? urlAuth;
    registerSecret(this.#auth?.password);
    const t = conn.tls;
    if (t) {
      const file = (path: string | undefined, what: string) => {
        if (path === undefined) return undefined;
        try {
          return readFileSync(path);
        } catch (err) {
          throw new PatroniKitError('CONFIG', `cannot read the etcd ${what} file ${path}`, {
            cause: err,
            hint: `check etcd3.${what} in the config`,
          });
        }
      };
      const tls: HttpTls = {};
      const ca = t.ca ?? file(t.caFile, 'cacert');
      const cert = t.cert ?? file(t.certFile, 'cert');
      const key = t.key ?? file(t.keyFile, 'key');
      if (ca !== undefined) tls.ca = ca;
      if (cert !== undefined) tls.cert = cert;
      if (key !== undefined) tls.key = key;
      this.#tls = tls;
    }
  }

  /** One linearizable range read of `prefix` (or of the single key when `prefix` is false). */
  async range(
    key: string,
    opts: { prefix?: boolean; timeoutMs: number; signal?: AbortSignal | undefined; serializable?: boolean },
  ): Promise<GatewayRange> {
    const body: Record<string, unknown> = { key: b64(key) };
    if (opts.prefix) body.range_end = rangeEnd(key);
    if (opts.serializable) body.serializable = true;
    const { json, endpoint } = await this.#call('/v3/kv/range', body, opts.timeoutMs, opts.signal);
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
        createRevision: String(k.create_revision ?? '0'),
        modRevision: String(k.mod_revision ?? '0'),
        version: String(k.version ?? '0'),
      };
      if (k.lease && String(k.lease) !== '0') raw.leaseId = String(k.lease);
      return raw;
    });
    const header = isRecord(json.header) ? json.header : {};
    const revision = header.revision;
    return {
      revision: typeof revision === 'string' || typeof revision === 'number' ? String(revision) : '0',
      kvs,
      endpoint,
    };
  }

  /** Remaining seconds of a lease (`-1` when it expired). */
  async leaseTtl(id: string, opts: { timeoutMs: number; signal?: AbortSignal | undefined }): Promise<number> {
    const { json } = await this.#call('/v3/lease/timetolive', { ID: id }, opts.timeoutMs, opts.signal);
    const ttl = Number(
      isRecord(json) && (typeof json.TTL === 'string' || typeof json.TTL === 'number') ? json.TTL : -1,
    );
    return Number.isFinite(ttl) ? ttl : -1;
  }

  async #authenticate(endpoint: string, timeoutMs: number, signal?: AbortSignal): Promise<string> {
    const auth = this.#auth!;
    const res = await httpRequest({
      url: `${endpoint}/v3/auth/authenticate`,
      method: 'POST',
      body: JSON.stringify({ name: auth.username, password: auth.password }),
      timeoutMs,
      signal,
      tls: this.#tls,
    });
    const parsed = parseJsonBody(res, `etcd ${endpoint}`);
    const json = isRecord(parsed) ? parsed : {};
    const message =
      typeof json.message === 'string' ? json.message : typeof json.error === 'string' ? json.error : '';
    if (res.status === 200 && typeof json.token === 'string' && json.token !== '') return json.token;
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

  async #call(
    path: string,
    body: unknown,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<{ json: unknown; endpoint: string }> {
    const deadline = Date.now() + timeoutMs;
    const errors: string[] = [];
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
        const res = await httpRequest({
          url: `${endpoint}${path}`,
          method: 'POST',
          body: JSON.stringify(body),
          headers: this.#token ? { authorization: this.#token } : {},
          timeoutMs: share,
          signal,
          tls: this.#tls,
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
        if (isPatroniKitError(err, 'ABORTED', 'AUTH')) throw err;
        last = err;
        errors.push((err as Error).message);
      }
    }
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
