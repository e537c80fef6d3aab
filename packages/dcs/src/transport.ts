/**
 * The etcd v3 transport behind the DCS client. {@link EtcdTransport} is what the rest of the package uses;
 * {@link Etcd3Transport} implements it over npm `etcd3` (gRPC).
 */
import { checkTimeoutMs, emitRequest, PatroniKitError, registerSecret } from '@patroni-kit/errors';
import { extraCaCertificates } from '@patroni-kit/errors/extra-ca';
import { Etcd3, type IOptions, type IWatchResponse, type Watcher } from 'etcd3';
import { type CallOptions, type ConnectionOptions, normalizeEndpoint, pem } from './connection.js';
import { splitEndpoint } from './ctlconfig.js';
import type { RawKv } from './decode.js';
import { toDcsError } from './errors.js';
import { prefixRangeEnd } from './keys.js';
import type { LeaseTtl } from './types.js';

export type { CallOptions, ConnectionOptions, TlsOptions } from './connection.js';
export { normalizeEndpoint } from './connection.js';

/** A range read result. */
export interface RangeResult {
  revision: string;
  memberId: string;
  raftTerm: string;
  kvs: RawKv[];
  count: number;
}

/** One compare of a CAS transaction. */
export type Compare =
  | { key: string; target: 'mod'; op: '==' | '<'; revision: string; rangeEnd?: 'prefix' }
  | { key: string; target: 'create'; op: '=='; revision: string; rangeEnd?: 'prefix' }
  | { key: string; target: 'value'; op: '=='; value: string };

/** One operation of a transaction. */
export type TxnOp = { put: { key: string; value: string } } | { deletePrefix: string } | { delete: string };

/** Handlers of a watch stream. */
export interface WatchHandlers {
  onEvents(revision: string, events: Array<{ type: 'put' | 'delete'; kv: RawKv }>): void;
  onConnected(): void;
  /** The stream broke; the transport reconnects by itself and resumes at the next revision. */
  onDisconnected(err: unknown): void;
  /** The watch was cancelled (compaction, auth, permission): the caller must list and watch again. */
  onCancelled(err: PatroniKitError): void;
}

/** A running watch. */
export interface WatchHandle {
  close(): Promise<void>;
}

/** Status of the member a client talks to. */
export interface MemberStatus {
  memberId: string;
  clusterId: string;
  leaderId: string;
  raftTerm: string;
  raftIndex: string;
  raftAppliedIndex: string;
  dbSize: number;
  dbSizeInUse?: number;
  version: string;
  errors: string[];
}

/** The etcd operations the DCS client needs; a JSON-gateway transport can implement the same. */
export interface EtcdTransport {
  readonly endpoints: readonly string[];
  range(
    key: string,
    opts: CallOptions & { prefix?: boolean; keysOnly?: boolean; serializable?: boolean },
  ): Promise<RangeResult>;
  txn(
    compares: Compare[],
    success: TxnOp[],
    opts: CallOptions,
  ): Promise<{ succeeded: boolean; revision: string }>;
  leaseTimeToLive(id: string, opts: CallOptions): Promise<LeaseTtl>;
  memberList(opts: CallOptions): Promise<{
    clusterId: string;
    members: Array<{
      id: string;
      name: string;
      peerUrls: string[];
      clientUrls: string[];
      isLearner: boolean;
    }>;
  }>;
  status(opts: CallOptions): Promise<MemberStatus>;
  alarms(opts: CallOptions): Promise<Array<{ memberId: string; alarm: string }>>;
  compact(revision: string, opts: CallOptions): Promise<void>;
  watchPrefix(prefix: string, startRevision: string, handlers: WatchHandlers): WatchHandle;
  close(): void;
}

// A policy that calls through once: used where we want no hidden retries (per-endpoint probes).
const passthrough = {
  execute: <T>(fn: (ctx: unknown) => T) => fn({ signal: new AbortController().signal, attempt: 0 }),
};

function constantBackoff(ms: number): unknown {
  const b = { duration: ms, next: () => b };
  return b;
}

type FaultHandling = NonNullable<IOptions['faultHandling']>;

const b64 = (s: string) => Buffer.from(s);

/** {@link EtcdTransport} over npm `etcd3` (gRPC). */
export class Etcd3Transport implements EtcdTransport {
  readonly endpoints: readonly string[];
  private readonly client: Etcd3;
  private readonly timeoutMs: number;
  private readonly onRequest: ConnectionOptions['onRequest'];

  constructor(options: ConnectionOptions & { probe?: boolean }) {
    this.onRequest = options.onRequest;
    if (options.endpoints.length === 0) {
      throw new PatroniKitError('USAGE', 'no etcd endpoints given', {
        hint: 'Pass --dcs-url etcd3://host:2379 or -c with an etcd3.hosts section.',
      });
    }
    this.endpoints = options.endpoints.map(normalizeEndpoint);
    this.timeoutMs = checkTimeoutMs(options.timeoutMs ?? 5000, 'timeoutMs');
    const tls = options.tls;
    const deferred = this.endpoints.some((e) => e.startsWith('https:')) ? extraCaCertificates() : undefined;
    const ca = pem(tls?.ca, tls?.caFile, 'CA') ?? (deferred ? Buffer.from(deferred.join('\n')) : undefined);
    const cert = pem(tls?.cert, tls?.certFile, 'client certificate');
    const key = pem(tls?.key, tls?.keyFile, 'client key');
    if ((cert === undefined) !== (key === undefined)) {
      throw new PatroniKitError('USAGE', 'a client certificate needs both the certificate and its key', {
        hint: 'Give both etcd3.cert and etcd3.key.',
      });
    }
    const timeoutMs = this.timeoutMs;
    const opts: IOptions = {
      hosts: [...this.endpoints],
      // Stream calls (watch) must not get a deadline; unary calls (including authenticate) do.
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeoutMs }),
      grpcOptions: {
        'grpc.keepalive_time_ms': 10_000,
        'grpc.keepalive_timeout_ms': 5_000,
        'grpc.keepalive_permit_without_calls': 1,
        'grpc.initial_reconnect_backoff_ms': 200,
        'grpc.max_reconnect_backoff_ms': 2_000,
      },
      faultHandling: {
        watchBackoff: constantBackoff(500),
        ...(options.probe ? { global: passthrough, host: () => passthrough } : {}),
      } as unknown as FaultHandling,
    };
    // Credentials written into an endpoint URL count as etcd credentials; the endpoints keep none.
    const auth = options.auth ?? options.endpoints.map((e) => splitEndpoint(e).auth).find(Boolean);
    if (auth) {
      registerSecret(auth.password);
      opts.auth = { username: auth.username, password: auth.password };
    }
    if (ca || cert) {
      opts.credentials = {
        rootCertificate: ca ?? Buffer.alloc(0),
        ...(key ? { privateKey: key } : {}),
        ...(cert ? { certChain: cert } : {}),
      };
      if (!ca) delete (opts.credentials as { rootCertificate?: Buffer }).rootCertificate;
    }
    this.client = new Etcd3(opts);
  }

  private async call<T>(op: string, opts: CallOptions, fn: (deadline: Date) => Promise<T>): Promise<T> {
    const timeoutMs = checkTimeoutMs(opts.timeoutMs ?? this.timeoutMs, 'timeoutMs');
    const ctx = { op, endpoints: this.endpoints };
    const signal = opts.signal;
    if (signal?.aborted) throw new PatroniKitError('ABORTED', `aborted before ${op}`);
    let cleanup = () => {};
    // etcd3 retries across hosts and may re-authenticate; the guard bounds the whole call, not one attempt.
    const guard = new Promise<never>((_, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new PatroniKitError(
              'TIMEOUT',
              `etcd at ${this.endpoints.join(', ')} did not answer within ${timeoutMs} ms while ${op}`,
              {
                hint: 'etcd may have lost quorum (run `patroni-kit etcd status`), or be unreachable; raise the timeout otherwise.',
              },
            ),
          ),
        timeoutMs + 250,
      );
      const onAbort = () => reject(new PatroniKitError('ABORTED', `aborted while ${op}`));
      signal?.addEventListener('abort', onAbort, { once: true });
      cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
    });
    const startedAt = performance.now();
    const report = (error?: PatroniKitError) =>
      emitRequest(this.onRequest, {
        method: 'gRPC',
        url: `${this.endpoints.join(',')} ${op}`,
        outcome:
          error === undefined
            ? 'ok'
            : op.startsWith('writing') && error.code !== 'AUTH'
              ? 'unknown'
              : 'error',
        durationMs: performance.now() - startedAt,
        ...(error === undefined ? {} : { error: error.code }),
      });
    try {
      const result = await Promise.race([fn(new Date(Date.now() + timeoutMs)), guard]);
      report();
      return result;
    } catch (err) {
      const error = toDcsError(err, ctx);
      report(error);
      throw error;
    } finally {
      cleanup();
    }
  }

  async range(
    key: string,
    opts: CallOptions & { prefix?: boolean; keysOnly?: boolean; serializable?: boolean } = {},
  ): Promise<RangeResult> {
    const k = b64(key);
    return this.call(`reading ${key}`, opts, async (deadline) => {
      const res = await this.client.kv.range(
        {
          key: k,
          ...(opts.prefix ? { range_end: prefixRangeEnd(k) } : {}),
          keys_only: opts.keysOnly === true,
          serializable: opts.serializable === true,
        },
        { deadline },
      );
      return {
        revision: res.header.revision,
        memberId: res.header.member_id,
        raftTerm: res.header.raft_term,
        count: Number(res.count),
        kvs: (res.kvs ?? []).map(toRawKv),
      };
    });
  }

  async txn(compares: Compare[], success: TxnOp[], opts: CallOptions = {}) {
    return this.call('writing (transaction)', opts, async (deadline) => {
      const res = await this.client.kv.txn(
        {
          compare: compares.map((c) => {
            const key = b64(c.key);
            const rangeEnd =
              'rangeEnd' in c && c.rangeEnd === 'prefix' ? { range_end: prefixRangeEnd(key) } : {};
            if (c.target === 'value') return { key, target: 'Value', result: 'Equal', value: b64(c.value) };
            if (c.target === 'create')
              return { key, target: 'Create', result: 'Equal', create_revision: c.revision, ...rangeEnd };
            return {
              key,
              target: 'Mod',
              result: c.op === '==' ? 'Equal' : 'Less',
              mod_revision: c.revision,
              ...rangeEnd,
            };
          }),
          success: success.map((op) => {
            if ('put' in op) return { request_put: { key: b64(op.put.key), value: b64(op.put.value) } };
            if ('delete' in op) return { request_delete_range: { key: b64(op.delete) } };
            const k = b64(op.deletePrefix);
            return { request_delete_range: { key: k, range_end: prefixRangeEnd(k) } };
          }),
          failure: [],
        },
        { deadline },
      );
      return { succeeded: res.succeeded, revision: res.header.revision };
    });
  }

  async leaseTimeToLive(id: string, opts: CallOptions = {}): Promise<LeaseTtl> {
    return this.call(`reading lease ${id}`, opts, async (deadline) => {
      const res = await this.client.leaseClient.leaseTimeToLive({ ID: id, keys: false }, { deadline });
      return { id, ttl: Number(res.TTL), grantedTtl: Number(res.grantedTTL) };
    });
  }

  async memberList(opts: CallOptions = {}) {
    return this.call('listing etcd members', opts, async (deadline) => {
      const res = await this.client.cluster.memberList({}, { deadline });
      return {
        clusterId: res.header.cluster_id,
        members: res.members.map((m) => ({
          id: m.ID,
          name: m.name,
          peerUrls: m.peerURLs ?? [],
          clientUrls: m.clientURLs ?? [],
          isLearner: m.isLearner === true,
        })),
      };
    });
  }

  async status(opts: CallOptions = {}): Promise<MemberStatus> {
    return this.call('reading etcd status', opts, async (deadline) => {
      const res = await this.client.maintenance.status({ deadline });
      const extra = res as unknown as { dbSizeInUse?: string; errors?: string[] };
      const out: MemberStatus = {
        memberId: res.header.member_id,
        clusterId: res.header.cluster_id,
        leaderId: res.leader,
        raftTerm: res.raftTerm,
        raftIndex: res.raftIndex,
        raftAppliedIndex: res.raftAppliedIndex,
        dbSize: Number(res.dbSize),
        version: res.version,
        errors: extra.errors ?? [],
      };
      if (extra.dbSizeInUse !== undefined) out.dbSizeInUse = Number(extra.dbSizeInUse);
      return out;
    });
  }

  async alarms(opts: CallOptions = {}) {
    return this.call('reading etcd alarms', opts, async (deadline) => {
      const res = await this.client.maintenance.alarm(
        { action: 'Get', memberID: 0, alarm: 'None' },
        { deadline },
      );
      return (res.alarms ?? []).map((a) => ({ memberId: a.memberID, alarm: String(a.alarm) }));
    });
  }

  async compact(revision: string, opts: CallOptions = {}): Promise<void> {
    await this.call(`compacting at ${revision}`, opts, (deadline) =>
      this.client.kv.compact({ revision, physical: true } as never, { deadline }),
    );
  }

  watchPrefix(prefix: string, startRevision: string, handlers: WatchHandlers): WatchHandle {
    const ctx = { op: `watching ${prefix}`, endpoints: this.endpoints };
    const watcher: Watcher = this.client.watch().prefix(prefix).startRevision(startRevision).watcher();
    let closed = false;
    let resumeFrom = startRevision;
    // etcd3 rethrows listener exceptions on a later tick (crashing the process); keep them contained.
    const safe =
      <A extends unknown[]>(fn: (...a: A) => void) =>
      (...a: A) => {
        if (closed) return;
        try {
          fn(...a);
        } catch (err) {
          queueMicrotask(() => handlers.onCancelled(toDcsError(err, ctx)));
        }
      };
    watcher.on(
      'data',
      safe((res: IWatchResponse) => {
        const events = (res.events ?? []).map((ev) => ({
          type: (ev.type === 'Delete' ? 'delete' : 'put') as 'put' | 'delete',
          kv: toRawKv(ev.kv),
        }));
        resumeFrom = (BigInt(res.header.revision) + 1n).toString();
        if (events.length > 0) handlers.onEvents(res.header.revision, events);
      }),
    );
    watcher.on(
      'connected',
      safe(() => handlers.onConnected()),
    );
    watcher.on(
      'disconnected',
      safe((err: unknown) => handlers.onDisconnected(err)),
    );
    watcher.on(
      'error',
      safe((err: unknown) => {
        closed = true;
        // Not watcher.lastRevision(): etcd3 moves it to the revision of the (re)creation response.
        const from = resumeFrom;
        // etcd3 drops compact_revision from the cancel response; find out whether compaction was the cause.
        void this.explainCancel(prefix, from, err).then((e) => handlers.onCancelled(e));
      }),
    );
    return {
      close: async () => {
        closed = true;
        try {
          await Promise.race([watcher.cancel(), new Promise((r) => setTimeout(r, 1000))]);
        } catch {
          // A watch that cannot be cancelled cleanly is dropped with the client.
        }
      },
    };
  }

  private async explainCancel(prefix: string, fromRevision: string, err: unknown): Promise<PatroniKitError> {
    const ctx = { op: `watching ${prefix}`, endpoints: this.endpoints };
    const text = err instanceof Error ? err.message : String(err);
    if (/^\d+$/.test(fromRevision) && !/auth|permission/i.test(text)) {
      try {
        await this.client.kv.range(
          { key: b64(prefix), revision: fromRevision, limit: 1 },
          { deadline: new Date(Date.now() + this.timeoutMs) },
        );
      } catch (probe) {
        if (/compacted/i.test(String((probe as Error)?.message))) {
          return new PatroniKitError('DCS', `watch cancelled: revision ${fromRevision} has been compacted`, {
            cause: err,
            hint: 'Listing again and watching from the current revision.',
            details: { etcd: text, compacted: true },
          });
        }
      }
    }
    return toDcsError(err, ctx);
  }

  close(): void {
    this.client.close();
  }
}

function toRawKv(kv: {
  key: Buffer;
  value: Buffer;
  create_revision: string;
  mod_revision: string;
  version: string;
  lease: string;
}): RawKv {
  const raw: RawKv = {
    key: kv.key.toString('utf8'),
    value: kv.value ?? Buffer.alloc(0),
    createRevision: String(kv.create_revision),
    modRevision: String(kv.mod_revision),
    version: String(kv.version),
  };
  if (kv.lease && kv.lease !== '0') raw.leaseId = String(kv.lease);
  return raw;
}
