/**
 * The health report: what monitoring checks with check_patroni today (leader, replicas, node count,
 * maintenance mode, scheduled actions, pending restart, timeline and config changes, Patroni version),
 * with Nagios' states and exit codes.
 */
import type { EtcdHealth } from '@patroni-kit/dcs';
import {
  classifySlots,
  clockSkew,
  explainReplica,
  formatLsn,
  historyMismatch,
  historyTimeline,
  type LeaderWal,
  type ReplicaExplanation,
} from './explain.js';
import type { ClusterView, HealthCheck, HealthMemory, HealthReport, HealthState } from './types.js';

/** Which extra probes {@link Cluster.health} runs (all on by default). */
export interface HealthProbeOptions {
  /** Ask etcd for quorum and alarms. */
  etcd?: boolean;
  /** Connect to the leader with SQL (slots, oldest WAL) and, when needed, test the replication login. */
  sql?: boolean;
}

/** Facts gathered beyond the cluster view; each part is absent when it could not be read. */
export interface HealthFacts {
  etcd?: EtcdHealth;
  etcdError?: string;
  leaderWal?: LeaderWal;
  sqlError?: string;
  replicationLogin?: { ok: boolean; message: string };
}

/** Thresholds and memory for {@link healthReport}. */
export interface HealthOptions {
  /** Expected number of members (default: as many as the cluster lists, at least 1). */
  expectedMembers?: number;
  /** Replicas needed for OK (default: every non-leader member). Fewer but > 0 is WARNING, 0 is CRITICAL. */
  minReplicas?: number;
  /** A replica lagging more bytes than this is not healthy (default: `maximum_lag_on_failover`, else 1 MiB). */
  maxLagBytes?: number;
  /** What the previous run stored; a change of timeline or config is a WARNING. */
  memory?: HealthMemory;
  /** Clock skew between members above this is a WARNING (default 2000 ms; Date headers have 1 s resolution). */
  maxClockSkewMs?: number;
  /** An inactive member slot retaining more WAL than this is a WARNING (default 1 GiB). */
  slotRetainWarnBytes?: number;
}

const order: Record<HealthState, number> = { OK: 0, WARNING: 1, UNKNOWN: 2, CRITICAL: 3 };
const exitCodes = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 } as const;

function worst(states: HealthState[]): HealthState {
  return states.reduce<HealthState>((a, b) => (order[b] > order[a] ? b : a), 'OK');
}

/** A stable hash of the dynamic configuration (key order does not matter). */
export function configHash(config: unknown): string {
  // Depth is bounded: a hostile config nested thousands of levels must not overflow the stack.
  const canonical = (v: unknown, depth: number): unknown =>
    depth > 64
      ? '[nested too deep]'
      : Array.isArray(v)
        ? v.map((x) => canonical(x, depth + 1))
        : typeof v === 'object' && v !== null
          ? Object.fromEntries(
              Object.keys(v)
                .sort()
                .map((k) => [k, canonical((v as Record<string, unknown>)[k], depth + 1)]),
            )
          : v;
  // FNV-1a (64-bit): enough to notice a change, and cheaper to load than node:crypto for every CLI start.
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(JSON.stringify(canonical(config ?? {}, 0)), 'utf8')) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

/** Builds the report from a cluster view and the extra facts (no I/O). */
export function healthReport(
  view: ClusterView,
  options: HealthOptions = {},
  facts: HealthFacts = {},
): HealthReport {
  const checks: HealthCheck[] = [];
  const add = (name: string, state: HealthState, message: string, value?: number | string) =>
    checks.push(value === undefined ? { name, state, message } : { name, state, message, value });

  const leader = view.members.find((m) => m.name === view.leader);
  if (!view.leader) add('has_leader', 'CRITICAL', 'no member holds the leader lock', 0);
  else if (!view.confirmedLeader) {
    const why = leader?.live?.reachable
      ? `it reports role ${leader.live.role ?? 'unknown'}, state ${leader.live.state ?? 'unknown'}`
      : `its REST API is unreachable${leader?.live?.error ? ` (${leader.live.error.message})` : ''}`;
    add('has_leader', 'CRITICAL', `${view.leader} holds the leader lock but ${why}`, 0);
  } else add('has_leader', 'OK', `leader ${view.confirmedLeader} is running`, 1);

  const maxLag =
    options.maxLagBytes ??
    (typeof view.config?.maximum_lag_on_failover === 'number'
      ? view.config.maximum_lag_on_failover
      : 1048576);
  const replicas = view.members.filter((m) => m.name !== view.leader);
  const dcsHistory = (view.history ?? []).map((h) => ({ timeline: h.timeline, lsn: h.lsn }));
  // The leader's own history file is the truth about its branch; the DCS key may describe another.
  const ownHistory = facts.leaderWal?.history;
  const history = ownHistory && ownHistory.length > 0 ? ownHistory : dcsHistory;
  const explained = new Map(
    replicas.map((m) => [
      m.name,
      explainReplica(m, {
        leader,
        history,
        maxLagBytes: maxLag,
        leaderWal: facts.leaderWal,
        replicationLogin: facts.replicationLogin,
        scope: view.scope,
      }),
    ]),
  );
  // Causes that make a replica unusable whatever its state says (Patroni 3 reports no replication_state).
  const hard = new Set(['timeline_diverged', 'wal_removed', 'auth_failed']);
  const healthy = replicas
    .filter((m) => !hard.has(explained.get(m.name)!.cause))
    .filter(
      (m) =>
        m.live?.reachable === true &&
        m.live.state === 'running' &&
        m.live.role === 'replica' &&
        (m.state === 'streaming' || m.live.replicationState === 'streaming' || m.state === 'running') &&
        typeof m.lag === 'number' &&
        m.lag <= maxLag,
    );
  const explanations: ReplicaExplanation[] = replicas.map((m) => {
    const e = explained.get(m.name)!;
    const counted = healthy.includes(m);
    if (counted || !e.healthy) return { ...e, healthy: counted };
    // Healthy by its own account but not by the report's rule (e.g. its role is not replica).
    return {
      ...e,
      cause: 'not_streaming',
      healthy: false,
      message: `${m.name}: role ${m.live?.role ?? 'unknown'}, state ${m.live?.state ?? 'unknown'}`,
    };
  });
  const unhealthy = explanations.filter((e) => !e.healthy);
  const wanted = options.minReplicas ?? replicas.length;
  const replicaMsg = `${healthy.length} healthy replica(s)${unhealthy.length ? `; not healthy: ${unhealthy.map((e) => `${e.message}${e.fix ? ` (fix: ${e.fix})` : ''}`).join('; ')}` : ''} (lag limit ${maxLag} bytes)`;
  add(
    'has_replicas',
    healthy.length === 0 ? 'CRITICAL' : healthy.length < wanted ? 'WARNING' : 'OK',
    replicaMsg,
    healthy.length,
  );

  const expected = options.expectedMembers ?? Math.max(1, view.members.length);
  const running = view.members.filter((m) => m.live?.reachable && m.live.state === 'running').length;
  add(
    'node_count',
    running === 0 ? 'CRITICAL' : running < expected ? 'WARNING' : 'OK',
    `${running} of ${expected} member(s) running (${view.members.length} listed)`,
    running,
  );

  add(
    'maintenance_mode',
    view.paused ? 'WARNING' : 'OK',
    view.paused ? 'the cluster is paused: no automatic failover' : 'not paused',
    view.paused ? 1 : 0,
  );

  const scheduled: string[] = [];
  if (view.scheduledSwitchover) scheduled.push(`switchover at ${view.scheduledSwitchover.at}`);
  if (view.pendingFailover) scheduled.push('a failover/switchover request is pending');
  for (const m of view.members)
    if (m.scheduledRestart) scheduled.push(`restart of ${m.name} at ${String(m.scheduledRestart.schedule)}`);
  add(
    'scheduled_actions',
    scheduled.length ? 'WARNING' : 'OK',
    scheduled.length ? scheduled.join('; ') : 'none',
    scheduled.length,
  );

  const pending = view.members.filter((m) => m.pendingRestart || m.live?.pendingRestart).map((m) => m.name);
  add(
    'pending_restart',
    pending.length ? 'WARNING' : 'OK',
    pending.length ? `restart needed on ${pending.join(', ')}` : 'none',
    pending.length,
  );

  const memory: HealthMemory = {};
  const timeline = leader?.live?.timeline ?? leader?.timeline;
  if (timeline !== undefined) memory.timeline = timeline;
  const prevTl = options.memory?.timeline;
  if (timeline === undefined) add('timeline', 'UNKNOWN', 'the leader timeline is unknown');
  else if (prevTl !== undefined && prevTl !== timeline)
    add(
      'timeline',
      'WARNING',
      `timeline changed from ${prevTl} to ${timeline} (failover or switchover)`,
      timeline,
    );
  else add('timeline', 'OK', `timeline ${timeline}`, timeline);

  if (view.config !== undefined) memory.configHash = configHash(view.config);
  const prevHash = options.memory?.configHash;
  if (memory.configHash === undefined) add('config', 'OK', 'dynamic configuration not read (REST view)');
  else if (prevHash !== undefined && prevHash !== memory.configHash)
    add('config', 'WARNING', `the dynamic configuration changed (hash ${prevHash} -> ${memory.configHash})`);
  else add('config', 'OK', `dynamic configuration hash ${memory.configHash}`);

  const versions = [...new Set(view.members.map((m) => m.live?.patroniVersion ?? m.version).filter(Boolean))];
  const advisories = view.advisories.map((a) => a.message);
  add(
    'patroni_version',
    advisories.length ? 'WARNING' : 'OK',
    `Patroni ${versions.join(', ') || 'unknown'}${advisories.length ? `; ${advisories.join('; ')}` : ''}`,
    versions.join(','),
  );

  // The DCS history must know the leader's timeline: check_timeline compares with it after a restart.
  const mismatch = ownHistory ? historyMismatch(dcsHistory, ownHistory) : undefined;
  if (mismatch)
    add(
      'timeline_history',
      'CRITICAL',
      `the DCS history says timeline ${mismatch.timeline} ended at ${formatLsn(mismatch.dcs)}, the leader's own history says ${formatLsn(mismatch.own)}: the leader runs on another branch than the one the cluster recorded (a stale member took over; writes acknowledged on the other branch are not on this leader)`,
      mismatch.timeline,
    );
  else if (view.source === 'dcs' && timeline !== undefined && view.history !== undefined) {
    const recorded = historyTimeline(dcsHistory);
    if (recorded < timeline)
      add(
        'timeline_history',
        'WARNING',
        `the leader runs timeline ${timeline} but the DCS history records only timeline ${recorded}: until Patroni writes it (next HA loop), check_timeline cannot stop an older member from winning a restart; do not stop the leader now`,
        recorded,
      );
    else if (recorded > timeline)
      add(
        'timeline_history',
        'WARNING',
        `the DCS history records timeline ${recorded}, newer than the leader's ${timeline}: the leader may be a stale member that won a restart`,
        recorded,
      );
    else {
      const last = dcsHistory.at(-1);
      add(
        'timeline_history',
        'OK',
        `DCS history matches the leader's timeline ${timeline}${last ? ` (timeline ${last.timeline} ended at ${formatLsn(last.lsn)})` : ''}`,
        recorded,
      );
    }
  }

  const skew = clockSkew(
    view.members.map((m) => ({ name: m.name, offset: m.live?.clockOffset })),
    options.maxClockSkewMs ?? 2000,
  );
  add('clock_skew', skew.state, skew.message, ...(skew.value === undefined ? [] : [skew.value]));

  if (facts.etcd) {
    const q = facts.etcd.quorum;
    const alarms = facts.etcd.alarms ?? [];
    const alarmText = alarms.map((a) => `${a.alarm} on ${a.member ?? a.memberId}`).join(', ');
    const state: HealthState =
      q.state === 'lost' || alarms.some((a) => a.alarm === 'NOSPACE' || a.alarm === 'CORRUPT')
        ? 'CRITICAL'
        : q.state === 'degraded' || alarms.length > 0
          ? 'WARNING'
          : 'OK';
    add(
      'etcd',
      state,
      `${q.message}${alarms.length ? `; alarms: ${alarmText}` : facts.etcd.alarms === undefined ? '; alarms unknown' : '; no alarms'}`,
      q.healthy,
    );
  } else if (facts.etcdError) add('etcd', 'UNKNOWN', `etcd health could not be read: ${facts.etcdError}`);

  let slotFindings: ReturnType<typeof classifySlots> | undefined;
  if (facts.leaderWal?.slots) {
    const retained = view.retainSlots;
    slotFindings = classifySlots(facts.leaderWal.slots, view, {
      ...(retained ? { retained } : {}),
      ...(options.slotRetainWarnBytes !== undefined ? { retainWarnBytes: options.slotRetainWarnBytes } : {}),
    });
    const bad = slotFindings.filter((f) => f.state !== 'OK');
    const total = slotFindings.reduce((n, f) => n + (f.retainedBytes ?? 0), 0);
    add(
      'replication_slots',
      bad.length ? 'WARNING' : 'OK',
      bad.length
        ? bad.map((f) => f.message).join('; ')
        : `${slotFindings.length} slot(s), all accounted for, retaining ${(total / 1048576).toFixed(1)} MiB`,
      slotFindings.filter((f) => !f.active).length,
    );
  } else if (view.confirmedLeader)
    add(
      'replication_slots',
      'OK',
      `not checked: no SQL access to the leader${facts.sqlError ? ` (${facts.sqlError})` : ''}; give -U/--password, PGPASSWORD/PGPASSFILE, or a patroni.yml with postgresql.authentication.superuser`,
    );

  if (view.source !== 'dcs')
    add('dcs', 'WARNING', 'the DCS could not be read; this report comes from the REST API');
  if (view.disagreements.length)
    add('sources_agree', 'CRITICAL', view.disagreements.map((d) => d.message).join('; '));

  const state = worst(checks.map((c) => c.state));
  const bad = checks.filter((c) => c.state !== 'OK');
  const summary = bad.length
    ? bad.map((c) => `${c.name}: ${c.message}`).join('; ')
    : `leader ${view.confirmedLeader}, ${healthy.length} healthy replica(s)`;
  const report: HealthReport = {
    scope: view.scope,
    state,
    exitCode: exitCodes[state],
    summary,
    checks,
    memory,
    at: view.at,
    replicas: explanations,
  };
  if (slotFindings) report.slots = slotFindings;
  return report;
}

/** The report of a cluster that could not be read at all. */
export function unknownReport(scope: string, message: string): HealthReport {
  return {
    scope,
    state: 'UNKNOWN',
    exitCode: 3,
    summary: message,
    checks: [{ name: 'reachable', state: 'UNKNOWN', message }],
    memory: {},
    at: new Date().toISOString(),
  };
}
