/**
 * Builds the {@link ClusterView} from what the DCS (or `GET /cluster`) says and what each member's own
 * `GET /patroni` says, and names every point where they disagree.
 */
import type { ClusterState } from '@patroni-kit/dcs';
import { isObject, normalizeRole } from '@patroni-kit/errors';
import type { ClusterStatus, NodeStatus } from '@patroni-kit/rest';
import { advisoriesFor } from './advisories.js';
import type { ClusterView, Disagreement, MemberLive, MemberRole, MemberView } from './types.js';

/** `primary` for both 3.x `master` and 4.x `primary`; other roles unchanged (the shared `normalizeRole`). */
export const normalizeNodeRole: (role: string | undefined) => string | undefined = normalizeRole;

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return isObject(v) ? v : undefined;
}

/** `pending_restart_reason` with only `{old_value, new_value}` text entries (anything else is dropped). */
function restartReasons(v: unknown): Record<string, { old_value: string; new_value: string }> | undefined {
  const reasons = obj(v);
  if (!reasons) return undefined;
  const text = (x: unknown) =>
    typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean' ? String(x) : '';
  const out: Record<string, { old_value: string; new_value: string }> = {};
  for (const [name, r] of Object.entries(reasons)) {
    const o = obj(r);
    if (o) out[name] = { old_value: text(o.old_value), new_value: text(o.new_value) };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** What a `/patroni` body says, reduced to what the view needs. */
export function liveFromStatus(status: NodeStatus): MemberLive {
  const live: MemberLive = { reachable: true, state: str(status.state) ?? 'unknown' };
  const role = normalizeNodeRole(str(status.role));
  if (role !== undefined) live.role = role;
  if (typeof status.timeline === 'number') live.timeline = status.timeline;
  const replicationState = str(status.replication_state);
  if (replicationState) live.replicationState = replicationState;
  const version = str(obj(status.patroni)?.version);
  if (version) live.patroniVersion = version;
  if (typeof status.server_version === 'number') live.serverVersion = status.server_version;
  if (status.pending_restart === true) live.pendingRestart = true;
  if (status.pause === true) live.paused = true;
  if (Array.isArray(status.replication))
    live.streaming = (status.replication as unknown[])
      .map(obj)
      .filter((r) => r?.state === 'streaming' && typeof r.application_name === 'string')
      .map((r) => r!.application_name as string)
      .sort();
  const x = obj(status.xlog);
  if (x) {
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
    const pos = num(x.location) ?? Math.max(num(x.received_location) ?? 0, num(x.replayed_location) ?? 0);
    if (Number.isFinite(pos)) live.walPosition = pos;
  }
  return live;
}

function syncModeOf(value: unknown): 'off' | 'on' | 'quorum' {
  if (value === 'quorum') return 'quorum';
  if (value === true || value === 'on' || value === 'true') return 'on';
  return 'off';
}

function tagsOf(value: unknown): Record<string, unknown> {
  return isObject(value) ? { ...value } : {};
}

/** The view from a DCS read. `live` maps member name → its `/patroni` answer (or its failure). */
export function viewFromDcs(state: ClusterState, live: Map<string, MemberLive>): ClusterView {
  const config = state.config?.value;
  const syncMode = syncModeOf(config?.synchronous_mode);
  const syncStandbys = state.sync?.value.syncStandbys ?? [];
  const standbyCluster = config?.standby_cluster !== undefined && config?.standby_cluster !== null;
  const leader = state.leader?.value ?? null;
  const members: MemberView[] = state.members.map((m) => {
    const v = m.value;
    let role: MemberRole = 'replica';
    if (m.name === leader) role = standbyCluster || m.role === 'standby_leader' ? 'standby_leader' : 'leader';
    else if (syncMode !== 'off' && syncStandbys.includes(m.name))
      role = syncMode === 'quorum' ? 'quorum_standby' : 'sync_standby';
    const state =
      m.name !== leader && typeof v.replication_state === 'string' ? v.replication_state : v.state;
    const view: MemberView = {
      name: m.name,
      role,
      state,
      pendingRestart: v.pending_restart === true,
      tags: tagsOf(v.tags),
      inDcs: true,
    };
    if (m.host !== undefined) view.host = m.host;
    if (m.port !== undefined) view.port = m.port;
    if (typeof v.timeline === 'number') view.timeline = v.timeline;
    if (m.name !== leader) view.lag = m.lag ?? 'unknown';
    if (v.pending_restart_reason) view.pendingRestartReason = v.pending_restart_reason;
    if (v.scheduled_restart) view.scheduledRestart = v.scheduled_restart;
    if (typeof v.api_url === 'string') view.apiUrl = v.api_url;
    if (typeof v.version === 'string') view.version = v.version;
    const l = live.get(m.name);
    if (l) {
      view.live = l;
      if (!view.version && l.patroniVersion) view.version = l.patroniVersion;
    }
    return view;
  });
  const failover = state.failover?.value;
  const view: ClusterView = {
    scope: state.scope,
    source: 'dcs',
    leader,
    confirmedLeader: null,
    paused: state.paused,
    members,
    synchronousMode: syncMode,
    syncStandbys,
    disagreements: [],
    advisories: [],
    warnings: state.problems.map((p) => `DCS key ${p.key}: ${p.message}`),
    at: new Date().toISOString(),
  };
  if (state.systemId !== undefined) view.systemId = state.systemId;
  else if (state.initialize) view.systemId = '';
  if (config) view.config = config;
  if (state.config) view.configRevision = state.config.modRevision;
  if (state.leaderOptime !== undefined) view.leaderOptime = state.leaderOptime;
  const retain = state.status?.value.retain_slots;
  if (Array.isArray(retain)) view.retainSlots = retain.filter((x): x is string => typeof x === 'string');
  if (state.history) view.history = state.history.value;
  if (failover && (failover.leader || failover.member)) {
    if (failover.scheduled_at) {
      view.scheduledSwitchover = { at: failover.scheduled_at };
      if (failover.leader) view.scheduledSwitchover.from = failover.leader;
      if (failover.member) view.scheduledSwitchover.to = failover.member;
    } else {
      view.pendingFailover = {};
      if (failover.leader) view.pendingFailover.leader = failover.leader;
      if (failover.member) view.pendingFailover.candidate = failover.member;
    }
  }
  return finish(view);
}

/** The view from `GET /cluster` (used when the DCS cannot be read). */
export function viewFromRest(
  scope: string,
  status: ClusterStatus,
  live: Map<string, MemberLive>,
): ClusterView {
  // `GET /cluster` comes from any server at the URL: members that are not objects with a name are dropped,
  // and fields of the wrong type are ignored, so no reader below meets a type it does not expect.
  status = {
    ...status,
    members: (status.members as unknown[]).flatMap((m) => {
      const o = obj(m);
      if (!o || typeof o.name !== 'string') return [];
      const member: Record<string, unknown> = {
        ...o,
        name: o.name,
        role: str(o.role) ?? 'replica',
        state: str(o.state) ?? 'unknown',
      };
      const reasons = restartReasons(o.pending_restart_reason);
      if (reasons) member.pending_restart_reason = reasons;
      else delete member.pending_restart_reason;
      for (const f of ['host', 'api_url'] as const) if (f in o && typeof o[f] !== 'string') delete member[f];
      for (const f of ['port', 'timeline'] as const) if (f in o && typeof o[f] !== 'number') delete member[f];
      if ('lag' in o && typeof o.lag !== 'number' && typeof o.lag !== 'string') delete member.lag;
      if ('scheduled_restart' in o && !obj(o.scheduled_restart)) delete member.scheduled_restart;
      return [member as unknown as ClusterStatus['members'][number]];
    }),
  };
  if (status.scope !== undefined && typeof status.scope !== 'string') delete status.scope;
  if (status.scheduled_switchover !== undefined && !obj(status.scheduled_switchover))
    delete status.scheduled_switchover;
  const leaderMember = status.members.find((m) => m.role === 'leader' || m.role === 'standby_leader');
  const syncStandbys = status.members
    .filter((m) => m.role === 'sync_standby' || m.role === 'quorum_standby')
    .map((m) => m.name);
  const members: MemberView[] = status.members.map((m) => {
    const view: MemberView = {
      name: m.name,
      role: m.role as MemberRole,
      state: m.state,
      pendingRestart: m.pending_restart === true,
      tags: tagsOf(m.tags),
      inDcs: true,
    };
    if (m.host !== undefined) view.host = m.host;
    if (m.port !== undefined) view.port = m.port;
    if (typeof m.timeline === 'number') view.timeline = m.timeline;
    if (m.role !== 'leader' && m.role !== 'standby_leader') view.lag = m.lag ?? 'unknown';
    if (m.pending_restart_reason) view.pendingRestartReason = m.pending_restart_reason;
    if (m.scheduled_restart) view.scheduledRestart = m.scheduled_restart as Record<string, unknown>;
    if (m.api_url) view.apiUrl = m.api_url;
    const l = live.get(m.name);
    if (l) {
      view.live = l;
      if (l.patroniVersion) view.version = l.patroniVersion;
    }
    return view;
  });
  const view: ClusterView = {
    scope: status.scope ?? scope,
    source: 'rest',
    leader: leaderMember?.name ?? null,
    confirmedLeader: null,
    paused: status.pause === true,
    members,
    synchronousMode: status.members.some((m) => m.role === 'quorum_standby')
      ? 'quorum'
      : syncStandbys.length > 0
        ? 'on'
        : 'off',
    syncStandbys,
    disagreements: [],
    advisories: [],
    warnings: [],
    at: new Date().toISOString(),
  };
  if (status.scheduled_switchover) view.scheduledSwitchover = { ...status.scheduled_switchover };
  return finish(view);
}

/** Confirms the leader against its own REST API and lists the disagreements. */
function finish(view: ClusterView): ClusterView {
  const disagreements: Disagreement[] = [];
  for (const m of view.members) {
    const l = m.live;
    if (!l?.reachable) continue;
    const isLockHolder = m.name === view.leader;
    if (isLockHolder && l.role !== 'primary' && l.role !== 'standby_leader') {
      disagreements.push({
        member: m.name,
        dcs: `leader (${m.state})`,
        member_says: `${l.role ?? 'unknown'} (${l.state ?? 'unknown'})`,
        message: `the ${view.source === 'dcs' ? 'DCS' : 'REST /cluster'} names ${m.name} as leader, but ${m.name} itself reports role ${l.role ?? 'unknown'}: it has demoted itself and the ${view.source === 'dcs' ? 'DCS' : '/cluster'} view is stale (etcd may have lost its quorum)`,
      });
    } else if (!isLockHolder && l.role === 'primary') {
      disagreements.push({
        member: m.name,
        dcs: m.role,
        member_says: `primary (${l.state ?? 'unknown'})`,
        message: `${m.name} reports role primary but does not hold the leader lock${view.leader ? ` (held by ${view.leader})` : ''}`,
      });
    } else if (
      l.state !== undefined &&
      m.state !== l.state &&
      m.state !== l.replicationState &&
      // Member keys are rewritten once per loop, so a state difference alone is common for a moment;
      // only a stopped or failed node on either side is worth a note.
      /stop|fail|crash|unknown/.test(`${m.state} ${l.state}`)
    ) {
      disagreements.push({
        member: m.name,
        dcs: m.state,
        member_says: l.replicationState ?? l.state,
        message: `${m.name}: the ${view.source === 'dcs' ? 'DCS' : '/cluster'} shows state ${m.state}, the member itself ${l.replicationState ?? l.state}`,
      });
    }
  }
  view.disagreements = disagreements;
  const leader = view.members.find((m) => m.name === view.leader);
  if (
    leader?.live?.reachable &&
    (leader.live.role === 'primary' || leader.live.role === 'standby_leader') &&
    leader.live.state === 'running'
  )
    view.confirmedLeader = leader.name;
  view.advisories = advisoriesFor(view);
  return view;
}

/** Python's `round` (half to even), which patronictl uses for `Lag in MB`. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Lag in MB as patronictl shows it (`unknown` stays `unknown`). */
export function lagInMb(lag: number | 'unknown' | undefined): number | 'unknown' | undefined {
  if (lag === undefined || lag === 'unknown') return lag;
  return roundHalfEven(Math.max(0, lag) / 1048576);
}

/** Members whose role matches patronictl's `-r/--role` filter. */
export function membersWithRole(view: ClusterView, role: RoleFilter): MemberView[] {
  return view.members.filter((m) => {
    const isLeader = m.name === view.leader;
    switch (role) {
      case 'any':
        return true;
      case 'leader':
        return isLeader;
      case 'primary':
      case 'master':
        return isLeader && m.role !== 'standby_leader';
      case 'standby-leader':
        return isLeader && m.role === 'standby_leader';
      case 'replica':
      case 'standby':
        return !isLeader;
      default:
        return false;
    }
  });
}

/** patronictl's role filter values. */
export type RoleFilter = 'leader' | 'primary' | 'master' | 'standby-leader' | 'replica' | 'standby' | 'any';

/** Valid role filters, for usage errors. */
export const ROLE_FILTERS: readonly RoleFilter[] = [
  'leader',
  'primary',
  'standby-leader',
  'replica',
  'standby',
  'any',
  'master',
];
