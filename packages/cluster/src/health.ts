/**
 * The health report: what monitoring checks with check_patroni today (leader, replicas, node count,
 * maintenance mode, scheduled actions, pending restart, timeline and config changes, Patroni version),
 * with Nagios' states and exit codes.
 */
import type { ClusterView, HealthCheck, HealthMemory, HealthReport, HealthState } from './types.js';

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

/** Builds the report from a cluster view (no I/O). */
export function healthReport(view: ClusterView, options: HealthOptions = {}): HealthReport {
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
  const healthy = replicas.filter(
    (m) =>
      m.live?.reachable === true &&
      m.live.state === 'running' &&
      m.live.role === 'replica' &&
      (m.state === 'streaming' || m.live.replicationState === 'streaming' || m.state === 'running') &&
      typeof m.lag === 'number' &&
      m.lag <= maxLag,
  );
  const unhealthy = replicas.filter((m) => !healthy.includes(m)).map((m) => m.name);
  const wanted = options.minReplicas ?? replicas.length;
  const replicaMsg = `${healthy.length} healthy replica(s)${unhealthy.length ? `; not healthy: ${unhealthy.join(', ')}` : ''} (lag limit ${maxLag} bytes)`;
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

  if (view.source !== 'dcs')
    add('dcs', 'WARNING', 'the DCS could not be read; this report comes from the REST API');
  if (view.disagreements.length)
    add('sources_agree', 'CRITICAL', view.disagreements.map((d) => d.message).join('; '));

  const state = worst(checks.map((c) => c.state));
  const bad = checks.filter((c) => c.state !== 'OK');
  const summary = bad.length
    ? bad.map((c) => `${c.name}: ${c.message}`).join('; ')
    : `leader ${view.confirmedLeader}, ${healthy.length} healthy replica(s)`;
  return { scope: view.scope, state, exitCode: exitCodes[state], summary, checks, memory, at: view.at };
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
