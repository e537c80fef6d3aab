/**
 * The `Cluster` facade: every patronictl 4.1 operation with its pre-checks, reading the DCS like patronictl
 * and asking each member's own REST API about its role. Each operation lives in its module under `ops/`
 * and runs on an {@link OpContext} this class builds over its connections; the methods here delegate.
 *
 * Start-up matters (`patroni-kit list` is a whole process): this module loads only built-ins and the light
 * parts of the DCS package; the REST client (undici), the etcd3 client, `pg` and `yaml` are imported by
 * the operations that need them.
 */

import type { DcsClient, DynamicConfig } from '@patroni-kit/dcs';
import { PatroniKitError } from '@patroni-kit/errors';
import type { PatroniClient } from '@patroni-kit/rest';
import type { CandidateVerdict, SwitchoverPlan, SwitchoverRequestOptions } from './checks.js';
import { type ConnectOptions, type ResolvedTarget, resolveTarget } from './config.js';
import type { OpContext } from './context.js';
import type { SlotFinding } from './explain.js';
import type { HealthOptions, HealthProbeOptions } from './health.js';
import {
  type EditConfigDetails,
  type EditConfigOptions,
  editConfig,
  type PauseOptions,
  setPause,
} from './ops/config.js';
import { health } from './ops/health.js';
import {
  dsn,
  history,
  type MemberVersion,
  type QueryOptions,
  type QueryResult,
  query,
  showConfig,
  topology,
  version,
} from './ops/reads.js';
import { type FlushOptions, flush, type RemoveOptions, remove } from './ops/remove.js';
import { type ReinitOptions, type RestartOptions, reinit, reload, restart } from './ops/restart.js';
import { type DropSlotDetails, dropSlot, slots } from './ops/slots.js';
import {
  type DemoteClusterOptions,
  demoteCluster,
  type PromoteClusterOptions,
  promoteCluster,
} from './ops/standby.js';
import {
  type FailoverOptions,
  failover,
  type PromotionRunOptions,
  planSwitchover,
  type SwitchoverDetails,
  type SwitchoverOptions,
  switchover,
} from './ops/switchover.js';
import { type WaitOptions, waitForHealthy, waitForLeader, waitForSwitchover } from './ops/waiters.js';
import { originOf, type StatusOptions, ViewReader } from './reader.js';
import { type ConnectionTimeouts, connectionTimeouts } from './timeouts.js';
import type { ActionOptions, ActionResult, ClusterView, HealthReport, MemberView } from './types.js';
import type { RoleFilter } from './view.js';

export type { MemberSelection } from './context.js';
export type { ConfigFinding, EditConfigDetails, EditConfigOptions, PauseOptions } from './ops/config.js';
export type { MemberVersion, QueryOptions, QueryResult } from './ops/reads.js';
export type { FlushOptions, RemoveOptions } from './ops/remove.js';
export type { ReinitOptions, RestartOptions } from './ops/restart.js';
export type { DropSlotDetails } from './ops/slots.js';
export type { DemoteClusterOptions, PromoteClusterOptions } from './ops/standby.js';
export {
  type FailoverOptions,
  type PromotionRunOptions,
  parseSchedule,
  type SwitchoverDetails,
  type SwitchoverOptions,
} from './ops/switchover.js';
export type { WaitOptions } from './ops/waiters.js';
export type { StatusOptions } from './reader.js';

/** Options of {@link Cluster.connect}: where the cluster is, plus the signal that cancels connecting. */
export interface ClusterConnectOptions extends ConnectOptions {
  signal?: AbortSignal;
}

/** A Patroni cluster: reads, every patronictl operation with pre-checks, and waiters. */
export class Cluster {
  /** Where the cluster is and how to talk to it. */
  readonly target: ResolvedTarget;
  #scope: string | undefined;
  readonly #reader: ViewReader;
  #dcs: Promise<DcsClient> | undefined;
  readonly #rest = new Map<string, Promise<PatroniClient>>();
  readonly #timeouts: ConnectionTimeouts;
  readonly #ctx: OpContext;

  private constructor(target: ResolvedTarget, timeouts: ConnectOptions['timeouts']) {
    this.target = target;
    this.#scope = target.scope;
    this.#timeouts = connectionTimeouts(timeouts);
    this.#reader = new ViewReader(target, this.#timeouts, () => this.scope);
    const self = this;
    this.#ctx = {
      get scope() {
        return self.scope;
      },
      target,
      timeouts: this.#timeouts,
      read: (opts) => this.#reader.read(opts),
      memberStatus: (url, opts) => this.#reader.member(url, opts),
      rest: (m) => this.#client(m),
      dcs: () => this.#dcsClient(),
      now: () => Date.now(),
    };
  }

  /** Resolves `options` (config file, `dcsUrl`, REST URLs); learns the scope from a member when none is given. */
  static async connect(options: ClusterConnectOptions): Promise<Cluster> {
    const { signal, ...where } = options;
    const cluster = new Cluster(await resolveTarget(where), where.timeouts);
    if (cluster.#scope === undefined) {
      if (cluster.target.restUrls.length === 0)
        throw new PatroniKitError('USAGE', 'no cluster name: the config has no scope', {
          hint: 'pass the cluster name (patroni-kit list NAME) or set scope: in the config',
        });
      let last: unknown;
      for (const url of cluster.target.restUrls) {
        try {
          cluster.#scope = (await cluster.#reader.member(url, { signal })).patroni.scope;
          break;
        } catch (err) {
          last = err;
        }
      }
      if (cluster.#scope === undefined) throw last;
    }
    return cluster;
  }

  /** The cluster name. */
  get scope(): string {
    return this.#scope!;
  }

  /** The context the operation modules run on (for custom operations over this cluster's connections). */
  get context(): OpContext {
    return this.#ctx;
  }

  /** How many cluster reads and lean-path requests (DCS range reads, member GETs) this instance made. */
  get readCounts(): Readonly<{ reads: number; requests: number }> {
    return { ...this.#reader.counts };
  }

  /** Closes the connections this instance opened. */
  async close(): Promise<void> {
    const clients = [...this.#rest.values()];
    this.#rest.clear();
    await Promise.all(clients.map(async (c) => (await c.catch(() => undefined))?.close()));
    if (this.#dcs) (await this.#dcs.catch(() => undefined))?.close();
    this.#dcs = undefined;
  }

  // ------------------------------------------------------------------ reads (ops/reads.ts, ops/health.ts, ops/slots.ts)

  /** Reads the DCS like patronictl (one range read), falling back to `GET /cluster`, then asks each member. */
  status(opts: StatusOptions = {}): Promise<ClusterView> {
    return this.#reader.read(opts);
  }

  /** `patronictl list`: the cluster view (members sorted by name). */
  list(opts: StatusOptions = {}): Promise<ClusterView> {
    return this.status(opts);
  }

  /** `patronictl topology`: members as a tree by the `replicatefrom` tag (leader first). */
  topology(
    opts: StatusOptions = {},
  ): Promise<{ view: ClusterView; tree: Array<{ member: MemberView; depth: number }> }> {
    return topology(this.#ctx, opts);
  }

  /** `patronictl history`: timeline switches (DCS `history`, REST `/history` as fallback). */
  history(opts: StatusOptions = {}): Promise<NonNullable<ClusterView['history']>> {
    return history(this.#ctx, opts);
  }

  /** `patronictl show-config`: the dynamic configuration (DCS `config`, REST `/config` as fallback). */
  showConfig(opts: StatusOptions = {}): Promise<DynamicConfig> {
    return showConfig(this.#ctx, opts);
  }

  /** `patronictl dsn`: `host=H port=P` of the leader, of a role or of a member. */
  dsn(opts: StatusOptions & { role?: RoleFilter; member?: string } = {}): Promise<string> {
    return dsn(this.#ctx, opts);
  }

  /** `patronictl version`: Patroni and PostgreSQL versions of each member (from its `/patroni`). */
  version(opts: StatusOptions & { members?: string[] } = {}): Promise<MemberVersion[]> {
    return version(this.#ctx, opts);
  }

  /** `patronictl query`: runs SQL on a member (default the leader); role filters are checked by SQL. */
  query(sql: string, opts: QueryOptions & { timeoutMs?: number } = {}): Promise<QueryResult> {
    return query(this.#ctx, sql, opts);
  }

  /** The health report (never throws for an unreachable cluster: that is UNKNOWN). */
  health(opts: HealthOptions & StatusOptions & HealthProbeOptions = {}): Promise<HealthReport> {
    return health(this.#ctx, opts);
  }

  /** The replication slots on the leader with their owners and retained WAL (needs SQL access). */
  slots(opts: StatusOptions = {}): Promise<{ leader: string; slots: SlotFinding[] }> {
    return slots(this.#ctx, opts);
  }

  /** Drops an orphaned physical slot on the leader (refused for slots a member, config or Patroni keeps). */
  dropSlot(name: string, opts: ActionOptions = {}): Promise<ActionResult<DropSlotDetails>> {
    return dropSlot(this.#ctx, name, opts);
  }

  // ------------------------------------------------------------------ waiters (ops/waiters.ts)

  /** Waits until a leader (or `name`) holds the lock and its own REST API says it runs as primary. */
  waitForLeader(opts: WaitOptions & { name?: string } = {}): Promise<ClusterView> {
    return waitForLeader(this.#ctx, opts);
  }

  /** Waits until the cluster is healthy (leader, replicas streaming, sources agree, history current). */
  waitForHealthy(opts: WaitOptions & HealthOptions = {}): Promise<HealthReport> {
    return waitForHealthy(this.#ctx, opts);
  }

  /** Waits until the leader is no longer `from` (and is `to` when given), runs, and no request is pending. */
  waitForSwitchover(opts: WaitOptions & { from: string; to?: string }): Promise<ClusterView> {
    return waitForSwitchover(this.#ctx, opts);
  }

  // ------------------------------------------------------------------ switchover, failover (ops/switchover.ts)

  /** Runs the switchover pre-checks on one cluster read without writing; execute it with `switchover(plan)`. */
  planSwitchover(opts: SwitchoverRequestOptions & { signal?: AbortSignal } = {}): Promise<SwitchoverPlan> {
    return planSwitchover(this.#ctx, opts);
  }

  /**
   * `patronictl switchover`. With options: plans and executes on one cluster read. With a plan from
   * {@link planSwitchover}: re-validates it on one read (refusing `plan-leader-changed`,
   * `plan-candidate-ineligible`, `plan-cluster-changed`), then sends the request the plan describes.
   */
  switchover(opts?: SwitchoverOptions): Promise<ActionResult<SwitchoverDetails>>;
  switchover(plan: SwitchoverPlan, opts?: PromotionRunOptions): Promise<ActionResult<SwitchoverDetails>>;
  switchover(
    planOrOptions: SwitchoverPlan | SwitchoverOptions = {},
    opts: PromotionRunOptions = {},
  ): Promise<ActionResult<SwitchoverDetails>> {
    return switchover(this.#ctx, planOrOptions, opts);
  }

  /** `patronictl failover` to a named candidate; waits until it leads. */
  failover(opts: FailoverOptions): Promise<ActionResult<{ verdict?: CandidateVerdict; newLeader?: string }>> {
    return failover(this.#ctx, opts);
  }

  // ------------------------------------------------------------------ restart, reload, reinit (ops/restart.ts)

  /** `patronictl restart`: per member `POST /restart` (role filter, pending only, scheduled, version filter). */
  restart(opts: RestartOptions = {}): Promise<ActionResult> {
    return restart(this.#ctx, opts);
  }

  /** `patronictl reload`: `POST /reload` on each selected member. */
  reload(opts: ActionOptions & import('./context.js').MemberSelection = {}): Promise<ActionResult> {
    return reload(this.#ctx, opts);
  }

  /** `patronictl reinit`: re-clone replicas (`POST /reinitialize`); with `wait`, until each runs again. */
  reinit(opts: ReinitOptions): Promise<ActionResult> {
    return reinit(this.#ctx, opts);
  }

  // ------------------------------------------------------------------ pause, resume, config (ops/config.ts)

  /** `patronictl pause`: `PATCH /config {"pause": true}`; with `wait`, until every member reports it. */
  pause(opts: PauseOptions = {}): Promise<ActionResult> {
    return setPause(this.#ctx, true, opts);
  }

  /** `patronictl resume`: `PATCH /config {"pause": null}`; with `wait`, until no member reports pause. */
  resume(opts: PauseOptions = {}): Promise<ActionResult> {
    return setPause(this.#ctx, false, opts);
  }

  /** `patronictl edit-config`: the change as a diff, linted, written with compare-and-set. */
  editConfig(opts: EditConfigOptions): Promise<ActionResult<EditConfigDetails>> {
    return editConfig(this.#ctx, opts);
  }

  // ------------------------------------------------------------------ remove, flush (ops/remove.ts)

  /** `patronictl remove`: deletes every key of a stopped cluster from the DCS (the name repeated). */
  remove(opts: RemoveOptions): Promise<ActionResult<{ deleted?: number }>> {
    return remove(this.#ctx, opts);
  }

  /** `patronictl flush`: drop scheduled restarts (`DELETE /restart`) or the scheduled switchover. */
  flush(opts: FlushOptions): Promise<ActionResult> {
    return flush(this.#ctx, opts);
  }

  // ------------------------------------------------------------------ standby clusters (ops/standby.ts)

  /** `patronictl demote-cluster`: turns the cluster into a standby cluster (`standby_cluster` in config). */
  demoteCluster(opts: DemoteClusterOptions): Promise<ActionResult> {
    return demoteCluster(this.#ctx, opts);
  }

  /** `patronictl promote-cluster`: turns a standby cluster back into a primary cluster. */
  promoteCluster(opts: PromoteClusterOptions = {}): Promise<ActionResult> {
    return promoteCluster(this.#ctx, opts);
  }

  // ------------------------------------------------------------------ connections

  #client(m: MemberView | string): Promise<PatroniClient> {
    const url = typeof m === 'string' ? m : m.apiUrl;
    if (!url)
      return Promise.reject(
        new PatroniKitError('CONFIG', `member ${typeof m === 'string' ? m : m.name} published no api_url`, {
          hint: 'check restapi.connect_address',
        }),
      );
    let origin: string;
    try {
      origin = originOf(url);
    } catch (err) {
      return Promise.reject(err);
    }
    let client = this.#rest.get(origin);
    if (!client) {
      client = import('@patroni-kit/rest').then(
        ({ PatroniClient }) =>
          new PatroniClient({
            url: origin,
            ...(this.target.auth ? { auth: this.target.auth } : {}),
            ...(this.target.onRequest ? { onRequest: this.target.onRequest } : {}),
            ...(this.target.tls && origin.startsWith('https:') ? { tls: this.target.tls } : {}),
            timeouts: {
              connect: this.#timeouts.member,
              read: this.#timeouts.member * 2,
              write: this.#timeouts.write,
            },
            userAgent: 'patroni-kit',
          }),
      );
      this.#rest.set(origin, client);
    }
    return client;
  }

  #dcsClient(): Promise<DcsClient> {
    if (!this.target.dcs)
      return Promise.reject(
        new PatroniKitError('USAGE', 'this operation writes to etcd: give a config with etcd3 or --dcs-url'),
      );
    this.#dcs ??= import('@patroni-kit/dcs').then(
      ({ DcsClient }) =>
        new DcsClient({
          ...this.target.dcs!.connection,
          namespace: this.target.namespace,
          timeoutMs: this.#timeouts.dcs,
        }),
    );
    return this.#dcs;
  }
}
