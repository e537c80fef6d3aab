/** The lab: a real three-node Patroni cluster with etcd and HAProxy, started and stopped by PID. */

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { isLeaderRole, isPatroniKitError, PatroniKitError } from '@patroni-kit/errors';
import {
  probeVersions,
  type ResolvedBinaries,
  requireTools,
  resolveBinaries,
  runForOutput,
} from './binaries.js';
import {
  blockedPorts,
  blockPorts,
  createNetwork,
  deleteNetwork,
  heal,
  isPartitioned,
  type NetnsPlan,
  netnsPlan,
  partition,
} from './netns.js';
import { httpJson, isPortFree, portOwner, sql, tryHttpJson, waitFor } from './probes.js';
import {
  isRunning,
  type ProcessRecord,
  postmasterRecord,
  processesUnder,
  readCmdline,
  signalProcess,
  startDetached,
  stopProcess,
  tailLog,
  waitForExit,
} from './processes.js';
import {
  type ControlData,
  clusterTimeline,
  diagnoseStreaming,
  firstToStart,
  formatLsn,
  type HistoryLine,
  parseControlData,
  parseHistoryFile,
  type RestartCandidate,
  type StreamDiagnosis,
} from './recovery.js';
import {
  etcdHosts,
  etcdPaths,
  type LabLayout,
  nodePaths,
  renderCtlConfig,
  renderHaproxyConfig,
  renderPatroniConfig,
  timing,
} from './render.js';
import type {
  EtcdVersion,
  LabCredentials,
  LabMemberStatus,
  LabOptions,
  LabPorts,
  LabStatus,
  Topology,
} from './types.js';

const STATE_VERSION = 1;

/** How long a member may show a cause that waiting does not cure before `up` gives up on it. */
const STUCK_MS = 45_000;
/** Causes that waiting does not cure: the lab has no WAL archive, so removed WAL never comes back. */
const HOPELESS = new Set<StreamDiagnosis['cause']>(['timeline_diverged', 'rewind_failed', 'wal_removed']);

/** What lab.json holds. */
interface LabState {
  stateVersion: number;
  layout: LabLayout;
  etcd: EtcdVersion;
  topology: Topology;
  netns?: NetnsPlan;
  binaries: ResolvedBinaries;
  versions: LabStatus['versions'];
  runAs?: string;
  clusterToken: string;
  processes: {
    etcd: Record<string, ProcessRecord>;
    patroni: Record<string, ProcessRecord>;
    haproxy?: ProcessRecord;
  };
}

const DEFAULT_PORTS: LabPorts = {
  etcdClient: 2379,
  etcdPeer: 2380,
  postgres: 5432,
  rest: 8008,
  writer: 5000,
  reader: 5001,
  stats: 7000,
};

/** Timeouts for each phase of `up` (ms); generous because two cores run nine daemons. */
const PHASE = {
  etcd: 45_000,
  leader: 120_000,
  replicas: 150_000,
  haproxy: 60_000,
  stop: 45_000,
  /** How long the first member of a full restart gets to take the leader lock alone. */
  firstLeader: 60_000,
};

/** The lab's default state folder: PATRONI_KIT_LAB_DIR, else a system folder for root, else XDG state. */
export function defaultLabDir(): string {
  if (process.env.PATRONI_KIT_LAB_DIR) return resolve(process.env.PATRONI_KIT_LAB_DIR);
  if (process.getuid?.() === 0) return '/var/lib/patroni-kit/lab';
  return join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local/state'), 'patroni-kit/lab');
}

const password = () => randomBytes(18).toString('base64url');

function isLeader(role: unknown): boolean {
  return typeof role === 'string' && isLeaderRole(role, { standby: true });
}

/** A real three-node Patroni + etcd + HAProxy cluster on this machine. */
export class Lab {
  readonly dir: string;
  private readonly opts: LabOptions;

  constructor(opts: LabOptions = {}) {
    this.opts = opts;
    this.dir = resolve(opts.dir ?? defaultLabDir());
  }

  private get stateFile(): string {
    return join(this.dir, 'lab.json');
  }

  private progress(message: string): void {
    this.opts.onProgress?.(message);
  }

  /** Whether a lab has been created in this folder. */
  exists(): boolean {
    return existsSync(this.stateFile);
  }

  private loadState(): LabState {
    let raw: string;
    try {
      raw = readFileSync(this.stateFile, 'utf8');
    } catch {
      throw new PatroniKitError('NOT_FOUND', `no lab in ${this.dir}`, {
        hint: 'start one with `patroni-kit lab up`',
      });
    }
    let state: LabState;
    try {
      state = JSON.parse(raw) as LabState;
    } catch (err) {
      throw new PatroniKitError('LAB', `the lab state file ${this.stateFile} is corrupt`, {
        cause: err,
        hint: "stop what runs with `patroni-kit lab down` (it finds the lab's programs by their folder), then `patroni-kit lab down --purge`",
      });
    }
    if (state.stateVersion !== STATE_VERSION) {
      throw new PatroniKitError('LAB', `the lab in ${this.dir} was made by another patroni-kit version`, {
        hint: 'run `patroni-kit lab down --purge`',
      });
    }
    return state;
  }

  private saveState(state: LabState): void {
    const tmp = `${this.stateFile}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.stateFile);
  }

  /** Reads the credentials file (superuser, replication, rewind, restapi). */
  credentials(): LabCredentials {
    return JSON.parse(readFileSync(join(this.dir, 'credentials.json'), 'utf8')) as LabCredentials;
  }

  // ---------------------------------------------------------------------------------------------
  // Planning

  private plan(): { layout: LabLayout; etcd: EtcdVersion; topology: Topology; netns?: NetnsPlan } {
    const o = this.opts;
    const topology = o.topology ?? 'loopback';
    const patroni = o.patroni ?? '4.0.7';
    const etcd = o.etcd ?? '3.5';
    const ports = { ...DEFAULT_PORTS, ...o.ports };
    let hosts: [string, string, string] = o.hosts ?? ['127.0.0.11', '127.0.0.12', '127.0.0.13'];
    let subnet = '127.0.0.0/8';
    let netns: NetnsPlan | undefined;
    if (topology === 'netns') {
      netns = netnsPlan(o.netnsPrefix ?? process.env.PATRONI_KIT_NETNS_PREFIX ?? 'pk', o.netnsOctet ?? 0);
      hosts = netns.hosts;
      subnet = netns.subnet;
    } else {
      for (const h of hosts) {
        if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) {
          throw new PatroniKitError('USAGE', `lab host ${h} is not a loopback address`, {
            hint: 'use addresses in 127.0.0.0/8, or --netns',
          });
        }
      }
      if (new Set(hosts).size !== 3)
        throw new PatroniKitError('USAGE', 'the three lab hosts must be distinct addresses');
    }
    const haproxyHost = o.haproxyHost ?? '127.0.0.1';
    if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(haproxyHost)) {
      throw new PatroniKitError('USAGE', `HAProxy address ${haproxyHost} is not a loopback address`, {
        hint: 'use an address in 127.0.0.0/8',
      });
    }
    const scope = o.scope ?? 'lab';
    if (!/^[A-Za-z0-9_.-]+$/.test(scope))
      throw new PatroniKitError(
        'USAGE',
        `scope '${scope}' may only contain letters, digits, '_', '.' and '-'`,
      );
    const layout: LabLayout = {
      scope,
      namespace: '/service/',
      dir: this.dir,
      patroni,
      profile: o.profile ?? 'default',
      sync: o.sync ?? false,
      hosts,
      haproxyHost,
      ports,
      subnet,
      pgBinDir: '',
      nodeNames: ['n1', 'n2', 'n3'],
      etcdNames: ['e1', 'e2', 'e3'],
    };
    return netns ? { layout, etcd, topology, netns } : { layout, etcd, topology };
  }

  /** Refuses options that contradict the lab already in the folder. */
  private checkCompatible(state: LabState): void {
    const o = this.opts;
    const diffs: string[] = [];
    const l = state.layout;
    if (o.patroni && o.patroni !== l.patroni) diffs.push(`Patroni ${l.patroni} (asked: ${o.patroni})`);
    if (o.etcd && o.etcd !== state.etcd) diffs.push(`etcd ${state.etcd} (asked: ${o.etcd})`);
    if (o.topology && o.topology !== state.topology)
      diffs.push(`topology ${state.topology} (asked: ${o.topology})`);
    if (o.profile && o.profile !== l.profile) diffs.push(`profile ${l.profile} (asked: ${o.profile})`);
    if (o.sync !== undefined && o.sync !== l.sync) diffs.push(`synchronous mode ${l.sync ? 'on' : 'off'}`);
    if (o.hosts && o.hosts.join() !== l.hosts.join()) diffs.push(`hosts ${l.hosts.join(', ')}`);
    if (o.scope && o.scope !== l.scope) diffs.push(`scope ${l.scope}`);
    if (diffs.length > 0) {
      throw new PatroniKitError(
        'CONFLICT',
        `a lab with other settings already exists in ${this.dir}: ${diffs.join('; ')}`,
        {
          hint: 'remove it with `patroni-kit lab down --purge`, or use another folder with --dir',
        },
      );
    }
  }

  /** Every address the lab will listen on, labelled for error messages. */
  private listenAddresses(
    state: Pick<LabState, 'layout' | 'topology'>,
  ): Array<{ host: string; port: number; what: string; part: string }> {
    const { layout } = state;
    const out: Array<{ host: string; port: number; what: string; part: string }> = [
      { host: layout.haproxyHost, port: layout.ports.writer, what: 'HAProxy writer', part: 'haproxy' },
      { host: layout.haproxyHost, port: layout.ports.reader, what: 'HAProxy reader', part: 'haproxy' },
      { host: layout.haproxyHost, port: layout.ports.stats, what: 'HAProxy stats', part: 'haproxy' },
    ];
    if (state.topology === 'loopback') {
      layout.hosts.forEach((host, i) => {
        const e = layout.etcdNames[i]!;
        const n = layout.nodeNames[i]!;
        out.push(
          { host, port: layout.ports.etcdClient, what: `etcd ${e} client`, part: e },
          { host, port: layout.ports.etcdPeer, what: `etcd ${e} peer`, part: e },
          { host, port: layout.ports.postgres, what: `PostgreSQL ${n}`, part: n },
          { host, port: layout.ports.rest, what: `Patroni ${n} REST API`, part: n },
        );
      });
    }
    return out;
  }

  /** Fails before anything starts when another program holds one of the addresses a stopped part needs. */
  private async checkPorts(state: Pick<LabState, 'layout' | 'topology'>, parts: Set<string>): Promise<void> {
    const taken: string[] = [];
    for (const a of this.listenAddresses(state)) {
      if (!parts.has(a.part)) continue;
      if (!(await isPortFree(a.host, a.port))) {
        const owner = await portOwner(a.host, a.port);
        taken.push(`${a.host}:${a.port} (${a.what})${owner ? ` is used by ${owner}` : ' is in use'}`);
      }
    }
    if (taken.length > 0) {
      throw new PatroniKitError('CONFLICT', `cannot start the lab: ${taken.join('; ')}`, {
        hint: 'stop that program, or give the lab other addresses or ports (--net, --hosts, --writer-port, --reader-port, --stats-port)',
      });
    }
  }

  private createFiles(state: LabState): void {
    const { layout } = state;
    mkdirSync(join(this.dir, 'logs'), { recursive: true, mode: 0o755 });
    mkdirSync(join(this.dir, 'etcd'), { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o755);
    const creds: LabCredentials = {
      superuser: { username: 'postgres', password: password() },
      replication: { username: 'replicator', password: password() },
      rewind: { username: 'rewind_user', password: password() },
      restapi: { username: 'patroni', password: password() },
    };
    writeFileSync(join(this.dir, 'credentials.json'), `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
    writeFileSync(join(this.dir, 'patronictl.yml'), renderCtlConfig(layout, creds), { mode: 0o600 });
    writeFileSync(join(this.dir, 'haproxy.cfg'), renderHaproxyConfig(layout), { mode: 0o644 });
    // A pgpass file lets people run psql against the lab without a password on the command line.
    const pgpassLines = [layout.haproxyHost, ...layout.hosts].map(
      (h) => `${h}:*:*:${creds.superuser.username}:${creds.superuser.password}`,
    );
    writeFileSync(join(this.dir, 'pgpass'), `${pgpassLines.join('\n')}\n`, { mode: 0o600 });
    const owner = state.runAs ? lookupUser(state.runAs) : undefined;
    for (let i = 0; i < 3; i++) {
      const p = nodePaths(layout, i);
      mkdirSync(p.run, { recursive: true, mode: 0o750 });
      chmodSync(p.base, 0o750);
      writeFileSync(p.config, renderPatroniConfig(layout, i, creds), { mode: 0o600 });
      if (owner) for (const path of [p.base, p.run, p.config]) chownSync(path, owner.uid, owner.gid);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Starting parts

  private async startEtcd(state: LabState, i: number): Promise<void> {
    const { layout } = state;
    const name = layout.etcdNames[i]!;
    const host = layout.hosts[i]!;
    const paths = etcdPaths(layout, i);
    const peers = layout.hosts
      .map((h, j) => `${layout.etcdNames[j]}=http://${h}:${layout.ports.etcdPeer}`)
      .join(',');
    const rec = await startDetached({
      command: state.binaries.etcd,
      args: [
        '--name',
        name,
        '--data-dir',
        paths.data,
        '--listen-client-urls',
        `http://${host}:${layout.ports.etcdClient}`,
        '--advertise-client-urls',
        `http://${host}:${layout.ports.etcdClient}`,
        '--listen-peer-urls',
        `http://${host}:${layout.ports.etcdPeer}`,
        '--initial-advertise-peer-urls',
        `http://${host}:${layout.ports.etcdPeer}`,
        '--initial-cluster',
        peers,
        '--initial-cluster-state',
        'new',
        '--initial-cluster-token',
        state.clusterToken,
        '--heartbeat-interval',
        '100',
        '--election-timeout',
        '1000',
      ],
      log: paths.log,
      marker: paths.data,
      ...(state.netns ? { netns: state.netns.namespaces[i]! } : {}),
    });
    state.processes.etcd[name] = rec;
  }

  private async startPatroni(state: LabState, i: number): Promise<void> {
    const { layout } = state;
    const name = layout.nodeNames[i]!;
    const p = nodePaths(layout, i);
    // A postmaster left behind by a killed run would block the new one; it is ours (it serves our data dir).
    const stale = postmasterRecord(p.data);
    if (stale) {
      this.progress(`${name}: stopping a PostgreSQL left running without Patroni (pid ${stale.pid})`);
      await stopProcess(stale, 15_000);
    }
    const launcher = state.binaries.patroni;
    const rec = await startDetached({
      command: launcher.command,
      args: [...launcher.args, p.config],
      env: launcher.env,
      log: p.log,
      marker: p.config,
      ...(state.runAs ? { runAs: state.runAs } : {}),
      ...(state.netns ? { netns: state.netns.namespaces[i]! } : {}),
    });
    state.processes.patroni[name] = rec;
  }

  private async startHaproxy(state: LabState): Promise<void> {
    const cfg = join(this.dir, 'haproxy.cfg');
    try {
      await runForOutput(state.binaries.haproxy, ['-c', '-q', '-f', cfg]);
    } catch (err) {
      throw new PatroniKitError('LAB', `HAProxy rejects ${cfg}`, { cause: err });
    }
    state.processes.haproxy = await startDetached({
      command: state.binaries.haproxy,
      args: ['-db', '-f', cfg],
      log: join(this.dir, 'logs/haproxy.log'),
      marker: cfg,
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Readiness

  private etcdUrl(state: LabState, i: number): string {
    return `http://${state.layout.hosts[i]}:${state.layout.ports.etcdClient}`;
  }

  private restUrl(state: LabState, i: number): string {
    return `http://${state.layout.hosts[i]}:${state.layout.ports.rest}`;
  }

  private async etcdHealthy(state: LabState, i: number, signal?: AbortSignal): Promise<boolean> {
    const res = await tryHttpJson(`${this.etcdUrl(state, i)}/health`, 2000, signal);
    const health = (res?.body as { health?: unknown } | null)?.health;
    return health === 'true' || health === true;
  }

  private failedPart(what: string, part: string, log: string, err: unknown): PatroniKitError {
    const reason = err instanceof Error ? err.message : String(err);
    return new PatroniKitError(
      'LAB',
      `${what} did not come up: ${reason}\n--- last lines of ${log} ---\n${tailLog(log)}`,
      {
        hint: `see ${log}; \`patroni-kit lab down\` stops what was started${part ? ` (part: ${part})` : ''}`,
        cause: err,
      },
    );
  }

  private async waitEtcd(state: LabState, signal?: AbortSignal): Promise<void> {
    const started = Date.now();
    try {
      await waitFor(
        'etcd: 3 healthy members',
        async () => {
          const ok = await Promise.all([0, 1, 2].map((i) => this.etcdHealthy(state, i, signal)));
          for (let i = 0; i < 3; i++) {
            if (!ok[i] && !isRunning(state.processes.etcd[state.layout.etcdNames[i]!])) {
              throw new PatroniKitError('LAB', `etcd member ${state.layout.etcdNames[i]} exited`);
            }
          }
          return ok.every(Boolean) ? true : undefined;
        },
        { timeoutMs: PHASE.etcd, intervalMs: 200, ...(signal ? { signal } : {}) },
      );
    } catch (err) {
      const bad = [0, 1, 2].find((i) => !isRunning(state.processes.etcd[state.layout.etcdNames[i]!])) ?? 0;
      throw this.failedPart('etcd', state.layout.etcdNames[bad]!, etcdPaths(state.layout, bad).log, err);
    }
    this.progress(`etcd: 3 of 3 members healthy (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }

  /** GET /patroni of every member (undefined where unreachable). */
  private async memberViews(
    state: LabState,
    signal?: AbortSignal,
  ): Promise<Array<Record<string, unknown> | undefined>> {
    return Promise.all(
      [0, 1, 2].map(async (i) => {
        const res = await tryHttpJson(`${this.restUrl(state, i)}/patroni`, 2000, signal);
        return res && typeof res.body === 'object' && res.body !== null
          ? (res.body as Record<string, unknown>)
          : undefined;
      }),
    );
  }

  private async waitLeader(state: LabState, signal?: AbortSignal, quiet = false): Promise<number> {
    const started = Date.now();
    let leaderIndex = -1;
    try {
      leaderIndex = await waitFor(
        'a Patroni leader',
        async () => {
          this.checkPatroniAlive(state);
          const views = await this.memberViews(state, signal);
          const idx = views.findIndex((v) => v && isLeader(v.role) && v.state === 'running');
          return idx >= 0 ? idx : undefined;
        },
        { timeoutMs: PHASE.leader, intervalMs: 300, ...(signal ? { signal } : {}) },
      );
    } catch (err) {
      throw this.failedPart('Patroni leader election', 'n1', nodePaths(state.layout, 0).log, err);
    }
    if (!quiet) {
      const took = ((Date.now() - started) / 1000).toFixed(1);
      this.progress(`patroni: ${state.layout.nodeNames[leaderIndex]} holds the leader lock (${took} s)`);
    }
    return leaderIndex;
  }

  private async waitLeaderAndReplicas(
    state: LabState,
    signal?: AbortSignal,
    leaderKnown = false,
  ): Promise<number> {
    const leaderIndex = await this.waitLeader(state, signal, leaderKnown);
    const started = Date.now();
    const opt = signal ? { signal } : {};
    // A member whose log shows a cause that waiting does not cure (diverged timeline, failed rewind, WAL gone)
    // for STUCK_MS ends the wait early; the grace covers Patroni's own rewind after the first error.
    const firstSeen = new Map<string, number>();
    let lastDiagnosis = 0;
    let stuck: StreamDiagnosis[] | undefined;
    try {
      await waitFor(
        state.layout.sync
          ? 'both replicas streaming with zero lag and a synchronous standby in the DCS'
          : 'both replicas streaming with zero lag',
        async () => {
          this.checkPatroniAlive(state);
          if (Date.now() - lastDiagnosis >= 5000) {
            lastDiagnosis = Date.now();
            const found = await this.diagnoseReplicas(state, leaderIndex, signal).catch(() => []);
            const hopeless = found.filter((d) => HOPELESS.has(d.cause));
            for (const name of [...firstSeen.keys()])
              if (!hopeless.some((d) => d.member === name)) firstSeen.delete(name);
            for (const d of hopeless) if (!firstSeen.has(d.member)) firstSeen.set(d.member, Date.now());
            if (hopeless.some((d) => Date.now() - firstSeen.get(d.member)! >= STUCK_MS)) {
              stuck = found;
              throw new PatroniKitError('LAB', 'replicas cannot stream');
            }
          }
          const leader = await tryHttpJson(`${this.restUrl(state, leaderIndex)}/patroni`, 2000, signal);
          const replication =
            (leader?.body as { replication?: Array<{ state?: string; application_name?: string }> } | null)
              ?.replication ?? [];
          const streaming = replication.filter((r) => r.state === 'streaming').length;
          if (streaming < 2) return undefined;
          // Lag from each member's own xlog positions: /cluster's lag comes from DCS keys that replicas
          // refresh only once per loop_wait, which would add up to 10 s to every start.
          const views = await this.memberViews(state, signal);
          const xlog = (v: Record<string, unknown> | undefined) =>
            (v?.xlog ?? {}) as { location?: number; replayed_location?: number };
          const leaderLsn = xlog(views[leaderIndex]).location;
          if (typeof leaderLsn !== 'number') return undefined;
          const replicas = views.filter((_, i) => i !== leaderIndex);
          // Patroni says `starting` for a moment after a rewind even though PostgreSQL already streams;
          // `up` returns only when every member also reports `running`, as health will expect.
          if (!views.every((v) => v?.state === 'running')) return undefined;
          // In synchronous mode a leader lost before Patroni records a sync standby in the DCS leaves the
          // cluster without a failover candidate: healthy means the `sync` key names one.
          if (state.layout.sync) {
            const sync = await this.dcsKey(state, 'sync', signal);
            const standby = (() => {
              try {
                return (JSON.parse(sync ?? '{}') as { sync_standby?: unknown }).sync_standby;
              } catch {
                return undefined;
              }
            })();
            if (typeof standby !== 'string' || standby === '') return undefined;
          }
          return replicas.every((v) => (xlog(v).replayed_location ?? -1) >= leaderLsn) ? true : undefined;
        },
        { timeoutMs: PHASE.replicas, intervalMs: 300, ...opt },
      );
    } catch (err) {
      if (isPatroniKitError(err, 'ABORTED')) throw err;
      if (isPatroniKitError(err, 'LAB') && !stuck) throw err;
      const found = stuck ?? (await this.diagnoseReplicas(state, leaderIndex, signal).catch(() => []));
      if (found.length === 0) {
        const other = leaderIndex === 0 ? 1 : 0;
        throw this.failedPart(
          'replica streaming',
          state.layout.nodeNames[other]!,
          nodePaths(state.layout, other).log,
          err,
        );
      }
      const fixes = [...new Set(found.map((d) => d.fix).filter((f): f is string => Boolean(f)))];
      throw new PatroniKitError(
        'LAB',
        `the lab has a leader (${state.layout.nodeNames[leaderIndex]}) but ${found
          .map((d) => d.member)
          .join(' and ')} cannot stream${
          stuck ? ` (unchanged for ${STUCK_MS / 1000} s)` : `: ${(err as Error).message}`
        }\n${found.map((d) => `  - ${d.message}`).join('\n')}`,
        {
          hint: `${fixes.length ? `fix: ${fixes.join('; ')}; ` : ''}logs in ${join(this.dir, 'logs')}`,
          cause: err,
        },
      );
    }
    this.progress(`patroni: 2 replicas streaming, lag 0 (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return leaderIndex;
  }

  /** Explains each replica that does not stream from the leader (its log, its timeline, the DCS history). */
  private async diagnoseReplicas(
    state: LabState,
    leaderIndex: number,
    signal?: AbortSignal,
  ): Promise<StreamDiagnosis[]> {
    const { layout } = state;
    const views = await this.memberViews(state, signal);
    const leaderView = views[leaderIndex];
    const replication =
      (leaderView?.replication as Array<{ state?: string; application_name?: string }> | undefined) ?? [];
    const streaming = new Set(
      replication.filter((r) => r.state === 'streaming').map((r) => r.application_name),
    );
    // The leader's own history file when it has one (see parseHistoryFile), else the DCS key.
    const leaderTl = typeof leaderView?.timeline === 'number' ? leaderView.timeline : undefined;
    const own =
      leaderTl !== undefined && leaderTl > 1
        ? parseHistoryFile(
            readText(
              join(
                nodePaths(layout, leaderIndex).data,
                'pg_wal',
                `${leaderTl.toString(16).toUpperCase().padStart(8, '0')}.history`,
              ),
            ),
          )
        : [];
    const history = own.length > 0 ? own : await this.dcsHistory(state, signal);
    const out: StreamDiagnosis[] = [];
    for (let i = 0; i < 3; i++) {
      const name = layout.nodeNames[i]!;
      if (i === leaderIndex || streaming.has(name)) continue;
      const v = views[i];
      out.push(
        diagnoseStreaming({
          member: name,
          log: logSince(nodePaths(layout, i).log, this.logMarks[i] ?? 0),
          running: isRunning(state.processes.patroni[name]),
          ...(typeof v?.state === 'string' ? { state: v.state } : {}),
          ...(typeof v?.timeline === 'number' ? { timeline: v.timeline } : {}),
          leader: layout.nodeNames[leaderIndex]!,
          ...(leaderTl !== undefined ? { leaderTimeline: leaderTl } : {}),
          history,
          reinit: `patroni-kit reinit ${layout.scope} ${name} -c ${join(this.dir, 'patronictl.yml')} --force --wait`,
        }),
      );
    }
    return out;
  }

  private checkPatroniAlive(state: LabState): void {
    for (let i = 0; i < 3; i++) {
      const rec = state.processes.patroni[state.layout.nodeNames[i]!];
      // Nodes not started yet (a fresh lab starts n1 alone first) have no record.
      if (rec && !isRunning(rec)) {
        throw new PatroniKitError('LAB', `Patroni ${state.layout.nodeNames[i]} exited`);
      }
    }
  }

  private superuserTarget(state: LabState, port: number) {
    const c = this.credentials();
    return {
      host: state.layout.haproxyHost,
      port,
      user: c.superuser.username,
      password: c.superuser.password,
    };
  }

  private async waitHaproxy(state: LabState, leaderHost: string, signal?: AbortSignal): Promise<void> {
    const started = Date.now();
    const opt = signal ? { signal } : {};
    try {
      await waitFor(
        'HAProxy routing 5000 to the leader and 5001 to a replica',
        async () => {
          if (!isRunning(state.processes.haproxy)) throw new PatroniKitError('LAB', 'HAProxy exited');
          const [w] = await sql<{ r: boolean; a: string }>(
            this.superuserTarget(state, state.layout.ports.writer),
            'select pg_is_in_recovery() as r, host(inet_server_addr()) as a',
            [],
            2000,
          );
          if (!w || w.r || w.a !== leaderHost) return undefined;
          const [r] = await sql<{ r: boolean }>(
            this.superuserTarget(state, state.layout.ports.reader),
            'select pg_is_in_recovery() as r',
            [],
            2000,
          );
          return r?.r === true ? true : undefined;
        },
        { timeoutMs: PHASE.haproxy, intervalMs: 300, ...opt },
      );
    } catch (err) {
      throw this.failedPart('HAProxy', 'haproxy', join(this.dir, 'logs/haproxy.log'), err);
    }
    this.progress(
      `haproxy: ${state.layout.ports.writer} → leader, ${state.layout.ports.reader} → replica (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
  }

  private lastOrderReason = '';
  /** Size of each node's log when this `up` started its Patroni: diagnoses read only what came after. */
  private logMarks: number[] = [];

  /** pg_controldata of a node's data directory, or undefined when it cannot be read. */
  private async controlData(state: LabState, i: number): Promise<ControlData | undefined> {
    try {
      const out = await runForOutput(
        join(state.layout.pgBinDir, 'pg_controldata'),
        [nodePaths(state.layout, i).data],
        { LC_ALL: 'C' },
        10_000,
      );
      return parseControlData(out);
    } catch {
      return undefined;
    }
  }

  /** Reads one key of the cluster from etcd's JSON gateway (undefined when absent or unreadable). */
  private async dcsKey(state: LabState, key: string, signal?: AbortSignal): Promise<string | undefined> {
    const full = `${state.layout.namespace.replace(/\/?$/, '/')}${state.layout.scope}/${key}`;
    for (let i = 0; i < 3; i++) {
      try {
        const res = await httpJson(`${this.etcdUrl(state, i)}/v3/kv/range`, {
          method: 'POST',
          body: JSON.stringify({ key: Buffer.from(full).toString('base64') }),
          timeoutMs: 2000,
          ...(signal ? { signal } : {}),
        });
        const kvs = (res.body as { kvs?: Array<{ value?: string }> } | null)?.kvs;
        if (res.status !== 200) continue;
        const v = kvs?.[0]?.value;
        return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
      } catch {
        // next member
      }
    }
    return undefined;
  }

  /** The DCS `history` key as switch points (timeline T ended at lsn), oldest first. */
  private async dcsHistory(state: LabState, signal?: AbortSignal): Promise<HistoryLine[]> {
    const raw = await this.dcsKey(state, 'history', signal);
    try {
      const rows = JSON.parse(raw ?? '[]') as unknown[];
      return rows
        .filter(
          (r): r is unknown[] => Array.isArray(r) && typeof r[0] === 'number' && typeof r[1] === 'number',
        )
        .map((r) => ({
          timeline: r[0] as number,
          lsn: r[1] as number,
          ...(typeof r[4] === 'string' ? { newLeader: r[4] } : {}),
        }));
    } catch {
      return [];
    }
  }

  /**
   * A new leader records its timeline in the DCS `history` key one HA loop after it promoted. Stopped
   * before that, the DCS still shows the old timeline and `check_timeline` cannot stop the crashed
   * ex-leader from winning the next start, so `down` waits (bounded) for the key to catch up.
   */
  private async waitHistoryCaughtUp(state: LabState, leaderIndex: number): Promise<void> {
    const t = timing(state.layout.profile, state.layout.patroni);
    const timeoutMs = (3 * t.loop_wait + 5) * 1000;
    try {
      await waitFor(
        'the DCS history to record the leader timeline',
        async () => {
          const res = await tryHttpJson(`${this.restUrl(state, leaderIndex)}/patroni`, 2000);
          const tl = (res?.body as { timeline?: unknown } | null)?.timeline;
          if (typeof tl !== 'number') return true; // nothing to compare with: do not hold `down` up
          return clusterTimeline(await this.dcsHistory(state)) >= tl ? true : undefined;
        },
        { timeoutMs, intervalMs: 300 },
      );
    } catch {
      this.progress(
        `warning: the DCS history still lags the leader's timeline; the next \`lab up\` starts the newest member first anyway`,
      );
    }
  }

  /** Which stopped node starts first after a full stop (see {@link firstToStart}). */
  private async restartOrder(state: LabState, signal?: AbortSignal): Promise<number | undefined> {
    const { layout } = state;
    const candidates: RestartCandidate[] = [];
    for (let i = 0; i < 3; i++) {
      const control = await this.controlData(state, i);
      candidates.push({ index: i, name: layout.nodeNames[i]!, ...(control ? { control } : {}) });
    }
    const history = await this.dcsHistory(state, signal);
    const lastPromoted = history.at(-1)?.newLeader;
    const first = firstToStart(candidates, lastPromoted);
    if (first === undefined) return undefined;
    this.lastOrderReason = candidates
      .map((c) =>
        c.control
          ? `${c.name}: timeline ${c.control.timeline}, ${c.control.state}, checkpoint ${formatLsn(c.control.checkpointLsn)}`
          : `${c.name}: no pg_controldata`,
      )
      .join('; ');
    return first;
  }

  /** Waits until node `i` holds the leader lock and runs as primary; false after PHASE.firstLeader. */
  private async waitLeaderOf(state: LabState, i: number, signal?: AbortSignal): Promise<boolean> {
    try {
      await waitFor(
        `${state.layout.nodeNames[i]} to take the leader lock`,
        async () => {
          const name = state.layout.nodeNames[i]!;
          if (!isRunning(state.processes.patroni[name]))
            throw new PatroniKitError('LAB', `Patroni ${name} exited`);
          const res = await tryHttpJson(`${this.restUrl(state, i)}/patroni`, 2000, signal);
          const v = res?.body as { role?: unknown; state?: unknown } | null;
          return v && isLeader(v.role) && v.state === 'running' ? true : undefined;
        },
        { timeoutMs: PHASE.firstLeader, intervalMs: 300, ...(signal ? { signal } : {}) },
      );
      return true;
    } catch (err) {
      if (isPatroniKitError(err, 'ABORTED', 'LAB')) throw err;
      return false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Public operations

  /** Starts whatever is not running and waits until the cluster is healthy; safe to call again. */
  async up(signal?: AbortSignal): Promise<LabStatus> {
    const t0 = Date.now();
    let state: LabState;
    if (this.exists()) {
      state = this.loadState();
      this.checkCompatible(state);
      this.progress(`lab: using the existing lab in ${this.dir}`);
    } else {
      const plan = this.plan();
      const isRoot = process.getuid?.() === 0;
      // Check the addresses before creating anything, so a refusal leaves no trace.
      if (plan.topology === 'loopback')
        await this.checkPorts(
          { layout: plan.layout, topology: plan.topology },
          new Set(['haproxy', 'e1', 'e2', 'e3', 'n1', 'n2', 'n3']),
        );
      else await this.checkPorts({ layout: plan.layout, topology: plan.topology }, new Set(['haproxy']));
      if (plan.topology === 'netns' && !isRoot) {
        throw new PatroniKitError(
          'USAGE',
          'the netns topology needs root (it creates network namespaces and a bridge)',
          {
            hint: 'run as root, or use the default loopback topology (no --netns)',
          },
        );
      }
      const binaries = resolveBinaries(plan.layout.patroni, plan.etcd, this.opts.binaries ?? {});
      requireTools([
        ...(isRoot ? [['setpriv', 'util-linux', 'to run PostgreSQL as the postgres user'] as const] : []),
        ...(plan.topology === 'netns'
          ? [
              ['ip', 'iproute2', 'for network namespaces'] as const,
              ['iptables', 'iptables', 'for partitions'] as const,
            ]
          : []),
      ]);
      if (isRoot) {
        lookupUser('postgres'); // throws a PREREQUISITE error when missing
        checkTraversable(this.dir, 'postgres');
      }
      plan.layout.pgBinDir = binaries.pgBinDir;
      const versions = await probeVersions(binaries);
      state = {
        stateVersion: STATE_VERSION,
        layout: plan.layout,
        etcd: plan.etcd,
        topology: plan.topology,
        ...(plan.netns ? { netns: plan.netns } : {}),
        binaries,
        versions,
        ...(isRoot ? { runAs: 'postgres' } : {}),
        clusterToken: `patroni-kit-${randomBytes(6).toString('hex')}`,
        processes: { etcd: {}, patroni: {} },
      };
      mkdirSync(this.dir, { recursive: true, mode: 0o755 });
      this.createFiles(state);
      this.saveState(state);
      this.progress(
        `lab: new cluster '${state.layout.scope}' in ${this.dir}: Patroni ${versions.patroni}, etcd ${versions.etcd}, PostgreSQL ${versions.postgres}, HAProxy ${versions.haproxy}, ${state.topology} topology, ${state.layout.profile} timing`,
      );
    }
    for (const w of this.warnings(state)) this.progress(`warning: ${w}`);
    if (state.netns) {
      await createNetwork(state.netns);
      for (const ns of state.netns.namespaces) await heal(ns);
    }

    const { layout } = state;
    const stoppedParts = new Set<string>();
    for (const n of layout.etcdNames) if (!isRunning(state.processes.etcd[n])) stoppedParts.add(n);
    for (const n of layout.nodeNames) if (!isRunning(state.processes.patroni[n])) stoppedParts.add(n);
    if (!isRunning(state.processes.haproxy)) stoppedParts.add('haproxy');
    await this.checkPorts(state, stoppedParts);

    const etcdToStart = [0, 1, 2].filter((i) => stoppedParts.has(layout.etcdNames[i]!));
    if (etcdToStart.length > 0) {
      this.progress(`etcd: starting ${etcdToStart.map((i) => layout.etcdNames[i]).join(', ')}`);
      for (const i of etcdToStart) await this.startEtcd(state, i);
      this.saveState(state);
    }
    await this.waitEtcd(state, signal);

    const nodesToStart = [0, 1, 2].filter((i) => stoppedParts.has(layout.nodeNames[i]!));
    this.logMarks = [0, 1, 2].map((i) => fileSize(nodePaths(layout, i).log));
    const fresh = [0, 1, 2].every((i) => !existsSync(nodePaths(layout, i).data));
    if (fresh) {
      // Bootstrap n1 alone first: replicas that lose the race for the initialize key wait a whole
      // loop_wait before they clone, while replicas started after the leader exists clone at once.
      this.progress(`patroni: bootstrapping ${layout.nodeNames[0]}`);
      await this.startPatroni(state, 0);
      this.saveState(state);
      await this.waitLeader(state, signal);
      nodesToStart.splice(0, nodesToStart.length, 1, 2);
    }
    if (!fresh && nodesToStart.length === 3) {
      // A full restart: the member with the newest timeline starts alone and takes the leader lock, so a
      // crashed ex-leader on an older timeline (whose WAL position can be higher) never races alone.
      const first = await this.restartOrder(state, signal);
      if (first !== undefined) {
        this.progress(`patroni: starting ${layout.nodeNames[first]} first (${this.lastOrderReason})`);
        await this.startPatroni(state, first);
        this.saveState(state);
        const led = await this.waitLeaderOf(state, first, signal);
        if (!led)
          this.progress(
            `patroni: ${layout.nodeNames[first]} did not take the leader lock within ${PHASE.firstLeader / 1000} s; starting the others`,
          );
        nodesToStart.splice(nodesToStart.indexOf(first), 1);
      }
    }
    if (nodesToStart.length > 0) {
      this.progress(`patroni: starting ${nodesToStart.map((i) => layout.nodeNames[i]).join(', ')}`);
      for (const i of nodesToStart) await this.startPatroni(state, i);
      this.saveState(state);
    }
    // HAProxy needs only its config; its checks find the leader whenever it is ready.
    if (stoppedParts.has('haproxy')) {
      this.progress('haproxy: starting');
      await this.startHaproxy(state);
      this.saveState(state);
    }
    const leaderIndex = await this.waitLeaderAndReplicas(state, signal, fresh);

    await this.waitHaproxy(state, layout.hosts[leaderIndex]!, signal);
    this.progress(`lab: healthy in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return this.status(signal);
  }

  private warnings(state: LabState): string[] {
    const out: string[] = [];
    if (
      state.versions.patroni.startsWith('3.0.') &&
      ['3.0.0', '3.0.1', '3.0.2'].includes(state.versions.patroni)
    ) {
      out.push(
        `Patroni ${state.versions.patroni} with etcd3 has a known bug: a healed old leader can overwrite the leader key and acknowledged writes are lost (fixed in 3.0.3). Use the default Patroni 4.0.7 for partition tests.`,
      );
    }
    return out;
  }

  /** The cluster as it is now: members with roles from their own REST API, endpoints, files. */
  async status(signal?: AbortSignal): Promise<LabStatus> {
    const state = this.loadState();
    const { layout } = state;
    const views = await this.memberViews(state, signal);
    const clusterView = await (async () => {
      for (let i = 0; i < 3; i++) {
        const res = await tryHttpJson(`${this.restUrl(state, i)}/cluster`, 2000, signal);
        if (res?.status === 200) return res.body as { members?: Array<{ name?: string; role?: string }> };
      }
      return undefined;
    })();
    const etcdHealth = await Promise.all([0, 1, 2].map((i) => this.etcdHealthy(state, i, signal)));
    const partitioned = state.netns
      ? await Promise.all(state.netns.namespaces.map((ns) => isPartitioned(ns)))
      : [false, false, false];
    const members: LabMemberStatus[] = layout.nodeNames.map((name, i) => {
      const v = views[i];
      const patroniRunning = isRunning(state.processes.patroni[name]);
      const pgRunning = postmasterRecord(nodePaths(layout, i).data) !== undefined;
      const clusterRole = clusterView?.members?.find((m) => m.name === name)?.role;
      let role = 'unknown';
      if (v) role = isLeader(v.role) ? 'leader' : clusterRole === 'sync_standby' ? 'sync_standby' : 'replica';
      const state_ = v ? String(v.state ?? 'unknown') : patroniRunning ? 'unreachable' : 'stopped';
      const m: LabMemberStatus = {
        name,
        host: layout.hosts[i]!,
        role,
        state: state_,
        restUrl: this.restUrl(state, i),
        postgres: { host: layout.hosts[i]!, port: layout.ports.postgres },
        etcd: {
          name: layout.etcdNames[i]!,
          clientUrl: this.etcdUrl(state, i),
          healthy: etcdHealth[i] ?? false,
          running: isRunning(state.processes.etcd[layout.etcdNames[i]!]),
        },
        running: { patroni: patroniRunning, postgres: pgRunning },
        versions: {
          ...(v?.patroni && typeof v.patroni === 'object'
            ? { patroni: String((v.patroni as { version?: unknown }).version) }
            : {}),
          ...(typeof v?.server_version === 'number' ? { postgres: formatPgVersion(v.server_version) } : {}),
        },
      };
      if (typeof v?.timeline === 'number') m.timeline = v.timeline;
      if (typeof v?.replication_state === 'string') m.replicationState = v.replication_state;
      if (state.netns) m.partitioned = partitioned[i] ?? false;
      return m;
    });
    const running =
      layout.etcdNames.some((n) => isRunning(state.processes.etcd[n])) ||
      layout.nodeNames.some((n) => isRunning(state.processes.patroni[n])) ||
      isRunning(state.processes.haproxy);
    const su = 'postgres';
    return {
      scope: layout.scope,
      namespace: layout.namespace,
      dir: this.dir,
      topology: state.topology,
      profile: layout.profile,
      sync: layout.sync,
      running,
      versions: state.versions,
      members,
      leader: members.find((m) => m.role === 'leader')?.name ?? null,
      etcdEndpoints: layout.hosts.map((_, i) => this.etcdUrl(state, i)),
      restUrls: layout.hosts.map((_, i) => this.restUrl(state, i)),
      writerUri: `postgresql://${su}@${layout.haproxyHost}:${layout.ports.writer}/postgres`,
      readerUri: `postgresql://${su}@${layout.haproxyHost}:${layout.ports.reader}/postgres`,
      statsUrl: `http://${layout.haproxyHost}:${layout.ports.stats}/`,
      credentialsFile: join(this.dir, 'credentials.json'),
      pgpassFile: join(this.dir, 'pgpass'),
      ctlConfig: join(this.dir, 'patronictl.yml'),
      warnings: this.warnings(state),
    };
  }

  /** Stops everything the lab started (by PID); with `purge` also deletes the state folder. */
  async down(opts: { purge?: boolean } = {}): Promise<{ stopped: string[]; purged: boolean }> {
    const stopped: string[] = [];
    if (!this.exists()) {
      if (opts.purge && existsSync(this.dir)) {
        rmSync(this.dir, { recursive: true, force: true });
        return { stopped, purged: true };
      }
      return { stopped, purged: false };
    }
    let state: LabState | undefined;
    try {
      state = this.loadState();
    } catch (err) {
      // Without a readable lab.json the PIDs are unknown: find our programs by the folder they run from.
      this.progress(`lab: ${(err as Error).message}; stopping the programs that run from ${this.dir}`);
      stopped.push(...(await this.stopStrays()));
    }
    if (state) {
      const { layout, processes } = state;
      if (isRunning(processes.haproxy)) {
        await stopProcess(processes.haproxy, 5000);
        stopped.push('haproxy');
      }
      const runningNodes = layout.nodeNames.filter((n) => isRunning(processes.patroni[n]));
      if (runningNodes.length > 0) {
        // Replicas first, the leader last: stopped together, a replica can win the race the leader's
        // shutdown opens and promote to a timeline the others never see; this way the leader keeps the
        // newest WAL and the next `up` starts it first.
        const views = await this.memberViews(state).catch(() => []);
        const leaderIndex = views.findIndex((v) => isLeader(v?.role));
        const leader = leaderIndex >= 0 ? layout.nodeNames[leaderIndex] : undefined;
        if (leaderIndex >= 0) await this.waitHistoryCaughtUp(state, leaderIndex);
        const waves = [runningNodes.filter((n) => n !== leader), runningNodes.filter((n) => n === leader)];
        for (const wave of waves) {
          if (wave.length === 0) continue;
          this.progress(`patroni: stopping ${wave.join(', ')} (Patroni stops PostgreSQL)`);
          await Promise.all(
            wave.map(async (name) => {
              await stopProcess(processes.patroni[name], PHASE.stop);
              stopped.push(name);
            }),
          );
        }
      }
      // PostgreSQL left behind (Patroni SIGKILLed, or stuck): fast shutdown, then SIGKILL.
      for (let i = 0; i < 3; i++) {
        const pm = postmasterRecord(nodePaths(layout, i).data);
        if (pm) {
          signalProcess(pm, 'SIGINT');
          if (!(await waitForExit(pm, 15_000))) signalProcess(pm, 'SIGKILL');
          await waitForExit(pm, 5000);
          stopped.push(`postgres ${layout.nodeNames[i]}`);
        }
      }
      for (const name of layout.etcdNames) {
        if (isRunning(processes.etcd[name])) {
          await stopProcess(processes.etcd[name], 10_000);
          stopped.push(name);
        }
      }
      if (state.netns) await deleteNetwork(state.netns);
    }
    if (opts.purge) rmSync(this.dir, { recursive: true, force: true });
    return { stopped, purged: Boolean(opts.purge) };
  }

  /** Ends every process that runs from the lab folder: Patroni and HAProxy first, PostgreSQL, then etcd. */
  private async stopStrays(): Promise<string[]> {
    // Only the programs the lab starts: a user's `tail -f` on a lab log is not ours to end.
    const describe = (rec: ProcessRecord) => {
      const head = readCmdline(rec.pid).split(' ').slice(0, 3).join(' ');
      if (/(^|\/)(postgres|postmaster) /.test(head)) return 'postgres';
      if (/(^|\/)etcd /.test(head)) return 'etcd';
      if (/(^|\/)haproxy |patroni/.test(head)) return 'other';
      return 'foreign';
    };
    const stopped: string[] = [];
    for (const kind of ['other', 'postgres', 'etcd'] as const) {
      const recs = processesUnder(this.dir).filter((r) => describe(r) === kind);
      await Promise.all(
        recs.map(async (rec) => {
          const cmd = readCmdline(rec.pid).trim();
          if (kind === 'postgres') {
            signalProcess(rec, 'SIGINT'); // fast shutdown, like pg_ctl -m fast
            if (!(await waitForExit(rec, 15_000))) signalProcess(rec, 'SIGKILL');
            await waitForExit(rec, 5000);
          } else {
            await stopProcess(rec, PHASE.stop);
          }
          stopped.push(`pid ${rec.pid} (${cmd.slice(0, 60)})`);
        }),
      );
    }
    return stopped;
  }

  private memberIndex(
    state: LabState,
    member: string,
    kinds: Array<'node' | 'etcd'>,
  ): { kind: 'node' | 'etcd'; index: number } {
    const n = state.layout.nodeNames.indexOf(member);
    if (n >= 0 && kinds.includes('node')) return { kind: 'node', index: n };
    const e = state.layout.etcdNames.indexOf(member);
    if (e >= 0 && kinds.includes('etcd')) return { kind: 'etcd', index: e };
    const names = [
      ...(kinds.includes('node') ? state.layout.nodeNames : []),
      ...(kinds.includes('etcd') ? state.layout.etcdNames : []),
    ];
    throw new PatroniKitError('USAGE', `unknown lab member '${member}'`, {
      hint: `use one of: ${names.join(', ')}`,
    });
  }

  /** Waits until the running etcd members agree on the raft leader and index (lab.md: faults on a lagging member cost quorum). */
  async waitSettled(signal?: AbortSignal, timeoutMs = 30_000): Promise<void> {
    const state = this.loadState();
    await waitFor(
      'etcd members to settle (same leader, raft index within 10)',
      async () => {
        const statuses = await Promise.all(
          [0, 1, 2]
            .filter((i) => isRunning(state.processes.etcd[state.layout.etcdNames[i]!]))
            .map(async (i) => {
              const url = `${this.etcdUrl(state, i)}/v3/maintenance/status`;
              return httpJson(url, {
                method: 'POST',
                body: '{}',
                timeoutMs: 2000,
                ...(signal ? { signal } : {}),
              }).catch(() => undefined);
            }),
        );
        if (statuses.length === 0) return undefined;
        const bodies = statuses.map((s) => s?.body as { leader?: string; raftIndex?: string } | undefined);
        if (bodies.some((b) => !b?.leader || b.leader === '0')) return undefined;
        const leaders = new Set(bodies.map((b) => b!.leader));
        const idx = bodies.map((b) => Number(b!.raftIndex ?? 0));
        return leaders.size === 1 && Math.max(...idx) - Math.min(...idx) <= 10 ? true : undefined;
      },
      { timeoutMs, intervalMs: 200, ...(signal ? { signal } : {}) },
    );
  }

  /** SIGKILLs a node's Patroni and its postmaster (a crash, not a clean stop). */
  async kill(member: string, signal?: AbortSignal): Promise<void> {
    const state = this.loadState();
    const { index } = this.memberIndex(state, member, ['node']);
    await this.waitSettled(signal);
    const name = state.layout.nodeNames[index]!;
    const pm = postmasterRecord(nodePaths(state.layout, index).data);
    signalProcess(state.processes.patroni[name], 'SIGKILL');
    signalProcess(pm, 'SIGKILL');
    await waitForExit(state.processes.patroni[name], 5000);
    await waitForExit(pm, 5000);
  }

  /** Stops a Patroni node (`n1`…, SIGTERM: Patroni stops PostgreSQL) or an etcd member (`e1`…). */
  async stop(member: string, signal?: AbortSignal): Promise<void> {
    const state = this.loadState();
    const { kind, index } = this.memberIndex(state, member, ['node', 'etcd']);
    await this.waitSettled(signal).catch(() => {
      // Stopping an etcd member while quorum is already lost must still work (tests restore quorum this way).
    });
    if (kind === 'node')
      await stopProcess(state.processes.patroni[state.layout.nodeNames[index]!], PHASE.stop);
    else await stopProcess(state.processes.etcd[state.layout.etcdNames[index]!], 10_000);
  }

  /** Starts a stopped Patroni node or etcd member again (no wait for it to be healthy). */
  async start(member: string): Promise<void> {
    const state = this.loadState();
    const { kind, index } = this.memberIndex(state, member, ['node', 'etcd']);
    if (kind === 'node') {
      if (isRunning(state.processes.patroni[state.layout.nodeNames[index]!])) return;
      await this.startPatroni(state, index);
    } else {
      if (isRunning(state.processes.etcd[state.layout.etcdNames[index]!])) return;
      await this.startEtcd(state, index);
    }
    this.saveState(state);
  }

  /** Cuts a host (its Patroni node and etcd member) off the network in both directions (`--netns` only). */
  async partition(member: string, signal?: AbortSignal): Promise<void> {
    const state = this.loadState();
    if (!state.netns) {
      throw new PatroniKitError('USAGE', 'a network partition needs the netns topology', {
        hint: 'create the lab with `patroni-kit lab up --netns`',
      });
    }
    const { index } = this.memberIndex(state, member, ['node', 'etcd']);
    await this.waitSettled(signal);
    await partition(state.netns.namespaces[index]!);
  }

  /**
   * Drops incoming TCP to `ports` on a host, as the production recipe's drill does (`--netns` only); the
   * host's etcd member and outgoing connections are untouched. `heal` removes the rules.
   */
  async blockPorts(member: string, ports: number[], signal?: AbortSignal): Promise<void> {
    const state = this.loadState();
    if (!state.netns) {
      throw new PatroniKitError('USAGE', 'blocking ports needs the netns topology', {
        hint: 'create the lab with `patroni-kit lab up --netns`',
      });
    }
    const { index } = this.memberIndex(state, member, ['node', 'etcd']);
    await this.waitSettled(signal);
    await blockPorts(state.netns.namespaces[index]!, ports);
  }

  /** The ports blocked on a host by {@link Lab.blockPorts} (empty outside the netns topology). */
  async blockedPorts(member: string): Promise<number[]> {
    const state = this.loadState();
    if (!state.netns) return [];
    const { index } = this.memberIndex(state, member, ['node', 'etcd']);
    return blockedPorts(state.netns.namespaces[index]!);
  }

  /** The member's PostgreSQL socket folder: a connection that no network fault or namespace can cut. */
  socketDir(member: string): string {
    const state = this.loadState();
    const { index } = this.memberIndex(state, member, ['node']);
    return nodePaths(state.layout, index).run;
  }

  /** The member names (`n1`…) with their addresses and REST URLs. */
  members(): Array<{ name: string; host: string; restUrl: string; etcd: string }> {
    const state = this.loadState();
    return state.layout.nodeNames.map((name, i) => ({
      name,
      host: state.layout.hosts[i]!,
      restUrl: this.restUrl(state, i),
      etcd: state.layout.etcdNames[i]!,
    }));
  }

  /** Removes partitions and port blocks (of one member, or all). */
  async heal(member?: string): Promise<void> {
    const state = this.loadState();
    if (!state.netns)
      throw new PatroniKitError('USAGE', 'nothing to heal: the lab does not use the netns topology');
    const indexes =
      member === undefined ? [0, 1, 2] : [this.memberIndex(state, member, ['node', 'etcd']).index];
    for (const i of indexes) await heal(state.netns.namespaces[i]!);
  }

  /** Runs a patronictl (of the lab's Patroni version) command against the lab; returns stdout. */
  async patronictl(args: string[]): Promise<string> {
    const state = this.loadState();
    const ctl = state.binaries.patronictl;
    return runForOutput(
      ctl.command,
      [...ctl.args, '-c', join(this.dir, 'patronictl.yml'), ...args],
      ctl.env,
      30_000,
    );
  }

  /** The SQL connection settings of HAProxy's writer (`writer`) or reader port, or of a member. */
  connection(target: 'writer' | 'reader' | string): {
    host: string;
    port: number;
    user: string;
    password: string;
    database: string;
  } {
    const state = this.loadState();
    const c = this.credentials();
    const base = { user: c.superuser.username, password: c.superuser.password, database: 'postgres' };
    if (target === 'writer')
      return { ...base, host: state.layout.haproxyHost, port: state.layout.ports.writer };
    if (target === 'reader')
      return { ...base, host: state.layout.haproxyHost, port: state.layout.ports.reader };
    const { index } = this.memberIndex(state, target, ['node']);
    return { ...base, host: state.layout.hosts[index]!, port: state.layout.ports.postgres };
  }

  /** The etcd client endpoints, e.g. for the DCS package. */
  etcdHosts(): string[] {
    return etcdHosts(this.loadState().layout);
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** What a log gained after byte `offset` (at most its last 256 KiB). */
function logSince(path: string, offset: number): string {
  try {
    const buf = readFileSync(path);
    return buf.subarray(Math.max(offset, buf.length - 262_144)).toString('utf8');
  } catch {
    return '';
  }
}

function formatPgVersion(v: number): string {
  return `${Math.floor(v / 10000)}.${v % 10000}`;
}

/**
 * PostgreSQL runs as `user` and must reach its data dir: every existing parent of `dir` needs o+x.
 * We refuse rather than chmod folders the lab did not create.
 */
function checkTraversable(dir: string, user: string): void {
  let current = dir;
  for (;;) {
    const parent = dirname(current);
    if (existsSync(current) && current !== dir) {
      const mode = statSync(current).mode;
      if ((mode & 0o001) === 0) {
        throw new PatroniKitError(
          'USAGE',
          `PostgreSQL runs as '${user}' and cannot enter ${current} (mode ${(mode & 0o777).toString(8)}), a parent of the lab folder ${dir}`,
          {
            hint: `choose a lab folder whose parents all allow others to enter (e.g. /var/lib/patroni-kit/lab), or run \`chmod o+x ${current}\``,
          },
        );
      }
    }
    if (parent === current) return;
    current = parent;
  }
}

/** uid/gid of a local user, or a PREREQUISITE error. */
export function lookupUser(name: string): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch (err) {
    throw new PatroniKitError(
      'PREREQUISITE',
      `user '${name}' does not exist; PostgreSQL refuses to run as root, so the lab runs it as '${name}'`,
      {
        hint: 'install postgresql-15 (it creates the user), or run the lab as an ordinary user',
        cause: err,
      },
    );
  }
}
