/** `DcsClient`: Patroni's keys in etcd v3 — reads, CAS writes, scopes, live watch and etcd health. */
import { isPatroniKitError, PatroniKitError } from '@patroni-kit/errors';
import { assertNoProblems, buildClusterState } from './decode.js';
import { etcdHealth } from './health.js';
import { classifyKey, clusterPrefix, namespacePrefix, normalizeNamespace } from './keys.js';
import {
  type CallOptions,
  type ConnectionOptions,
  Etcd3Transport,
  type EtcdTransport,
  type TxnOp,
} from './transport.js';
import type {
  ClusterState,
  DynamicConfig,
  EtcdHealth,
  FailoverValue,
  LeaseTtl,
  ScopeSummary,
} from './types.js';
import { ClusterWatch, type WatchOptions } from './watch.js';

/** Options of {@link DcsClient}. */
export interface DcsClientOptions extends ConnectionOptions {
  /** Patroni `namespace` (default `service`; slashes are normalised like Patroni does). */
  namespace?: string;
  /** Builds the transport; defaults to {@link Etcd3Transport}. */
  transport?: (options: ConnectionOptions) => EtcdTransport;
}

/** Options of {@link DcsClient.readCluster}. */
export interface ReadClusterOptions extends CallOptions {
  /** Fetch the remaining TTL of the leader's and members' leases (default true). */
  leases?: boolean;
  /** Throw `DECODE` when a key cannot be decoded instead of listing it in `problems` (default false). */
  strict?: boolean;
  /** Throw `NOT_FOUND` when no key exists under the scope (default true). */
  mustExist?: boolean;
  /** Citus group. */
  group?: number;
}

/** Result of a CAS write. */
export interface WriteResult<T> {
  value: T;
  /** The key's new mod revision. */
  revision: string;
}

/** Merges `patch` into `base` like Patroni's `patch_config`: `null` deletes, objects merge, the rest replaces. */
export function mergeConfig(base: DynamicConfig, patch: Record<string, unknown>): DynamicConfig {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (
      typeof v === 'object' &&
      !Array.isArray(v) &&
      typeof out[k] === 'object' &&
      out[k] !== null &&
      !Array.isArray(out[k])
    ) {
      out[k] = mergeConfig(out[k] as DynamicConfig, v as Record<string, unknown>);
    } else out[k] = v;
  }
  return out as DynamicConfig;
}

/** Client for Patroni's DCS in etcd v3. One instance holds one etcd connection; `close()` it. */
export class DcsClient {
  readonly namespace: string;
  private readonly options: DcsClientOptions;
  private readonly transport: EtcdTransport;

  constructor(options: DcsClientOptions) {
    this.options = options;
    this.namespace = normalizeNamespace(options.namespace);
    this.transport = this.makeTransport();
  }

  private makeTransport(extra: Partial<ConnectionOptions> & { probe?: boolean } = {}): EtcdTransport {
    const opts = { ...this.options, ...extra };
    return this.options.transport ? this.options.transport(opts) : new Etcd3Transport(opts);
  }

  /** The endpoints in use (normalised). */
  get endpoints(): readonly string[] {
    return this.transport.endpoints;
  }

  /** Reads every key of `scope` in one linearizable range read (plus lease TTLs). */
  async readCluster(scope: string, opts: ReadClusterOptions = {}): Promise<ClusterState> {
    if (!scope || scope.includes('\0')) throw new PatroniKitError('USAGE', 'a cluster scope is required');
    const prefix = clusterPrefix(this.namespace, scope, opts.group);
    const res = await this.transport.range(prefix, { ...callOpts(opts), prefix: true });
    const state = buildClusterState(res.kvs, {
      namespace: this.namespace,
      scope,
      prefix,
      revision: res.revision,
    });
    if (res.kvs.length === 0 && opts.mustExist !== false) throw await this.notFound(scope, opts);
    if (opts.strict) assertNoProblems(state);
    if (opts.leases !== false) {
      const ids = new Set<string>();
      if (state.leader?.leaseId) ids.add(state.leader.leaseId);
      for (const m of state.members) if (m.leaseId) ids.add(m.leaseId);
      const ttls = new Map<string, LeaseTtl>();
      await Promise.all(
        [...ids].map(async (id) => {
          try {
            ttls.set(id, await this.transport.leaseTimeToLive(id, callOpts(opts)));
          } catch (err) {
            if (isPatroniKitError(err, 'ABORTED')) throw err;
            state.problems.push({
              key: `lease ${id}`,
              message: `lease TTL unavailable: ${(err as Error).message}`,
            });
          }
        }),
      );
      if (state.leader?.leaseId && ttls.has(state.leader.leaseId))
        state.leader.lease = ttls.get(state.leader.leaseId)!;
      for (const m of state.members) if (m.leaseId && ttls.has(m.leaseId)) m.lease = ttls.get(m.leaseId)!;
    }
    return state;
  }

  /** The NOT_FOUND error for a scope without keys, naming the scopes that do exist. */
  private async notFound(scope: string, opts: CallOptions): Promise<PatroniKitError> {
    const known = await this.listScopes(callOpts(opts)).catch(() => [] as ScopeSummary[]);
    return new PatroniKitError(
      'NOT_FOUND',
      `no Patroni cluster '${scope}' in namespace /${this.namespace}/`,
      {
        hint: known.length
          ? `Clusters in /${this.namespace}/: ${known.map((s) => s.scope).join(', ')}. Check scope and namespace.`
          : `No cluster at all under /${this.namespace}/: check the namespace and the endpoints.`,
        details: { scope, namespace: this.namespace, known: known.map((s) => s.scope) },
      },
    );
  }

  /** Every scope with Patroni keys in the namespace (several clusters may share one etcd). */
  async listScopes(opts: CallOptions = {}): Promise<ScopeSummary[]> {
    const prefix = namespacePrefix(this.namespace);
    const res = await this.transport.range(prefix, { ...callOpts(opts), prefix: true, keysOnly: true });
    const scopes = new Map<string, ScopeSummary>();
    for (const kv of res.kvs) {
      const rest = kv.key.slice(prefix.length);
      const m = /^(.+?)\/((?:members\/[^/]+)|optime\/leader|[^/]+)$/.exec(rest);
      if (!m) continue;
      let scope = m[1]!;
      const kind = classifyKey(m[2]!);
      if (kind.kind === 'unknown') continue;
      // Citus: /<ns>/<scope>/<group>/<key>
      scope = scope.replace(/\/\d+$/, '');
      const s = scopes.get(scope) ?? { scope, initialized: false, hasLeader: false, members: [], keys: 0 };
      s.keys++;
      if (kind.kind === 'member') s.members.push(kind.name);
      else if (kind.name === 'initialize') s.initialized = true;
      else if (kind.name === 'leader') s.hasLeader = true;
      scopes.set(scope, s);
    }
    return [...scopes.values()].sort((a, b) => (a.scope < b.scope ? -1 : 1));
  }

  /** Remaining TTL of a lease. */
  leaseTtl(leaseId: string, opts: CallOptions = {}): Promise<LeaseTtl> {
    return this.transport.leaseTimeToLive(leaseId, opts);
  }

  /** A live view of `scope`; call `start()` on it. Uses its own connection. */
  watchCluster(scope: string, opts: WatchOptions = {}): ClusterWatch {
    return new ClusterWatch(
      (endpoints) => this.makeTransport({ endpoints }),
      this.transport.endpoints,
      scope,
      this.namespace,
      {
        ...(this.options.timeoutMs === undefined ? {} : { timeoutMs: this.options.timeoutMs }),
        missing: () => this.notFound(scope, {}),
        ...opts,
      },
    );
  }

  private async cas(
    what: string,
    compares: Parameters<EtcdTransport['txn']>[0],
    ops: TxnOp[],
    opts: CallOptions,
    conflict: string,
  ): Promise<string> {
    let res: { succeeded: boolean; revision: string };
    try {
      res = await this.transport.txn(compares, ops, opts);
    } catch (err) {
      if (isPatroniKitError(err, 'TIMEOUT', 'ABORTED')) {
        throw new PatroniKitError(
          'AMBIGUOUS_WRITE',
          `the outcome of ${what} is unknown: ${(err as Error).message}`,
          {
            cause: err,
            hint: 'Read the cluster again to see whether the change was applied before retrying.',
          },
        );
      }
      throw err;
    }
    if (!res.succeeded) {
      throw new PatroniKitError('CONFLICT', conflict, {
        hint: 'Someone else changed the keys since they were read; read the cluster again and retry.',
      });
    }
    return res.revision;
  }

  private async readKey(scope: string, name: string, opts: CallOptions & { group?: number }) {
    const key = `${clusterPrefix(this.namespace, scope, opts.group)}${name}`;
    const res = await this.transport.range(key, callOpts(opts));
    return { key, kv: res.kvs[0], revision: res.revision };
  }

  /**
   * Changes the dynamic configuration with compare-and-set on the `config` key's mod revision
   * (what `patronictl edit-config` does). `change` is a patch (`null` deletes) or a function of the current config.
   */
  async editConfig(
    scope: string,
    change: Record<string, unknown> | ((current: DynamicConfig) => DynamicConfig | Promise<DynamicConfig>),
    opts: CallOptions & { expectedRevision?: string; group?: number; overwriteInvalid?: boolean } = {},
  ): Promise<WriteResult<DynamicConfig>> {
    const { key, kv } = await this.readKey(scope, 'config', opts);
    if (!kv) {
      throw new PatroniKitError('NOT_FOUND', `The config key does not exist in the cluster ${scope}`, {
        hint: 'Is the scope right? The config key is written when the cluster bootstraps.',
      });
    }
    if (opts.expectedRevision !== undefined && opts.expectedRevision !== kv.modRevision) {
      throw new PatroniKitError('CONFLICT', 'Config modification aborted due to concurrent changes', {
        hint: `The config is at revision ${kv.modRevision}, not ${opts.expectedRevision}; read it again.`,
      });
    }
    let current: DynamicConfig = {};
    const text = kv.value.toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      current = parsed as DynamicConfig;
    } else if (!opts.overwriteInvalid) {
      // Patroni reads an invalid config key as empty; writing a patch over it would silently drop what is there.
      throw new PatroniKitError('DECODE', `The config key ${key} does not hold a JSON object`, {
        hint: `It starts with ${JSON.stringify(text.slice(0, 40))}. Repair it (etcdctl get ${key}), or pass overwriteInvalid to replace it with the change applied to an empty config.`,
      });
    }
    const next =
      typeof change === 'function' ? await change(structuredClone(current)) : mergeConfig(current, change);
    const revision = await this.cas(
      `editing ${key}`,
      [{ key, target: 'mod', op: '==', revision: kv.modRevision }],
      [{ put: { key, value: JSON.stringify(next) } }],
      opts,
      'Config modification aborted due to concurrent changes',
    );
    return { value: next, revision };
  }

  /**
   * Writes the `failover` key (scheduled switchover or failover when no REST endpoint answers), with CAS on its
   * revision: `expectedRevision` if given, else the revision just read (`0` = must not exist).
   */
  async setFailover(
    scope: string,
    value: { leader?: string; candidate?: string; scheduledAt?: string | Date },
    opts: CallOptions & { expectedRevision?: string; group?: number } = {},
  ): Promise<WriteResult<FailoverValue>> {
    if (!value.leader && !value.candidate) {
      throw new PatroniKitError('USAGE', 'a failover needs a candidate, a switchover the current leader', {
        hint: 'Give candidate (failover) or leader (switchover), or both.',
      });
    }
    const body: FailoverValue = {};
    if (value.leader) body.leader = value.leader;
    if (value.candidate) body.member = value.candidate;
    if (value.scheduledAt !== undefined) {
      body.scheduled_at =
        value.scheduledAt instanceof Date ? value.scheduledAt.toISOString() : value.scheduledAt;
    }
    return { value: body, revision: await this.putFailover(scope, body, opts) };
  }

  /** Clears the `failover` key to `{}` (like `patronictl flush switchover` when no member answers), with CAS. */
  async clearFailover(
    scope: string,
    opts: CallOptions & { expectedRevision?: string; group?: number } = {},
  ): Promise<WriteResult<FailoverValue>> {
    return { value: {}, revision: await this.putFailover(scope, {}, opts) };
  }

  private async putFailover(
    scope: string,
    body: FailoverValue,
    opts: CallOptions & { expectedRevision?: string; group?: number },
  ) {
    const { key, kv } = await this.readKey(scope, 'failover', opts);
    const expected = opts.expectedRevision ?? kv?.modRevision ?? '0';
    const compare =
      expected === '0'
        ? { key, target: 'create' as const, op: '==' as const, revision: '0' }
        : { key, target: 'mod' as const, op: '==' as const, revision: expected };
    return this.cas(
      `writing ${key}`,
      [compare],
      [{ put: { key, value: JSON.stringify(body) } }],
      opts,
      `the failover key of ${scope} changed concurrently`,
    );
  }

  /**
   * Deletes every key of `scope` (`patronictl remove`). Refused while a member key or the leader key exists
   * (members are alive: their keys live on leases) unless `force`; the delete is CAS on the prefix revision.
   */
  async removeCluster(
    scope: string,
    opts: CallOptions & { force?: boolean; group?: number } = {},
  ): Promise<{ deleted: number; revision: string }> {
    const state = await this.readCluster(scope, { ...opts, leases: false });
    const alive = state.members.map((m) => m.name);
    if (!opts.force && (alive.length > 0 || state.leader)) {
      throw new PatroniKitError(
        'PRECHECK',
        `cluster ${scope} still has live members (${alive.join(', ') || 'none'}; leader ${state.leader?.value ?? 'none'})`,
        {
          hint: 'Stop Patroni on every member and wait for their keys to expire (ttl), or pass force to remove anyway.',
          details: { members: alive, leader: state.leader?.value ?? null },
        },
      );
    }
    const keys = state.members.length + state.unknownKeys.length + countFixed(state);
    const revision = await this.cas(
      `removing ${state.prefix}`,
      [
        {
          key: state.prefix,
          target: 'mod',
          op: '<',
          revision: (BigInt(state.revision) + 1n).toString(),
          rangeEnd: 'prefix',
        },
      ],
      [{ deletePrefix: state.prefix }],
      opts,
      `keys of ${scope} changed while removing; nothing was deleted`,
    );
    return { deleted: keys, revision };
  }

  /** etcd health: members, per-endpoint status, alarms and the quorum verdict. */
  health(opts: CallOptions = {}): Promise<EtcdHealth> {
    return etcdHealth(this.options, opts);
  }

  /** Closes the etcd connection. */
  close(): void {
    this.transport.close();
  }
}

function countFixed(s: ClusterState): number {
  return [
    s.initialize,
    s.config,
    s.leader,
    s.history,
    s.failover,
    s.sync,
    s.status,
    s.optimeLeader,
    s.failsafe,
  ].filter((e) => e !== undefined).length;
}

function callOpts(opts: CallOptions): CallOptions {
  const out: CallOptions = {};
  if (opts.signal) out.signal = opts.signal;
  if (opts.timeoutMs !== undefined) out.timeoutMs = opts.timeoutMs;
  return out;
}
