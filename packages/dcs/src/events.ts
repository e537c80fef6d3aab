/** Turns two cluster states into the typed events between them. */
import type { ClusterEvent, ClusterState, DynamicConfig, EventBase, MemberEntry } from './types.js';

const LEADER_ROLES = new Set(['master', 'primary', 'leader', 'standby_leader']);

/** Options for {@link diffStates}. */
export interface DiffOptions {
  /** Lag in bytes above which a replica counts as lagging (default: config maximum_lag_on_failover, else 1 MiB). */
  lagThresholdBytes?: number;
}

type EventBody = ClusterEvent extends infer E
  ? E extends EventBase
    ? Omit<E, keyof EventBase>
    : never
  : never;

function changedPaths(a: unknown, b: unknown, path: string, out: string[]): void {
  const isObj = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      changedPaths(a[k], b[k], path ? `${path}.${k}` : k, out);
    }
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(path || '(root)');
}

/** Lag threshold in effect for `state`. */
export function lagThreshold(state: ClusterState, opts: DiffOptions = {}): number {
  if (opts.lagThresholdBytes !== undefined) return opts.lagThresholdBytes;
  const fromConfig = state.config?.value.maximum_lag_on_failover;
  return typeof fromConfig === 'number' ? fromConfig : 1048576;
}

function lagging(m: MemberEntry | undefined, threshold: number): boolean {
  return m !== undefined && !m.isLeader && m.lag !== undefined && m.lag > threshold;
}

function withoutPause(c: DynamicConfig | undefined): DynamicConfig | undefined {
  if (!c) return c;
  const { pause: _pause, ...rest } = c;
  return rest;
}

/** The events that lead from `prev` to `next` (same scope). `revision` is stamped on each. */
export function diffStates(prev: ClusterState, next: ClusterState, opts: DiffOptions = {}): ClusterEvent[] {
  const out: EventBody[] = [];
  const prevProblems = new Set(prev.problems.map((p) => `${p.key}\0${p.message}`));
  for (const p of next.problems) {
    if (!prevProblems.has(`${p.key}\0${p.message}`))
      out.push({ type: 'key-invalid', key: p.key, message: p.message });
  }
  if (!prev.initialized && next.initialized && next.systemId !== undefined) {
    out.push({ type: 'cluster-initialized', systemId: next.systemId });
  } else if (prev.initialized && prev.systemId === undefined && next.systemId !== undefined) {
    out.push({ type: 'cluster-initialized', systemId: next.systemId });
  }
  const prevLeader = prev.leader?.value ?? null;
  const nextLeader = next.leader?.value ?? null;
  if (prevLeader !== nextLeader) {
    // Patroni takes the leader key before it promotes: until the new leader's own member key says it is
    // the primary, its timeline is still the old one, so it is left out (history-changed brings it later).
    const lead = next.members.find((m) => m.name === nextLeader)?.value;
    const tl = lead && LEADER_ROLES.has(String(lead.role)) ? lead.timeline : undefined;
    out.push({
      type: 'leader-changed',
      from: prevLeader,
      to: nextLeader,
      ...(tl === undefined ? {} : { timeline: tl }),
    });
  }
  const prevMembers = new Map(prev.members.map((m) => [m.name, m]));
  const nextMembers = new Map(next.members.map((m) => [m.name, m]));
  const threshold = lagThreshold(next, opts);
  const prevThreshold = lagThreshold(prev, opts);
  for (const m of next.members) {
    const before = prevMembers.get(m.name);
    if (!before) {
      out.push({ type: 'member-joined', member: m.name, role: m.role, state: m.value.state });
    } else {
      if (before.role !== m.role)
        out.push({ type: 'role-changed', member: m.name, from: before.role, to: m.role });
      if (before.value.state !== m.value.state) {
        out.push({ type: 'state-changed', member: m.name, from: before.value.state, to: m.value.state });
      }
    }
    const was = lagging(before, prevThreshold);
    const is = lagging(m, threshold);
    // A replica that becomes leader has no lag any more; that is a leader change, not a lag crossing.
    if (was !== is && !m.isLeader && !before?.isLeader && (before !== undefined || is)) {
      out.push({
        type: 'lag-threshold-crossed',
        member: m.name,
        lag: m.lag ?? 0,
        threshold,
        direction: is ? 'above' : 'below',
      });
    }
  }
  for (const m of prev.members) {
    if (!nextMembers.has(m.name)) {
      out.push({ type: 'member-left', member: m.name, lastRole: m.role, lastState: m.value.state });
    }
  }
  if (!prev.paused && next.paused) out.push({ type: 'paused' });
  if (prev.paused && !next.paused) out.push({ type: 'resumed' });
  const pc = prev.config?.value;
  const nc = next.config?.value;
  if ((pc?.failsafe_mode === true) !== (nc?.failsafe_mode === true)) {
    out.push({ type: 'failsafe-mode-changed', enabled: nc?.failsafe_mode === true });
  }
  if (prev.config?.modRevision !== next.config?.modRevision) {
    const changed: string[] = [];
    changedPaths(withoutPause(pc), withoutPause(nc), '', changed);
    if (changed.length > 0) out.push({ type: 'config-changed', changed });
  }
  const pf = prev.failover?.value ?? {};
  const nf = next.failover?.value ?? {};
  const pending = (f: typeof pf) =>
    f.leader !== undefined || f.member !== undefined || f.scheduled_at !== undefined;
  if (pending(nf) && JSON.stringify(pf) !== JSON.stringify(nf)) {
    out.push({
      type: 'switchover-scheduled',
      ...(nf.leader === undefined ? {} : { leader: nf.leader }),
      ...(nf.member === undefined ? {} : { candidate: nf.member }),
      ...(nf.scheduled_at === undefined ? {} : { scheduledAt: nf.scheduled_at }),
    });
  } else if (pending(pf) && !pending(nf)) {
    out.push({ type: 'switchover-cleared' });
  }
  const pfs = Object.keys(prev.failsafe?.value ?? {}).sort();
  const nfs = Object.keys(next.failsafe?.value ?? {}).sort();
  if (pfs.join(',') !== nfs.join(',')) out.push({ type: 'failsafe-members-changed', members: nfs });
  const ps = prev.sync?.value.syncStandbys ?? [];
  const ns = next.sync?.value.syncStandbys ?? [];
  if (ps.join(',') !== ns.join(',')) out.push({ type: 'sync-changed', from: ps, to: ns });
  const ph = prev.history?.value ?? [];
  const nh = next.history?.value ?? [];
  if (nh.length > ph.length) {
    const last = nh[nh.length - 1]!;
    out.push({ type: 'history-changed', timeline: last.timeline, reason: last.reason });
  }
  const hadKeys = prev.initialized || prev.members.length > 0 || prev.config !== undefined;
  const hasKeys =
    next.initialized || next.members.length > 0 || next.config !== undefined || next.leader !== undefined;
  if (hadKeys && !hasKeys) out.push({ type: 'cluster-removed' });
  const at = new Date().toISOString();
  return out.map((e) => ({ ...e, scope: next.scope, revision: next.revision, at }) as ClusterEvent);
}
