/**
 * The `Cluster` facade: every patronictl 4.1 operation with its pre-checks, reading the DCS like patronictl
 * and asking each member's own REST API about its role.
 *
 * Start-up matters (`patroni-kit list` is a whole process): this module loads only built-ins and the light
 * parts of the DCS package; the REST client (undici), the etcd3 client, `pg` and `yaml` are imported by
 * the operations that need them.
 */

import { readYaml } from '@patroni-kit/config/yaml';
import type { ClusterState, DcsClient, DynamicConfig } from '@patroni-kit/dcs';
import { buildClusterState } from '@patroni-kit/dcs/decode';
import { clusterPrefix } from '@patroni-kit/dcs/keys';
import { isPatroniKitError, PatroniKitError, redactUrl, registerSecret } from '@patroni-kit/errors';
import type { ClusterStatus, NodeStatus, PatroniClient, WriteResult } from '@patroni-kit/rest';
import { compareVersions } from './advisories.js';
import {
  type CandidateVerdict,
  evaluateCandidate,
  planSwitchover,
  type SwitchoverPlan,
  type SwitchoverRequestOptions,
} from './checks.js';
import { type ConnectOptions, type ResolvedTarget, resolveTarget } from './config.js';
import { applyPatch, diffToPatch, settingsToPatch, unifiedDiff } from './edit.js';
import {
  type ClockOffset,
  classifySlots,
  clockOffsetBounds,
  type LeaderWal,
  parseHistoryFile,
  type SlotFinding,
  segmentStartLsn,
  slotRowFromSql,
} from './explain.js';
import { EtcdGateway } from './gateway.js';
import {
  type HealthFacts,
  type HealthOptions,
  type HealthProbeOptions,
  healthReport,
  unknownReport,
} from './health.js';
import { httpRequest, parseJsonBody } from './http.js';
import type {
  ActionOptions,
  ActionResult,
  ClusterView,
  HealthReport,
  MemberLive,
  MemberOutcome,
  MemberView,
  Outcome,
} from './types.js';
import {
  liveFromStatus,
  membersWithRole,
  ROLE_FILTERS,
  type RoleFilter,
  viewFromDcs,
  viewFromRest,
} from './view.js';
import { poll, sleep } from './wait.js';

/** Options of {@link Cluster.status}. */
export interface StatusOptions {
  signal?: AbortSignal;
  /** Ask each member's `GET /patroni` (default true). */
  live?: boolean;
}

/** Options of {@link Cluster.switchover}. */
export interface SwitchoverOptions extends ActionOptions, SwitchoverRequestOptions {
  /** Wait until the new leader runs (default true for immediate switchovers). */
  wait?: boolean;
  /** Deadline of the wait (default 120 s). */
  timeoutMs?: number;
}

/** Options of {@link Cluster.failover}. */
export interface FailoverOptions extends ActionOptions {
  candidate: string;
  /** In synchronous mode, allow a candidate that is not the synchronous standby (may lose transactions). */
  allowAsync?: boolean;
  wait?: boolean;
  timeoutMs?: number;
}

/** Which members an action targets: names, or patronictl's role filter (default `any`). */
export interface MemberSelection {
  members?: string[];
  role?: RoleFilter;
}

/** Options of {@link Cluster.restart}. */
export interface RestartOptions extends ActionOptions, MemberSelection {
  /** Only members with a pending restart (patronictl `--pending`). */
  pending?: boolean;
  /** ISO time with offset (patronictl `--scheduled`). */
  scheduledAt?: string;
  /** Restart only when the running PostgreSQL is older (`X.Y` for 10+, `X.Y.Z` before). */
  pgVersion?: string;
  /** Seconds to wait for PostgreSQL to start (overrides primary_start_timeout). */
  timeout?: number;
  /** Replace a restart already scheduled on a member (it is deleted first). */
  force?: boolean;
}

/** Options of {@link Cluster.reinit}. */
export interface ReinitOptions extends ActionOptions {
  members: string[];
  /** Cancel a running task (restart, recovery) first. */
  force?: boolean;
  /** Clone from the leader even when `clonefrom` members exist (Patroni 4.1+). */
  fromLeader?: boolean;
  /** Wait until each member is running again (default false). */
  wait?: boolean;
  timeoutMs?: number;
}

/** Options of {@link Cluster.pause} and {@link Cluster.resume}. */
export interface PauseOptions extends ActionOptions {
  /** Wait until every member reports the new state. */
  wait?: boolean;
  timeoutMs?: number;
}

/** Options of {@link Cluster.editConfig}. */
export interface EditConfigOptions extends ActionOptions {
  /** `path=value` settings (patronictl `-s`), values parsed as YAML. */
  set?: string[];
  /** `guc=value` PostgreSQL parameters (patronictl `-p`). */
  pg?: string[];
  /** A merge patch (`null` deletes), like `--apply`. */
  patch?: Record<string, unknown>;
  /** A whole new configuration, like `--replace`. */
  replace?: Record<string, unknown>;
  /** Compute and return the diff without writing. */
  dryRun?: boolean;
  /** The config revision the change was based on (e.g. what an editor showed); a newer one refuses the edit. */
  baseRevision?: string;
  /**
   * Called with the diff (and, after it, the lint warnings the change introduces) before writing; return false
   * to abort (nothing is written).
   */
  confirm?: (diff: string) => Promise<boolean> | boolean;
  /**
   * Write even when the linted result has errors Patroni cannot use (CLI `--allow-invalid`). Without it such a
   * change is refused with check `config-valid` and nothing is written.
   */
  allowInvalid?: boolean;
}

/** A lint finding on the dynamic configuration that an edit introduces. */
export interface ConfigFinding {
  rule: string;
  severity: 'error' | 'warning' | 'info';
  path: string;
  message: string;
}

/** What `editConfig` reports besides the outcome. */
export interface EditConfigDetails {
  diff: string;
  changed: boolean;
  /** Lint findings (`lint --dcs`) the change introduces: errors refuse the edit, warnings go with the diff. */
  findings?: ConfigFinding[];
  before: DynamicConfig;
  after: DynamicConfig;
  [key: string]: unknown;
}

/** Options of {@link Cluster.demoteCluster}. */
export interface DemoteClusterOptions extends ActionOptions {
  host?: string;
  port?: number;
  restoreCommand?: string;
  primarySlotName?: string;
  wait?: boolean;
  timeoutMs?: number;
}

/** One row of {@link Cluster.version}. */
export interface MemberVersion {
  member: string;
  patroni?: string;
  postgres?: string;
  error?: string;
}

/** Result of {@link Cluster.query}. */
export interface QueryResult {
  member: string;
  columns: string[];
  rows: unknown[][];
}

const defaultTimeouts = { dcs: 4000, member: 2000, write: 10_000 };

function errorInfo(err: unknown): { code: string; message: string; hint?: string } {
  if (isPatroniKitError(err))
    return { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

function refused<D>(action: string, check: string, reason: string, details?: D): ActionResult<D> {
  return {
    action,
    outcome: 'failed',
    reason,
    sent: false,
    check,
    ...(details === undefined ? {} : { details }),
  };
}

function combine(outcomes: MemberOutcome[]): Outcome {
  if (outcomes.some((o) => o.outcome === 'unknown')) return 'unknown';
  if (outcomes.some((o) => o.outcome === 'failed')) return 'failed';
  return 'succeeded';
}

function memberOutcome(member: string, res: WriteResult): MemberOutcome {
  if (res.outcome === 'succeeded')
    return { member, outcome: 'succeeded', reason: res.body, status: res.status };
  if (res.outcome === 'failed') return { member, outcome: 'failed', reason: res.message, status: res.status };
  const out: MemberOutcome = { member, outcome: 'unknown', reason: res.reason };
  if (res.status !== undefined) out.status = res.status;
  return out;
}

/** Parses a schedule (`now`, ISO-8601, or a Date) into ISO with offset; naive times are local, like patronictl. */
export function parseSchedule(value: string | Date | undefined): string | undefined {
  if (value === undefined || value === 'now' || value === '') return undefined;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new PatroniKitError('USAGE', `cannot parse the time '${String(value)}'`, {
      hint: 'use ISO-8601 with a time zone, e.g. 2026-11-25T18:00:00+00:00, or now',
    });
  return date.toISOString();
}

/** A Patroni cluster: reads, every patronictl operation with pre-checks, and waiters. */
export class Cluster {
  /** Where the cluster is and how to talk to it. */
  readonly target: ResolvedTarget;
  #scope: string | undefined;
  #gateway: EtcdGateway | undefined;
  #dcs: Promise<DcsClient> | undefined;
  #rest = new Map<string, Promise<PatroniClient>>();
  #apiUrls = new Map<string, string>();
  /** Clock offset bounds of the last answer from each REST origin. */
  #clockOffsets = new Map<string, ClockOffset>();
  #timeouts: typeof defaultTimeouts;

  private constructor(target: ResolvedTarget, timeouts: ConnectOptions['timeouts']) {
    this.target = target;
    this.#scope = target.scope;
    this.#timeouts = { ...defaultTimeouts, ...timeouts };
    for (const [name, ms] of Object.entries(this.#timeouts)) {
      // Node fires a timer above 2^31-1 ms after 1 ms: such a "long" timeout would fail at once.
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0 || ms > 2 ** 31 - 1)
        throw new PatroniKitError(
          'USAGE',
          `timeouts.${name} must be between 1 and ${2 ** 31 - 1} ms, got ${String(ms)}`,
        );
    }
    if (target.dcs) this.#gateway = new EtcdGateway(target.dcs.connection);
  }

  /** Resolves `options` (config file, `dcsUrl`, REST URLs); learns the scope from a member when none is given. */
  static async connect(options: ConnectOptions, signal?: AbortSignal): Promise<Cluster> {
    const cluster = new Cluster(await resolveTarget(options), options.timeouts);
    if (cluster.#scope === undefined) {
      if (cluster.target.restUrls.length === 0)
        throw new PatroniKitError('USAGE', 'no cluster name: the config has no scope', {
          hint: 'pass the cluster name (patroni-kit list NAME) or set scope: in the config',
        });
      let last: unknown;
      for (const url of cluster.target.restUrls) {
        try {
          cluster.#scope = (await cluster.#getPatroni(url, signal)).patroni.scope;
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

  /** Closes the connections this instance opened. */
  async close(): Promise<void> {
    const clients = [...this.#rest.values()];
    this.#rest.clear();
    await Promise.all(clients.map(async (c) => (await c.catch(() => undefined))?.close()));
    if (this.#dcs) (await this.#dcs.catch(() => undefined))?.close();
    this.#dcs = undefined;
  }

  // ------------------------------------------------------------------ reads

  /** Reads the DCS like patronictl (one range read), falling back to `GET /cluster`, then asks each member. */
  async status(opts: StatusOptions = {}): Promise<ClusterView> {
    const { signal } = opts;
    let state: ClusterState | undefined;
    let dcsError: unknown;
    if (this.#gateway) {
      try {
        state = await this.#readState(signal);
      } catch (err) {
        if (isPatroniKitError(err, 'ABORTED', 'NOT_FOUND', 'AUTH') && this.target.restUrls.length === 0)
          throw err;
        dcsError = err;
      }
    }
    let view: ClusterView;
    if (state) {
      const live =
        opts.live === false
          ? new Map<string, MemberLive>()
          : await this.#probeAll(
              state.members.map((m) => [m.name, m.value.api_url]),
              signal,
            );
      view = viewFromDcs(state, live);
    } else {
      const seeds = [...new Set([...this.target.restUrls, ...this.#apiUrls.values()])];
      if (seeds.length === 0) throw dcsError;
      let status: ClusterStatus | undefined;
      let seedError: unknown;
      let used = '';
      for (const seed of seeds) {
        try {
          status = await this.#getCluster(seed, signal);
          used = seed;
          break;
        } catch (err) {
          if (isPatroniKitError(err, 'ABORTED')) throw err;
          seedError = err;
        }
      }
      if (!status) {
        const parts = [dcsError, seedError].filter(Boolean).map((e) => (e as Error).message);
        throw new PatroniKitError('CONNECT', `cannot read cluster ${this.scope}: ${parts.join('; ')}`, {
          hint: 'neither etcd nor any member REST API answered: check the config, --dcs-url or --rest-url',
          cause: dcsError ?? seedError,
        });
      }
      const live =
        opts.live === false
          ? new Map<string, MemberLive>()
          : await this.#probeAll(
              status.members.map((m) => [m.name, m.api_url ?? undefined]),
              signal,
            );
      view = viewFromRest(this.scope, status, live);
      if (dcsError)
        view.warnings.unshift(
          `the DCS could not be read (${(dcsError as Error).message}); this view comes from GET /cluster on ${used}, which can be stale while etcd has no quorum`,
        );
    }
    for (const m of view.members) if (m.apiUrl) this.#apiUrls.set(m.name, m.apiUrl);
    return view;
  }

  /** `patronictl list`: the cluster view (members sorted by name). */
  list(opts: StatusOptions = {}): Promise<ClusterView> {
    return this.status(opts);
  }

  /** `patronictl topology`: members as a tree by the `replicatefrom` tag (leader first). */
  async topology(
    opts: StatusOptions = {},
  ): Promise<{ view: ClusterView; tree: Array<{ member: MemberView; depth: number }> }> {
    const view = await this.status(opts);
    const byUpstream = new Map<string, MemberView[]>();
    const names = new Set(view.members.map((m) => m.name));
    const roots: MemberView[] = [];
    for (const m of view.members) {
      const up = typeof m.tags.replicatefrom === 'string' ? m.tags.replicatefrom : undefined;
      const parent =
        m.name === view.leader ? undefined : up && names.has(up) ? up : (view.leader ?? undefined);
      if (parent === undefined || !names.has(parent)) roots.push(m);
      else byUpstream.set(parent, [...(byUpstream.get(parent) ?? []), m]);
    }
    roots.sort(
      (a, b) => Number(b.name === view.leader) - Number(a.name === view.leader) || (a.name < b.name ? -1 : 1),
    );
    const tree: Array<{ member: MemberView; depth: number }> = [];
    const seen = new Set<string>();
    const walk = (m: MemberView, depth: number) => {
      if (seen.has(m.name)) return;
      seen.add(m.name);
      tree.push({ member: m, depth });
      for (const child of byUpstream.get(m.name) ?? []) walk(child, depth + 1);
    };
    for (const r of roots) walk(r, 0);
    for (const m of view.members) walk(m, 0); // members in a replicatefrom cycle
    return { view, tree };
  }

  /** `patronictl history`: timeline switches (DCS `history`, REST `/history` as fallback). */
  async history(opts: StatusOptions = {}): Promise<NonNullable<ClusterView['history']>> {
    const view = await this.status({ ...opts, live: false });
    if (view.history) return view.history;
    if (view.source === 'dcs') return [];
    const client = await this.#anyClient(view);
    const rows = await client.getHistory(opts.signal ? { signal: opts.signal } : {});
    return rows.map((r) => {
      const e: { timeline: number; lsn: number; reason: string; timestamp?: string; newLeader?: string } = {
        timeline: r[0],
        lsn: r[1],
        reason: r[2],
      };
      if (r[3] !== undefined) e.timestamp = r[3];
      if (r[4] !== undefined) e.newLeader = r[4];
      return e;
    });
  }

  /** `patronictl show-config`: the dynamic configuration (DCS `config`, REST `/config` as fallback). */
  async showConfig(opts: StatusOptions = {}): Promise<DynamicConfig> {
    const view = await this.status({ ...opts, live: false });
    if (view.config) return view.config;
    if (view.source === 'dcs')
      throw new PatroniKitError('NOT_FOUND', `The config key does not exist in the cluster ${this.scope}`, {
        hint: 'the key is written when the cluster bootstraps',
      });
    const client = await this.#anyClient(view);
    return (await client.getConfig(opts.signal ? { signal: opts.signal } : {})) as DynamicConfig;
  }

  /** `patronictl dsn`: `host=H port=P` of the leader, of a role or of a member. */
  async dsn(opts: StatusOptions & { role?: RoleFilter; member?: string } = {}): Promise<string> {
    const view = await this.status({ ...opts, live: false });
    const m = this.#pickMember(view, opts);
    if (!m?.host)
      throw new PatroniKitError('NOT_FOUND', 'Can not find a suitable member', {
        hint: `members: ${view.members.map((x) => x.name).join(', ') || 'none'}`,
      });
    return `host=${m.host} port=${m.port ?? 5432}`;
  }

  /** `patronictl version`: Patroni and PostgreSQL versions of each member (from its `/patroni`). */
  async version(opts: StatusOptions & { members?: string[] } = {}): Promise<MemberVersion[]> {
    const view = await this.status(opts);
    const wanted = opts.members?.length ? opts.members : view.members.map((m) => m.name);
    return wanted.map((name) => {
      const m = view.members.find((x) => x.name === name);
      if (!m) return { member: name, error: `not a member of ${view.scope}` };
      const row: MemberVersion = { member: name };
      if (m.live?.patroniVersion) row.patroni = m.live.patroniVersion;
      const v = m.live?.serverVersion;
      if (v !== undefined)
        row.postgres =
          v >= 100000
            ? `${Math.floor(v / 10000)}.${v % 10000}`
            : `${Math.floor(v / 10000)}.${Math.floor(v / 100) % 100}.${v % 100}`;
      if (!m.live?.reachable) row.error = m.live?.error?.message ?? 'not reachable';
      return row;
    });
  }

  /**
   * `patronictl query`: runs SQL on a member (default the leader) with npm `pg`. For role filters it checks
   * `pg_is_in_recovery()` matches the role.
   */
  async query(
    sql: string,
    opts: StatusOptions & {
      role?: RoleFilter;
      member?: string;
      username?: string;
      password?: string;
      dbname?: string;
      timeoutMs?: number;
      params?: unknown[];
    } = {},
  ): Promise<QueryResult> {
    const view = await this.status({ ...opts, live: false });
    const m = this.#pickMember(view, opts);
    if (!m?.host)
      throw new PatroniKitError('NOT_FOUND', 'Can not find a suitable member', {
        hint: `members: ${view.members.map((x) => x.name).join(', ') || 'none'}`,
      });
    return this.#withPg(m, opts, async (client) => {
      if (opts.role && opts.role !== 'any' && opts.role !== 'leader') {
        const r = await client.query<{ r: boolean }>('select pg_is_in_recovery() as r');
        const inRecovery = r.rows[0]?.r === true;
        const wantRecovery =
          opts.role === 'replica' || opts.role === 'standby' || opts.role === 'standby-leader';
        if (inRecovery !== wantRecovery)
          throw new PatroniKitError(
            'PRECHECK',
            `${m.name} is ${inRecovery ? '' : 'not '}in recovery, so it is not a ${opts.role}`,
            {
              hint: 'the roles just changed; read the cluster again',
            },
          );
      }
      const res = await client.query({ text: sql, values: opts.params ?? [], rowMode: 'array' });
      return {
        member: m.name,
        columns: (res.fields ?? []).map((f) => f.name),
        rows: (res.rows ?? []) as unknown[][],
      };
    });
  }

  /** Runs `fn` on one fresh `pg` connection to member `m` (bounded connect, query and close). */
  async #withPg<T>(
    m: MemberView,
    opts: {
      username?: string;
      password?: string;
      dbname?: string;
      timeoutMs?: number;
      signal?: AbortSignal;
      replication?: boolean;
    },
    fn: (client: import('pg').Client) => Promise<T>,
  ): Promise<T> {
    const { default: pg } = await import('pg');
    const timeout = opts.timeoutMs ?? 5000;
    const user = opts.username ?? this.target.postgres?.username ?? process.env.PGUSER ?? 'postgres';
    const given = opts.password ?? this.target.postgres?.password ?? process.env.PGPASSWORD;
    registerSecret(given);
    const host = m.host;
    const port = m.port ?? 5432;
    const database = opts.dbname ?? 'postgres';
    // Without a password, read the libpq password file ourselves: pg's built-in lookup prints a
    // deprecation warning on stderr, which monitoring would capture with every health run.
    const password =
      given ??
      (async () => {
        const { default: pgpass } = await import('pgpass');
        // Nothing found resolves undefined, which pg treats as "no password", as before.
        return new Promise<string>((resolve) =>
          pgpass({ ...(host ? { host } : {}), port, user, database }, (p) => resolve(p as string)),
        );
      });
    const client = new pg.Client({
      host,
      port,
      user,
      password,
      database,
      connectionTimeoutMillis: timeout,
      query_timeout: timeout,
      application_name: 'patroni-kit',
      // A physical replication connection (startup parameter replication=true), as a walreceiver makes.
      ...(opts.replication ? { replication: 'true' } : {}),
    } as import('pg').ClientConfig);
    const onAbort = () => void client.end().catch(() => undefined);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await client.connect();
      return await fn(client);
    } catch (err) {
      if (isPatroniKitError(err)) throw err;
      const e = err as Error & { code?: string };
      const auth =
        e.code === '28P01' ||
        /password authentication failed|client password must be a string|no password supplied/.test(
          e.message,
        );
      throw new PatroniKitError(
        auth ? 'AUTH' : 'CONNECT',
        `query on ${m.name} (${m.host}:${m.port ?? 5432}): ${e.message}`,
        {
          cause: err,
          hint: auth
            ? 'give the PostgreSQL user and password (-U/--password, PGPASSWORD, or postgresql.authentication.superuser in patroni.yml)'
            : 'check that PostgreSQL runs and pg_hba allows this client',
        },
      );
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      // end() waits for the server to close; an unreachable one never does, so drop the socket after 1 s.
      const ended = client.end().catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([ended, new Promise((r) => (timer = setTimeout(r, 1000)))]);
      clearTimeout(timer);
      (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    }
  }

  /** The health report (never throws for an unreachable cluster: that is UNKNOWN). */
  async health(opts: HealthOptions & StatusOptions & HealthProbeOptions = {}): Promise<HealthReport> {
    let view: ClusterView;
    try {
      view = await this.status(opts);
    } catch (err) {
      if (isPatroniKitError(err, 'ABORTED')) throw err;
      return unknownReport(this.scope, (err as Error).message);
    }
    const extras = await this.#healthFacts(view, opts);
    return healthReport(view, opts, extras);
  }

  /** Slots (with retained bytes) and the oldest WAL segment on `leader`, by SQL. */
  #leaderWal(leader: MemberView, signal?: AbortSignal): Promise<LeaderWal> {
    const tl = leader.live?.timeline ?? leader.timeline;
    return this.#withPg(
      leader,
      { timeoutMs: this.#timeouts.member * 2, ...(signal ? { signal } : {}) },
      async (client) => {
        const slots = await client.query<Parameters<typeof slotRowFromSql>[0]>(
          `select slot_name, slot_type, active, restart_lsn::text, wal_status, database, plugin,
                  pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::text as retained
             from pg_replication_slots order by slot_name`,
        );
        // The oldest WAL segment still on disk (by position, whatever its timeline): a replica that
        // needs older WAL cannot stream.
        const oldest = await client.query<{ name: string | null }>(
          `select name from pg_ls_waldir() where name ~ '^[0-9A-F]{24}$' order by substr(name, 9) limit 1`,
        );
        const wal: LeaderWal = { slots: slots.rows.map(slotRowFromSql) };
        const start = segmentStartLsn(oldest.rows[0]?.name ?? '');
        if (start !== undefined) wal.oldestSegmentLsn = start;
        // The leader's own timeline history: the DCS key is rewritten only when the timeline number
        // changes, so it can describe another branch than the one the leader is on.
        if (tl !== undefined && tl > 1) {
          try {
            const h = await client.query<{ h: string }>(
              `select pg_read_file('pg_wal/' || lpad(upper(to_hex($1::int)), 8, '0') || '.history') as h`,
              [tl],
            );
            wal.history = parseHistoryFile(h.rows[0]?.h ?? '');
          } catch {
            // no such file or no right to read it: the DCS history is all we have
          }
        }
        return wal;
      },
    );
  }

  /**
   * The replication slots on the leader, each with its owner (a member, a permanent slot, `ignore_slots`,
   * retained for a member that left, or nobody) and the WAL it retains. Needs SQL access to the leader.
   */
  async slots(opts: StatusOptions = {}): Promise<{ leader: string; slots: SlotFinding[] }> {
    const view = await this.status(opts);
    const leader = view.members.find((m) => m.name === view.confirmedLeader);
    if (!leader?.host)
      throw new PatroniKitError(
        'PRECHECK',
        `cluster ${this.scope} has no running leader to read slots from`,
        {
          hint: 'slots live on the leader; wait for one (patroni-kit list)',
        },
      );
    const wal = await this.#leaderWal(leader, opts.signal);
    return {
      leader: leader.name,
      slots: classifySlots(wal.slots ?? [], view, view.retainSlots ? { retained: view.retainSlots } : {}),
    };
  }

  /**
   * Drops a physical replication slot on the leader, only when no member in the DCS owns it, it is not a
   * permanent slot and nobody streams from it. The drop is one SQL statement; when its outcome is unknown
   * the slots are read again to tell.
   */
  async dropSlot(
    name: string,
    opts: ActionOptions = {},
  ): Promise<ActionResult<{ slot: string; retainedBytes?: number; recreated?: boolean }>> {
    const action = 'drop slot';
    const sopts = opts.signal ? { signal: opts.signal } : {};
    let listing: { leader: string; slots: SlotFinding[] };
    try {
      listing = await this.slots(sopts);
    } catch (err) {
      if (isPatroniKitError(err, 'ABORTED')) throw err;
      const info = errorInfo(err);
      return { ...refused(action, 'slots-readable', info.message), error: info };
    }
    const slot = listing.slots.find((s) => s.name === name);
    if (!slot)
      return refused(
        action,
        'slot-exists',
        `there is no slot '${name}' on the leader ${listing.leader} (slots: ${listing.slots.map((s) => s.name).join(', ') || 'none'})`,
      );
    if (slot.owner === 'member')
      return refused(
        action,
        'member-gone',
        `slot ${name} belongs to member ${slot.member}, which is still in the DCS: Patroni would recreate it. Stop that node and wait until its member key expires (ttl), or remove it from the cluster first`,
      );
    if (slot.owner === 'permanent')
      return refused(
        action,
        'not-permanent',
        `slot ${name} is a permanent slot (config key slots): remove it there with patroni-kit edit-config, or Patroni recreates it`,
      );
    if (slot.owner === 'retained')
      return refused(
        action,
        'not-retained',
        `slot ${name} is kept by Patroni for member_slots_ttl (30 min by default) after its member left (status.retain_slots); dropped now, Patroni creates it again on its next loop. Wait, or stop the retention with patroni-kit edit-config -s member_slots_ttl=0`,
      );
    if (slot.active)
      return refused(action, 'inactive', `slot ${name} is active: a client streams from it right now`);
    const leader = (await this.status({ ...sopts, live: false })).members.find(
      (m) => m.name === listing.leader,
    );
    if (!leader) return refused(action, 'leader-running', `the leader ${listing.leader} left the DCS`);
    const details: { slot: string; retainedBytes?: number; recreated?: boolean } = { slot: name };
    if (slot.retainedBytes !== undefined) details.retainedBytes = slot.retainedBytes;
    let outcome: 'succeeded' | 'unknown' = 'succeeded';
    let reason = '';
    try {
      const res = await this.#withPg(leader, { timeoutMs: this.#timeouts.write, ...sopts }, (client) =>
        client.query<{ dropped: boolean }>(
          `select pg_drop_replication_slot(slot_name) is not null as dropped
             from pg_replication_slots where slot_name = $1 and not active`,
          [name],
        ),
      );
      if (res.rowCount === 0)
        return {
          action,
          outcome: 'failed',
          reason: `slot ${name} was gone or became active before the drop`,
          sent: true,
          details,
        };
    } catch (err) {
      if (isPatroniKitError(err, 'ABORTED')) throw err;
      if (isPatroniKitError(err, 'AUTH')) {
        const info = errorInfo(err);
        return { action, outcome: 'failed', reason: info.message, sent: false, error: info };
      }
      outcome = 'unknown';
      reason = `the drop may or may not have happened (${(err as Error).message}); `;
    }
    // Read back: the truth about the drop, and whether Patroni put a (fresh) slot back.
    try {
      const after = await this.slots(sopts);
      const again = after.slots.find((s) => s.name === name);
      if (outcome === 'unknown' && again && again.restartLsn === slot.restartLsn)
        return {
          action,
          outcome: 'failed',
          reason: `${reason}slot ${name} is still there`,
          sent: true,
          details,
        };
      if (again) details.recreated = true;
      outcome = 'succeeded';
    } catch {
      // outcome stays as it was
    }
    const freed =
      slot.retainedBytes !== undefined
        ? `, releasing ${(slot.retainedBytes / 1048576).toFixed(1)} MiB of WAL`
        : '';
    reason =
      outcome === 'unknown'
        ? `${reason}read the slots again with patroni-kit slots`
        : `dropped slot ${name} on ${listing.leader}${freed}${details.recreated ? "; Patroni created it again at the current position (it keeps a left member's slot for member_slots_ttl)" : ''}`;
    return { action, outcome, reason, sent: true, details };
  }

  /** What the health report needs beyond the view: etcd, the leader's slots and WAL, the replication login. */
  async #healthFacts(view: ClusterView, opts: StatusOptions & HealthProbeOptions): Promise<HealthFacts> {
    const facts: HealthFacts = {};
    const leader = view.members.find((m) => m.name === view.confirmedLeader);
    const tasks: Array<Promise<void>> = [];
    if (this.target.dcs && opts.etcd !== false) {
      const conn = this.target.dcs.connection;
      tasks.push(
        (async () => {
          try {
            const { etcdHealth } = await import('@patroni-kit/dcs');
            facts.etcd = await etcdHealth(conn, {
              timeoutMs: this.#timeouts.dcs,
              ...(opts.signal ? { signal: opts.signal } : {}),
            });
          } catch (err) {
            if (isPatroniKitError(err, 'ABORTED')) throw err;
            facts.etcdError = (err as Error).message;
          }
        })(),
      );
    }
    if (leader?.host && opts.sql !== false) {
      tasks.push(
        (async () => {
          try {
            facts.leaderWal = await this.#leaderWal(leader, opts.signal);
          } catch (err) {
            if (isPatroniKitError(err, 'ABORTED')) throw err;
            facts.sqlError = (err as Error).message;
          }
        })(),
      );
    }
    await Promise.all(tasks);
    // The replication login is worth a try only when some replica does not stream and we know it.
    const repl = this.target.replication;
    const someoneNotStreaming = view.members.some(
      (m) => m.name !== view.leader && m.live?.reachable && !leader?.live?.streaming?.includes(m.name),
    );
    if (leader?.host && repl?.username && someoneNotStreaming && opts.sql !== false) {
      try {
        await this.#withPg(
          leader,
          {
            username: repl.username,
            ...(repl.password !== undefined ? { password: repl.password } : {}),
            replication: true,
            timeoutMs: this.#timeouts.member * 2,
            ...(opts.signal ? { signal: opts.signal } : {}),
          },
          (client) => client.query('IDENTIFY_SYSTEM'),
        );
        facts.replicationLogin = { ok: true, message: `user ${repl.username} logs in` };
      } catch (err) {
        if (isPatroniKitError(err, 'ABORTED')) throw err;
        if (isPatroniKitError(err, 'AUTH'))
          facts.replicationLogin = {
            ok: false,
            message: `user ${repl.username}: ${(err as Error).message.replace(/^query on [^:]+: /, '')}`,
          };
      }
    }
    return facts;
  }

  // ------------------------------------------------------------------ waiters

  /** Waits until a leader (or `name`) holds the lock and its own REST API says it runs as primary. */
  waitForLeader(opts: ActionOptions & { timeoutMs?: number; name?: string } = {}): Promise<ClusterView> {
    return poll(
      opts.name ? `${opts.name} to lead` : 'a running leader',
      async () => {
        const view = await this.status(opts.signal ? { signal: opts.signal } : {});
        if (view.confirmedLeader && (opts.name === undefined || view.confirmedLeader === opts.name))
          return { done: true, value: view };
        return { done: false, waitingFor: describeLeader(view) };
      },
      { timeoutMs: opts.timeoutMs ?? 60_000, signal: opts.signal, onProgress: opts.onProgress },
    );
  }

  /**
   * Waits until the health report has a running leader, every replica healthy (streaming, within the lag
   * limit), every member running, the sources agreeing and the DCS history recording the leader timeline.
   */
  waitForHealthy(opts: ActionOptions & HealthOptions & { timeoutMs?: number } = {}): Promise<HealthReport> {
    return poll(
      'a healthy cluster',
      async () => {
        const view = await this.status(opts.signal ? { signal: opts.signal } : {});
        const report = healthReport(view, opts);
        // timeline_history: right after a promotion the DCS history lags the leader's timeline for a loop.
        const needed = ['has_leader', 'has_replicas', 'node_count', 'sources_agree', 'timeline_history'];
        const bad = report.checks.filter((c) => needed.includes(c.name) && c.state !== 'OK');
        // Past timeline 1 the history key must exist and be checked: it may be missing for a moment after
        // a promotion (promote-cluster, a failover), and then nothing above would wait for it.
        const timeline = report.checks.find((c) => c.name === 'timeline')?.value;
        const historyChecked = report.checks.some((c) => c.name === 'timeline_history');
        if (view.source === 'dcs' && typeof timeline === 'number' && timeline > 1 && !historyChecked)
          return { done: false, waitingFor: `the DCS history key for timeline ${timeline}` };
        if (bad.length === 0) return { done: true, value: report };
        return { done: false, waitingFor: bad.map((c) => c.message).join('; ') };
      },
      { timeoutMs: opts.timeoutMs ?? 120_000, signal: opts.signal, onProgress: opts.onProgress },
    );
  }

  /** Waits until the leader is no longer `from` (and is `to` when given), runs, and no request is pending. */
  waitForSwitchover(
    opts: ActionOptions & { from: string; to?: string; timeoutMs?: number },
  ): Promise<ClusterView> {
    return poll(
      `the switchover from ${opts.from}${opts.to ? ` to ${opts.to}` : ''}`,
      async () => {
        const view = await this.status(opts.signal ? { signal: opts.signal } : {});
        const l = view.confirmedLeader;
        if (l && l !== opts.from && (opts.to === undefined || l === opts.to) && !view.pendingFailover)
          return { done: true, value: view };
        return { done: false, waitingFor: describeLeader(view) };
      },
      { timeoutMs: opts.timeoutMs ?? 120_000, signal: opts.signal, onProgress: opts.onProgress },
    );
  }

  // ------------------------------------------------------------------ switchover and failover

  /** Runs the switchover pre-checks without writing anything. */
  async planSwitchover(
    opts: SwitchoverRequestOptions & { signal?: AbortSignal } = {},
  ): Promise<SwitchoverPlan> {
    const view = await this.status(opts.signal ? { signal: opts.signal } : {});
    return planSwitchover(view, {
      ...opts,
      ...(opts.scheduledAt ? { scheduledAt: parseSchedule(opts.scheduledAt) ?? 'now' } : {}),
    });
  }

  /**
   * `patronictl switchover`: pre-checks (leader is the lock holder and runs; candidate exists, runs, is a
   * replica, not `nofailover`, within `maximum_lag_on_failover`, the sync standby in synchronous mode; nothing
   * already scheduled), then `POST /switchover` to the leader; immediate ones wait until the new leader runs.
   */
  async switchover(
    opts: SwitchoverOptions = {},
  ): Promise<ActionResult<{ plan: SwitchoverPlan; newLeader?: string }>> {
    const action = 'switchover';
    const scheduledAt = parseSchedule(opts.scheduledAt);
    const view = await this.status(opts.signal ? { signal: opts.signal } : {});
    const plan = planSwitchover(view, {
      ...(opts.leader === undefined ? {} : { leader: opts.leader }),
      ...(opts.candidate === undefined ? {} : { candidate: opts.candidate }),
      ...(scheduledAt === undefined ? {} : { scheduledAt }),
    });
    if (!plan.ok) return refused(action, plan.check!, plan.reason, { plan });
    const leader = view.members.find((m) => m.name === plan.leader)!;
    opts.onProgress?.(`${plan.reason}: sending POST /switchover to ${leader.name}`);
    const body: { leader: string; candidate?: string; scheduled_at?: string } = { leader: leader.name };
    if (plan.candidate) body.candidate = plan.candidate;
    if (scheduledAt) body.scheduled_at = scheduledAt;
    return this.#promote(action, view, leader, plan, opts, (c, o) => c.switchover(body, o));
  }

  /**
   * `patronictl failover`: to a named candidate (exists, runs, not `nofailover`; in synchronous mode an
   * asynchronous candidate needs `allowAsync`), then `POST /failover` to the leader, or to the candidate when
   * there is no running leader; waits until the candidate leads.
   */
  async failover(
    opts: FailoverOptions,
  ): Promise<ActionResult<{ verdict?: CandidateVerdict; newLeader?: string }>> {
    const action = 'failover';
    if (!opts.candidate)
      return refused(action, 'candidate-given', 'Failover could be performed only to a specific candidate');
    const view = await this.status(opts.signal ? { signal: opts.signal } : {});
    const verdict = evaluateCandidate(view, opts.candidate, 'failover');
    // Patroni checks lag only when a leader is there to compare with.
    let failed = verdict.failed.filter((f) => !(f === 'candidate-lag' && !view.confirmedLeader));
    if (view.synchronousMode === 'on' && !view.syncStandbys.includes(opts.candidate) && !opts.allowAsync)
      failed = [...failed, 'candidate-sync-standby'];
    if (failed.length > 0) {
      const reasons = failed.map((f) => {
        const i = verdict.failed.indexOf(f);
        return i >= 0
          ? verdict.reasons[i]!
          : `Member ${opts.candidate} is an asynchronous node in synchronous mode: a failover to it can lose transactions (allow it with --force / allowAsync)`;
      });
      return refused(action, failed[0]!, reasons.join('; '), { verdict });
    }
    const leader = view.members.find((m) => m.name === view.confirmedLeader);
    const target = leader ?? view.members.find((m) => m.name === opts.candidate)!;
    opts.onProgress?.(`failover to ${opts.candidate}: sending POST /failover to ${target.name}`);
    const body = { candidate: opts.candidate };
    const plan: SwitchoverPlan = {
      ok: true,
      reason: `failover to ${opts.candidate}`,
      candidate: opts.candidate,
      verdicts: [verdict],
      ...(view.leader ? { leader: view.leader } : {}),
    };
    const res = await this.#promote(action, view, target, plan, opts, (c, o) => c.failover(body, o));
    const { plan: _plan, ...rest } = res.details ?? {};
    return { ...res, details: { verdict, ...rest } } as ActionResult<{
      verdict?: CandidateVerdict;
      newLeader?: string;
    }>;
  }

  async #promote(
    action: string,
    view: ClusterView,
    target: MemberView,
    plan: SwitchoverPlan,
    opts: ActionOptions & { wait?: boolean; timeoutMs?: number },
    send: (client: PatroniClient, o: { signal?: AbortSignal; timeoutMs: number }) => Promise<WriteResult>,
  ): Promise<ActionResult<{ plan: SwitchoverPlan; newLeader?: string }>> {
    const scheduled = plan.scheduledAt !== undefined;
    const loopWait = Number(view.config?.loop_wait ?? 10);
    const blocking = 2 * Math.max(10, Number.isFinite(loopWait) ? loopWait : 10) * 1000 + 10_000;
    let res: WriteResult;
    try {
      const client = await this.#client(target);
      res = await send(client, {
        ...(opts.signal ? { signal: opts.signal } : {}),
        timeoutMs: scheduled ? this.#timeouts.write : blocking,
      });
    } catch (err) {
      const info = errorInfo(err);
      return { action, outcome: 'failed', reason: info.message, sent: false, error: info, details: { plan } };
    }
    if (res.outcome === 'failed')
      return {
        action,
        outcome: 'failed',
        reason: `Patroni refused: ${res.message} (HTTP ${res.status})`,
        sent: true,
        details: { plan },
      };
    if (scheduled) {
      if (res.outcome === 'succeeded')
        return {
          action,
          outcome: 'succeeded',
          reason: `${res.body} at ${plan.scheduledAt}`,
          sent: true,
          details: { plan },
        };
      return { action, outcome: 'unknown', reason: res.reason, sent: true, details: { plan } };
    }
    const from = view.leader ?? '';
    const said = res.outcome === 'succeeded' ? res.body : res.reason;
    const reported = res.outcome === 'succeeded' ? /"([^"]+)"(?: instead)?/.exec(res.body)?.[1] : undefined;
    if (opts.wait === false) {
      return res.outcome === 'succeeded'
        ? {
            action,
            outcome: 'succeeded',
            reason: said,
            sent: true,
            details: { plan, ...(reported ? { newLeader: reported } : {}) },
          }
        : { action, outcome: 'unknown', reason: said, sent: true, details: { plan } };
    }
    opts.onProgress?.(`Patroni answered: ${said}`);
    try {
      const after = await this.waitForSwitchover({
        from,
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        timeoutMs: opts.timeoutMs ?? 120_000,
      });
      const newLeader = after.confirmedLeader!;
      const wanted = plan.candidate;
      const note = wanted && newLeader !== wanted ? ` (instead of ${wanted})` : '';
      return {
        action,
        outcome: 'succeeded',
        reason: `${newLeader} is the new leader and runs${note}${res.outcome === 'unknown' ? '; confirmed by reading the cluster after an unknown answer' : ''}`,
        sent: true,
        details: { plan, newLeader },
      };
    } catch (err) {
      if (isPatroniKitError(err, 'ABORTED'))
        return {
          action,
          outcome: 'unknown',
          reason: `cancelled while waiting: ${said}`,
          sent: true,
          details: { plan },
        };
      const now = await this.status(opts.signal ? { signal: opts.signal } : {}).catch(() => undefined);
      if (now && now.leader === from && now.confirmedLeader === from && !now.pendingFailover)
        return {
          action,
          outcome: 'failed',
          reason: `the leader is still ${from} and no request is pending (${said})`,
          sent: true,
          details: { plan },
        };
      return {
        action,
        outcome: 'unknown',
        reason: `${(err as Error).message} (Patroni said: ${said})`,
        sent: true,
        details: { plan },
      };
    }
  }

  // ------------------------------------------------------------------ restart, reload, reinit

  /** `patronictl restart`: per member `POST /restart` (role filter, pending only, scheduled, version filter). */
  async restart(opts: RestartOptions = {}): Promise<ActionResult> {
    const action = 'restart';
    const view = await this.status(opts.signal ? { signal: opts.signal } : {});
    const selected = this.#select(view, opts);
    if ('check' in selected) return refused(action, selected.check, selected.reason);
    let targets = selected.members;
    if (opts.pgVersion !== undefined && !/^\d+\.\d+(\.\d+)?$/.test(opts.pgVersion))
      return refused(
        action,
        'pg-version-format',
        `Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted: ${opts.pgVersion}`,
      );
    if (opts.pgVersion !== undefined) {
      const major = Number(opts.pgVersion.split('.')[0]);
      const parts = opts.pgVersion.split('.').length;
      if ((major >= 10 && parts !== 2) || (major < 10 && parts !== 3))
        return refused(
          action,
          'pg-version-format',
          `Invalid PostgreSQL version format: X.Y (10+) or X.Y.Z (before 10) is accepted: ${opts.pgVersion}`,
        );
    }
    const schedule = parseSchedule(opts.scheduledAt);
    if (schedule && view.paused)
      return refused(action, 'not-paused', "Can't schedule restart in the paused state");
    if (schedule && Date.parse(schedule) < Date.now() - 1000)
      return refused(action, 'schedule-in-future', `Cannot schedule restart in the past (${schedule})`);
    if (opts.pending) targets = targets.filter((m) => m.pendingRestart || m.live?.pendingRestart);
    if (targets.length === 0)
      return {
        action,
        outcome: 'succeeded',
        reason: opts.pending ? 'no selected member needs a restart' : 'no member selected',
        sent: false,
        members: [],
      };
    const down = targets.filter((m) => !m.live?.reachable);
    if (down.length)
      return refused(
        action,
        'members-reachable',
        `not reachable: ${down.map((m) => `${m.name} (${m.live?.error?.message ?? 'no answer'})`).join('; ')}`,
      );
    const already = targets.filter((m) => m.scheduledRestart);
    if (already.length && !opts.force)
      return refused(
        action,
        'none-scheduled',
        `a restart is already scheduled on ${already.map((m) => m.name).join(', ')}; pass force to replace it, or flush it`,
      );
    const body: Record<string, unknown> = {};
    if (opts.pending) body.restart_pending = true;
    if (opts.pgVersion) body.postgres_version = opts.pgVersion;
    if (schedule) body.schedule = schedule;
    if (opts.timeout !== undefined) body.timeout = opts.timeout;
    const outcomes: MemberOutcome[] = [];
    for (const m of targets) {
      opts.onProgress?.(`${schedule ? 'scheduling a restart of' : 'restarting'} ${m.name}`);
      try {
        const client = await this.#client(m);
        if (m.scheduledRestart && opts.force)
          await client.cancelRestart(opts.signal ? { signal: opts.signal } : {});
        const res = await client.restart(body, {
          ...(opts.signal ? { signal: opts.signal } : {}),
          timeoutMs: 10 * 60_000,
        });
        outcomes.push(memberOutcome(m.name, res));
      } catch (err) {
        const info = errorInfo(err);
        outcomes.push({ member: m.name, outcome: 'failed', reason: info.message, error: info });
      }
    }
    return this.#summary(action, outcomes);
  }

  /** `patronictl reload`: `POST /reload` on each selected member. */
  async reload(opts: ActionOptions & MemberSelection = {}): Promise<ActionResult> {
    const action = 'reload';
    const view = await this.status(opts.signal ? { signal: opts.signal } : {});
    const selected = this.#select(view, opts);
    if ('check' in selected) return refused(action, selected.check, selected.reason);
    const loopWait = view.config?.loop_wait ?? 10;
    const outcomes: MemberOutcome[] = [];
    for (const m of selected.members) {
      try {
        const res = await (await this.#client(m)).reload(opts.signal ? { signal: opts.signal } : {});
        const o = memberOutcome(m.name, res);
        if (o.outcome === 'succeeded')
          o.reason = `Reload request received for member ${m.name} and will be processed within ${loopWait} seconds`;
        outcomes.push(o);
      } catch (err) {
        const info = errorInfo(err);
        outcomes.push({ member: m.name, outcome: 'failed', reason: info.message, error: info });
      }
    }
    return this.#summary(action, outcomes);
  }

  /** `patronictl reinit`: re-clone replicas (`POST /reinitialize`); with `wait`, until each runs again. */
  async reinit(opts: ReinitOptions): Promise<ActionResult> {
    const action = 'reinit';
    if (!opts.members?.length)
      throw new PatroniKitError('USAGE', 'reinit needs the member names to re-clone', {
        hint: 'e.g. patroni-kit reinit lab n2',
      });
    const view = await this.status(opts.signal ? { signal: opts.signal } : {});
    const missing = opts.members.filter((n) => !view.members.some((m) => m.name === n));
    if (missing.length)
      return refused(action, 'members-exist', `not members of ${view.scope}: ${missing.join(', ')}`);
    if (opts.members.includes(view.leader ?? '\0'))
      return refused(action, 'members-are-replicas', `${view.leader} is the leader, can not reinitialize it`);
    if (!view.confirmedLeader)
      return refused(
        action,
        'has-leader',
        'Cluster has no running leader, can not reinitialize (a replica is cloned from it)',
      );
    const targets = view.members.filter((m) => opts.members.includes(m.name));
    const down = targets.filter((m) => !m.live?.reachable);
    if (down.length)
      return refused(action, 'members-reachable', `not reachable: ${down.map((m) => m.name).join(', ')}`);
    const body: { force?: boolean; from_leader?: boolean } = {};
    if (opts.force) body.force = true;
    if (opts.fromLeader) body.from_leader = true;
    const outcomes: MemberOutcome[] = [];
    for (const m of targets) {
      opts.onProgress?.(`reinitializing ${m.name}`);
      try {
        const res = await (await this.#client(m)).reinitialize(
          body,
          opts.signal ? { signal: opts.signal } : {},
        );
        const o = memberOutcome(m.name, res);
        if (o.outcome === 'failed' && /in progress/.test(o.reason))
          o.reason += ' (pass force to cancel the running task first)';
        outcomes.push(o);
      } catch (err) {
        const info = errorInfo(err);
        outcomes.push({ member: m.name, outcome: 'failed', reason: info.message, error: info });
      }
    }
    if (opts.wait) {
      for (const o of outcomes.filter((x) => x.outcome === 'succeeded')) {
        const m = targets.find((t) => t.name === o.member)!;
        try {
          // The reinit starts on the member's next loop; wait to see it leave `running` first, briefly.
          await sleep(1000, opts.signal);
          await poll(
            `${m.name} to finish re-cloning`,
            async () => {
              const s = liveFromStatus(await this.#getPatroni(m.apiUrl!, opts.signal));
              return s.state === 'running' && s.role === 'replica'
                ? { done: true, value: s }
                : { done: false, waitingFor: `${m.name} is ${s.state}` };
            },
            { timeoutMs: opts.timeoutMs ?? 300_000, signal: opts.signal, onProgress: opts.onProgress },
          );
          o.reason = `${o.reason}; ${m.name} runs again`;
        } catch (err) {
          o.outcome = 'unknown';
          o.reason = `${o.reason}; ${(err as Error).message}`;
        }
      }
    }
    return this.#summary(action, outcomes);
  }

  // ------------------------------------------------------------------ pause, resume, config

  /** `patronictl pause`: `PATCH /config {"pause": true}`; with `wait`, until every member reports it. */
  pause(opts: PauseOptions = {}): Promise<ActionResult> {
    return this.#setPause(true, opts);
  }

  /** `patronictl resume`: `PATCH /config {"pause": null}`; with `wait`, until no member reports pause. */
  resume(opts: PauseOptions = {}): Promise<ActionResult> {
    return this.#setPause(false, opts);
  }

  async #setPause(pause: boolean, opts: PauseOptions): Promise<ActionResult> {
    const action = pause ? 'pause' : 'resume';
    const view = await this.status(opts.signal ? { signal: opts.signal } : {});
    if (pause && view.paused) return refused(action, 'not-paused', 'Cluster is already paused');
    if (!pause && !view.paused) return refused(action, 'paused', 'Cluster is not paused');
    const res = await this.#patchConfig(view, { pause: pause ? true : null }, opts);
    if (res.outcome !== 'succeeded' || !opts.wait) return { ...res, action };
    try {
      await poll(
        `every member to report ${pause ? 'pause' : 'resume'}`,
        async () => {
          const v = await this.status(opts.signal ? { signal: opts.signal } : {});
          const lagging = v.members
            .filter((m) => m.live?.reachable && Boolean(m.live.paused) !== pause)
            .map((m) => m.name);
          return lagging.length === 0
            ? { done: true, value: v }
            : { done: false, waitingFor: `not yet: ${lagging.join(', ')}` };
        },
        { timeoutMs: opts.timeoutMs ?? 60_000, signal: opts.signal, onProgress: opts.onProgress },
      );
      return {
        ...res,
        action,
        reason: pause ? 'Success: cluster management is paused' : 'Success: cluster management is resumed',
      };
    } catch (err) {
      return {
        ...res,
        action,
        outcome: 'unknown',
        reason: `the change was written but ${(err as Error).message}`,
      };
    }
  }

  async #patchConfig(
    view: ClusterView,
    patch: Record<string, unknown>,
    opts: ActionOptions,
  ): Promise<ActionResult> {
    const order = [
      ...view.members.filter((m) => m.name === view.confirmedLeader),
      ...view.members.filter((m) => m.name !== view.confirmedLeader && m.live?.reachable),
    ];
    if (order.length === 0) return refused('config', 'members-reachable', 'no member REST API answers');
    const m = order[0]!;
    opts.onProgress?.(`sending PATCH /config to ${m.name}`);
    try {
      const res = await (await this.#client(m)).patchConfig(
        patch,
        opts.signal ? { signal: opts.signal } : {},
      );
      if (res.outcome === 'succeeded')
        return {
          action: 'config',
          outcome: 'succeeded',
          reason: `configuration patched on ${m.name}`,
          sent: true,
        };
      if (res.outcome === 'failed')
        return {
          action: 'config',
          outcome: 'failed',
          reason: `${m.name} refused: ${res.message} (HTTP ${res.status})`,
          sent: true,
        };
      return { action: 'config', outcome: 'unknown', reason: res.reason, sent: true };
    } catch (err) {
      const info = errorInfo(err);
      return { action: 'config', outcome: 'failed', reason: info.message, sent: false, error: info };
    }
  }

  /**
   * `patronictl edit-config`: applies settings, a patch or a replacement to the DCS `config`, shows the diff
   * and writes with compare-and-set on the revision that was read (a concurrent change fails, never merges).
   */
  async editConfig(opts: EditConfigOptions): Promise<ActionResult<EditConfigDetails>> {
    const action = 'edit-config';
    const view = await this.status({ ...(opts.signal ? { signal: opts.signal } : {}), live: false });
    const YAML = await import('yaml');
    const before = (view.config ?? (view.source === 'rest' ? await this.showConfig(opts) : undefined)) as
      | DynamicConfig
      | undefined;
    if (!before)
      return refused(action, 'config-exists', `The config key does not exist in the cluster ${view.scope}`);
    if (
      opts.baseRevision !== undefined &&
      view.configRevision !== undefined &&
      opts.baseRevision !== view.configRevision
    )
      return refused(action, 'config-unchanged', 'Config modification aborted due to concurrent changes');
    let after: Record<string, unknown> = opts.replace ? { ...opts.replace } : { ...before };
    if (opts.patch) after = applyPatch(after, opts.patch);
    if (opts.set?.length || opts.pg?.length)
      after = applyPatch(
        after,
        settingsToPatch(opts.set ?? [], (t) => readYaml(t, 'a --set value'), opts.pg ?? []),
      );
    const text = (v: unknown) => YAML.stringify(v, { sortMapEntries: true });
    const diff = unifiedDiff(text(before), text(after), 'before', 'after');
    const details: EditConfigDetails = { diff, changed: diff !== '', before, after: after as DynamicConfig };
    if (!diff) return { action, outcome: 'succeeded', reason: 'Not changed', sent: false, details };
    const findings = await lintChange(before, after, text, view.members);
    details.findings = findings;
    const errors = findings.filter((f) => f.severity === 'error');
    const warnings = findings.filter((f) => f.severity === 'warning');
    if (errors.length > 0 && !opts.allowInvalid)
      return refused(
        action,
        'config-valid',
        `the new configuration has ${errors.length} error(s) Patroni cannot use, so nothing was written: ${errors.map((f) => `${f.path || '(top)'}: ${f.message}`).join(' | ')} Fix the value, or pass --allow-invalid (SDK: allowInvalid) to write it anyway.`,
        details,
      );
    if (opts.dryRun)
      return { action, outcome: 'succeeded', reason: 'dry run: nothing written', sent: false, details };
    const shown =
      warnings.length === 0
        ? diff
        : `${diff}${warnings.map((f) => `warning: ${f.path || '(top)'}: ${f.message} [${f.rule}]`).join('\n')}\n`;
    if (opts.confirm && !(await opts.confirm(shown)))
      return {
        action,
        outcome: 'failed',
        reason: 'not confirmed: nothing written',
        sent: false,
        check: 'confirmed',
        details,
      };
    if (view.source === 'dcs' && view.configRevision) {
      try {
        const dcs = await this.#dcsClient();
        await dcs.editConfig(this.scope, () => after as DynamicConfig, {
          expectedRevision: view.configRevision,
          // A full replacement may overwrite a corrupt key; a patch over one would drop what is there.
          overwriteInvalid: opts.replace !== undefined,
          ...(this.target.group === undefined ? {} : { group: this.target.group }),
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
        return {
          action,
          outcome: 'succeeded',
          reason: 'configuration changed (compare-and-set on the config key)',
          sent: true,
          details,
        };
      } catch (err) {
        const info = errorInfo(err);
        if (isPatroniKitError(err, 'AMBIGUOUS_WRITE'))
          return { action, outcome: 'unknown', reason: info.message, sent: true, error: info, details };
        return {
          action,
          outcome: 'failed',
          reason: info.message,
          sent: isPatroniKitError(err, 'CONFLICT'),
          error: info,
          details,
        };
      }
    }
    const res = await this.#patchConfig(view, diffToPatch(before, after), opts);
    return { ...res, action, details };
  }

  // ------------------------------------------------------------------ remove, flush

  /**
   * `patronictl remove`: deletes every key of the cluster from the DCS. Guarded: `confirmScope` must repeat the
   * cluster name, and it is refused while members are alive (their keys exist or their REST API answers).
   */
  async remove(
    opts: ActionOptions & { confirmScope: string; force?: boolean },
  ): Promise<ActionResult<{ deleted?: number }>> {
    const action = 'remove';
    if (opts.confirmScope !== this.scope)
      return refused(
        action,
        'scope-confirmed',
        `the confirmation '${opts.confirmScope}' does not repeat the cluster name ${this.scope}`,
      );
    if (!this.target.dcs)
      return refused(
        action,
        'dcs-configured',
        'remove deletes DCS keys: give a config with etcd3 or --dcs-url',
      );
    let view: ClusterView | undefined;
    try {
      view = await this.status(opts.signal ? { signal: opts.signal } : {});
    } catch (err) {
      if (!isPatroniKitError(err, 'NOT_FOUND')) throw err;
      return refused(action, 'cluster-exists', (err as Error).message);
    }
    const alive = view.members.filter((m) => m.live?.reachable).map((m) => m.name);
    if (!opts.force && (alive.length > 0 || view.leader))
      return refused(
        action,
        'cluster-stopped',
        `cluster ${this.scope} is alive (leader ${view.leader ?? 'none'}; answering: ${alive.join(', ') || 'none'}); stop Patroni on every member first`,
      );
    try {
      const dcs = await this.#dcsClient();
      const res = await dcs.removeCluster(this.scope, {
        ...(opts.force ? { force: true } : {}),
        ...(this.target.group === undefined ? {} : { group: this.target.group }),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      return {
        action,
        outcome: 'succeeded',
        reason: `removed ${res.deleted} key(s) of ${this.scope}`,
        sent: true,
        details: { deleted: res.deleted },
      };
    } catch (err) {
      const info = errorInfo(err);
      if (isPatroniKitError(err, 'AMBIGUOUS_WRITE'))
        return { action, outcome: 'unknown', reason: info.message, sent: true, error: info };
      return {
        action,
        outcome: 'failed',
        reason: info.message,
        sent: false,
        error: info,
        ...(info.code === 'PRECHECK' ? { check: 'cluster-stopped' } : {}),
      };
    }
  }

  /** `patronictl flush`: drop scheduled restarts (`DELETE /restart`) or the scheduled switchover. */
  async flush(
    opts: ActionOptions & MemberSelection & { what: 'restart' | 'switchover' },
  ): Promise<ActionResult> {
    const action = `flush ${opts.what}`;
    const view = await this.status(opts.signal ? { signal: opts.signal } : {});
    if (opts.what === 'switchover') {
      if (!view.scheduledSwitchover && !view.pendingFailover)
        return { action, outcome: 'succeeded', reason: 'No pending scheduled switchover', sent: false };
      const order = [
        ...view.members.filter((m) => m.name === view.confirmedLeader),
        ...view.members.filter((m) => m.name !== view.confirmedLeader && m.live?.reachable),
      ];
      for (const m of order) {
        try {
          const res = await (await this.#client(m)).cancelSwitchover(
            opts.signal ? { signal: opts.signal } : {},
          );
          const o = memberOutcome(m.name, res);
          return { action, outcome: o.outcome, reason: `${m.name}: ${o.reason}`, sent: true, members: [o] };
        } catch (err) {
          if (isPatroniKitError(err, 'AUTH', 'ABORTED')) {
            const info = errorInfo(err);
            return { action, outcome: 'failed', reason: info.message, sent: false, error: info };
          }
        }
      }
      if (!this.target.dcs) return refused(action, 'members-reachable', 'no member REST API answers');
      try {
        const dcs = await this.#dcsClient();
        await dcs.clearFailover(this.scope, opts.signal ? { signal: opts.signal } : {});
        return {
          action,
          outcome: 'succeeded',
          reason: 'no member answered: cleared the failover key in the DCS (compare-and-set)',
          sent: true,
        };
      } catch (err) {
        const info = errorInfo(err);
        return {
          action,
          outcome: isPatroniKitError(err, 'AMBIGUOUS_WRITE') ? 'unknown' : 'failed',
          reason: info.message,
          sent: true,
          error: info,
        };
      }
    }
    const selected = this.#select(view, opts);
    if ('check' in selected) return refused(action, selected.check, selected.reason);
    const targets = selected.members.filter((m) => m.scheduledRestart);
    if (targets.length === 0)
      return {
        action,
        outcome: 'succeeded',
        reason: `No scheduled restart for ${selected.members.map((m) => `member ${m.name}`).join(', ')}`,
        sent: false,
        members: [],
      };
    const outcomes: MemberOutcome[] = [];
    for (const m of targets) {
      try {
        outcomes.push(
          memberOutcome(
            m.name,
            await (await this.#client(m)).cancelRestart(opts.signal ? { signal: opts.signal } : {}),
          ),
        );
      } catch (err) {
        const info = errorInfo(err);
        outcomes.push({ member: m.name, outcome: 'failed', reason: info.message, error: info });
      }
    }
    return this.#summary(action, outcomes);
  }

  // ------------------------------------------------------------------ standby clusters (Patroni 4.x)

  /** `patronictl demote-cluster`: turns the cluster into a standby cluster (`standby_cluster` in config). */
  async demoteCluster(opts: DemoteClusterOptions): Promise<ActionResult> {
    const action = 'demote-cluster';
    if (opts.host === undefined && opts.port === undefined && opts.restoreCommand === undefined)
      return refused(action, 'standby-source', 'at least one of host, port or restore command is needed');
    const view = await this.status(opts.signal ? { signal: opts.signal } : {});
    const old = this.#needs4(view, action);
    if (old) return old;
    if (!view.confirmedLeader)
      return refused(action, 'has-leader', 'Cluster has no leader, demotion is not possible');
    if (view.config?.standby_cluster)
      return refused(action, 'not-standby', 'Cluster is already in the required state');
    const standby: Record<string, unknown> = {};
    if (opts.host !== undefined) standby.host = opts.host;
    if (opts.port !== undefined) standby.port = opts.port;
    if (opts.restoreCommand !== undefined) standby.restore_command = opts.restoreCommand;
    if (opts.primarySlotName !== undefined) standby.primary_slot_name = opts.primarySlotName;
    const res = await this.#patchConfig(view, { standby_cluster: standby }, opts);
    return this.#waitRole({ ...res, action }, 'standby_leader', opts);
  }

  /** `patronictl promote-cluster`: turns a standby cluster back into a primary cluster. */
  async promoteCluster(
    opts: ActionOptions & { wait?: boolean; timeoutMs?: number } = {},
  ): Promise<ActionResult> {
    const action = 'promote-cluster';
    const view = await this.status(opts.signal ? { signal: opts.signal } : {});
    const old = this.#needs4(view, action);
    if (old) return old;
    if (!view.leader)
      return refused(action, 'has-leader', 'Cluster has no leader, promotion is not possible');
    if (!view.config?.standby_cluster)
      return refused(action, 'is-standby', 'Cluster is already in the required state');
    const res = await this.#patchConfig(view, { standby_cluster: null }, opts);
    return this.#waitRole({ ...res, action }, 'primary', opts);
  }

  #needs4(view: ClusterView, action: string): ActionResult | undefined {
    const old = view.members.filter((m) => compareVersions(m.live?.patroniVersion ?? m.version, '4.0.0') < 0);
    if (old.length === 0) return undefined;
    return refused(
      action,
      'patroni-4',
      `${action} needs Patroni 4.x on every member; ${old.map((m) => `${m.name} runs ${m.live?.patroniVersion ?? m.version ?? 'an unknown version'}`).join(', ')}`,
    );
  }

  async #waitRole(
    res: ActionResult,
    role: 'primary' | 'standby_leader',
    opts: ActionOptions & { wait?: boolean; timeoutMs?: number },
  ): Promise<ActionResult> {
    if (res.outcome !== 'succeeded' || opts.wait === false) return res;
    try {
      const view = await poll(
        `the leader to run as ${role}`,
        async () => {
          const v = await this.status(opts.signal ? { signal: opts.signal } : {});
          const l = v.members.find((m) => m.name === v.leader);
          const othersRunning = v.members.every((m) => m.live?.state === 'running');
          return l?.live?.role === role && l.live.state === 'running' && othersRunning
            ? { done: true, value: v }
            : {
                done: false,
                waitingFor: `leader ${v.leader ?? 'none'} is ${l?.live?.role ?? 'unknown'}/${l?.live?.state ?? 'unknown'}`,
              };
        },
        { timeoutMs: opts.timeoutMs ?? 120_000, signal: opts.signal, onProgress: opts.onProgress },
      );
      return { ...res, reason: `${view.leader} runs as ${role}` };
    } catch (err) {
      return { ...res, outcome: 'unknown', reason: `the change was written but ${(err as Error).message}` };
    }
  }

  // ------------------------------------------------------------------ internals

  #summary(action: string, outcomes: MemberOutcome[]): ActionResult {
    const outcome = combine(outcomes);
    return {
      action,
      outcome,
      reason: outcomes
        .map(
          (o) =>
            `${o.outcome === 'succeeded' ? 'Success' : o.outcome === 'failed' ? 'Failed' : 'Unknown'}: ${action} on member ${o.member}: ${o.reason}`,
        )
        .join('; '),
      sent: true,
      members: outcomes,
    };
  }

  #select(
    view: ClusterView,
    sel: MemberSelection,
  ): { members: MemberView[] } | { check: string; reason: string } {
    const role = sel.role ?? 'any';
    if (!ROLE_FILTERS.includes(role))
      return { check: 'role-filter', reason: `unknown role '${role}' (use ${ROLE_FILTERS.join(', ')})` };
    const missing = (sel.members ?? []).filter((n) => !view.members.some((m) => m.name === n));
    if (missing.length)
      return {
        check: 'members-exist',
        reason: `not members of ${view.scope}: ${missing.join(', ')} (members: ${view.members.map((m) => m.name).join(', ')})`,
      };
    let members = membersWithRole(view, role);
    if (sel.members?.length) members = members.filter((m) => sel.members!.includes(m.name));
    return { members };
  }

  #pickMember(view: ClusterView, opts: { role?: RoleFilter; member?: string }): MemberView | undefined {
    if (opts.member !== undefined) return view.members.find((m) => m.name === opts.member);
    const pool = membersWithRole(view, opts.role ?? 'leader');
    return pool.find((m) => m.state === 'running' || m.state === 'streaming') ?? pool[0];
  }

  async #readState(signal?: AbortSignal): Promise<ClusterState> {
    const ns = this.target.namespace;
    const prefix = clusterPrefix(ns, this.scope, this.target.group);
    const res = await this.#gateway!.range(prefix, { prefix: true, timeoutMs: this.#timeouts.dcs, signal });
    if (res.kvs.length === 0)
      throw new PatroniKitError(
        'NOT_FOUND',
        `no Patroni cluster '${this.scope}' in namespace /${ns}/ of etcd ${res.endpoint}`,
        {
          hint: 'check scope and namespace in the config (or the cluster name you gave)',
        },
      );
    return buildClusterState(res.kvs, { namespace: ns, scope: this.scope, prefix, revision: res.revision });
  }

  async #probeAll(
    members: Array<[string, string | undefined]>,
    signal?: AbortSignal,
  ): Promise<Map<string, MemberLive>> {
    const out = new Map<string, MemberLive>();
    await Promise.all(
      members.map(async ([name, url]) => {
        if (!url) {
          out.set(name, {
            reachable: false,
            error: { code: 'CONFIG', message: 'the member published no api_url' },
          });
          return;
        }
        try {
          const live = liveFromStatus(await this.#getPatroni(url, signal));
          const offset = this.#clockOffsets.get(originOf(url));
          if (offset) live.clockOffset = offset;
          out.set(name, live);
        } catch (err) {
          if (isPatroniKitError(err, 'ABORTED')) throw err;
          out.set(name, {
            reachable: false,
            error: { code: errorInfo(err).code, message: (err as Error).message },
          });
        }
      }),
    );
    return out;
  }

  async #getJson(url: string, path: string, signal?: AbortSignal): Promise<unknown> {
    const full = `${originOf(url)}${path}`;
    const sentAt = Date.now();
    const res = await httpRequest({
      url: full,
      timeoutMs: this.#timeouts.member,
      signal,
      tls: this.target.tls,
      onRequest: this.target.onRequest,
    });
    const date = res.headers.date;
    const offset = clockOffsetBounds(sentAt, Date.now(), typeof date === 'string' ? date : undefined);
    if (offset) this.#clockOffsets.set(originOf(url), offset);
    if (res.status !== 200)
      throw new PatroniKitError('HTTP_STATUS', `GET ${full}: HTTP ${res.status}`, {
        status: res.status,
        hint: 'this does not look like a Patroni REST API; check the URL',
      });
    return parseJsonBody(res, `GET ${full}`);
  }

  async #getPatroni(url: string, signal?: AbortSignal): Promise<NodeStatus> {
    const body = (await this.#getJson(url, '/patroni', signal)) as NodeStatus;
    if (
      typeof body !== 'object' ||
      body === null ||
      typeof body.state !== 'string' ||
      typeof body.patroni?.version !== 'string'
    )
      throw new PatroniKitError(
        'DECODE',
        `GET ${originOf(url)}/patroni: the answer is JSON but not a Patroni node status`,
        {
          hint: 'this is not a Patroni REST API; check the URL and port (restapi.listen, 8008 by default)',
        },
      );
    return body;
  }

  async #getCluster(url: string, signal?: AbortSignal): Promise<ClusterStatus> {
    const body = (await this.#getJson(url, '/cluster', signal)) as ClusterStatus;
    if (typeof body !== 'object' || body === null || !Array.isArray(body.members))
      throw new PatroniKitError('DECODE', `GET ${originOf(url)}/cluster: not a Patroni cluster status`, {
        hint: 'this is not a Patroni REST API; check the URL and port',
      });
    return body;
  }

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
            ...(this.target.tls && origin.startsWith('https:') ? { tls: this.target.tls } : {}),
            timeouts: {
              connect: this.#timeouts.member,
              read: this.#timeouts.member * 2,
              write: this.#timeouts.write,
            },
            userAgent: 'patroni-kit',
            onRequest: this.target.onRequest,
          }),
      );
      this.#rest.set(origin, client);
    }
    return client;
  }

  async #anyClient(view: ClusterView): Promise<PatroniClient> {
    const m = view.members.find((x) => x.live?.reachable && x.apiUrl) ?? view.members.find((x) => x.apiUrl);
    return this.#client(m ?? this.target.restUrls[0] ?? '');
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

/** `http(s)://host:port` of a member URL; a URL that does not parse (a hostile `api_url`) is a CONFIG error. */
function originOf(url: string): string {
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    throw new PatroniKitError(
      'CONFIG',
      `the member URL ${redactUrl(String(url)).slice(0, 200)} is not a URL`,
      {
        hint: 'check restapi.connect_address of that member (it publishes it as api_url)',
      },
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new PatroniKitError(
      'CONFIG',
      `the member URL ${redactUrl(u.origin)} is neither http:// nor https://`,
      {
        hint: 'check restapi.connect_address of that member',
      },
    );
  return u.origin;
}

function describeLeader(view: ClusterView): string {
  if (!view.leader) return 'no member holds the leader lock';
  const l = view.members.find((m) => m.name === view.leader);
  if (view.confirmedLeader)
    return `${view.confirmedLeader} leads${view.pendingFailover ? ', a switchover request is pending' : ''}`;
  return `${view.leader} holds the lock but is ${l?.live?.reachable ? `${l.live.role}/${l.live.state}` : 'unreachable'}`;
}

/**
 * Lints the dynamic configuration after an edit (`lint --dcs`) and returns the findings the edit introduces;
 * Patroni validates nothing there (its issues #1471, #3311), so this is the check before the write.
 */
async function lintChange(
  before: unknown,
  after: unknown,
  text: (v: unknown) => string,
  members: ReadonlyArray<{ live?: { patroniVersion?: string } }>,
): Promise<ConfigFinding[]> {
  const { lintText, parsePatroniVersion } = await import('@patroni-kit/config');
  let patroniVersion: '3.0' | '4.0' | '4.1' = '4.1';
  const versions = members.map((m) => m.live?.patroniVersion).filter((v): v is string => Boolean(v));
  try {
    // the oldest member decides what the cluster accepts
    const oldest = versions.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))[0];
    if (oldest) patroniVersion = parsePatroniVersion(oldest);
  } catch {
    // a version the linter does not know: check for the newest it knows
  }
  const key = (f: { rule: string; path: string; severity: string }) => `${f.rule}|${f.severity}|${f.path}`;
  const old = new Set(lintText(text(before), { dynamic: true, patroniVersion }).findings.map(key));
  return lintText(text(after), { dynamic: true, patroniVersion })
    .findings.filter((f) => f.severity !== 'info' && !old.has(key(f)))
    .map((f) => ({ rule: f.rule, severity: f.severity, path: f.path, message: f.message }));
}
