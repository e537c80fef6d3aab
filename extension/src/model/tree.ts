/**
 * The Clusters tree as plain data: cluster → members → details, an etcd node, history, and message nodes
 * for errors. Built from the SDK's types only; the VS Code adapter turns each node into a `TreeItem`.
 */
import type { ClusterView, HealthReport, MemberView } from '@patroni-kit/cluster';
import type { EtcdHealth } from '@patroni-kit/dcs';

/** Codicon ids the adapter maps to `ThemeIcon`s (kept as strings so this module needs no `vscode`). */
export type TreeIcon =
  | 'database'
  | 'star-full'
  | 'sync'
  | 'mirror'
  | 'debug-disconnect'
  | 'server'
  | 'history'
  | 'info'
  | 'warning'
  | 'error'
  | 'debug-pause'
  | 'symbol-property';

/** One node of the tree. `contextValue` strings are designed for regex `when` clauses (`viewItem =~ /^patroni\.member\b/`). */
export interface TreeNode {
  /** Stable across refreshes, so VS Code keeps expansion and selection. */
  id: string;
  kind: 'cluster' | 'member' | 'detail' | 'etcd' | 'etcd-member' | 'history' | 'history-entry' | 'message';
  label: string;
  description?: string;
  tooltip?: string;
  icon: TreeIcon;
  /** Colour hint for the icon: `error` / `warning` become theme colours in the adapter. */
  tone?: 'error' | 'warning' | 'ok';
  contextValue: string;
  children: TreeNode[];
  /** Whether the node starts expanded (clusters do, so members are visible at once). */
  expanded?: boolean;
}

/** What the tree knows about one configured cluster at one moment. */
export interface ClusterSnapshot {
  /** The connection's id (from the connection store). */
  id: string;
  /** The name the user gave it (defaults to the scope). */
  name: string;
  production?: boolean;
  view?: ClusterView;
  health?: HealthReport;
  etcd?: EtcdHealth;
  /** Why the cluster could not be read (a `PatroniKitError`'s code, message and hint). */
  error?: { code: string; message: string; hint?: string };
}

/** Human form of a byte count (lag), e.g. `0 B`, `16.0 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

const ROLE_LABEL: Record<MemberView['role'], string> = {
  leader: 'Leader',
  standby_leader: 'Standby Leader',
  sync_standby: 'Sync Standby',
  quorum_standby: 'Quorum Standby',
  replica: 'Replica',
};

const ROLE_ICON: Record<MemberView['role'], TreeIcon> = {
  leader: 'star-full',
  standby_leader: 'star-full',
  sync_standby: 'sync',
  quorum_standby: 'sync',
  replica: 'mirror',
};

function messageNode(
  id: string,
  message: string,
  hint: string | undefined,
  tone: 'error' | 'warning',
): TreeNode {
  return {
    id,
    kind: 'message',
    label: message,
    ...(hint ? { description: hint, tooltip: `${message}\n${hint}` } : { tooltip: message }),
    icon: tone === 'error' ? 'error' : 'warning',
    tone,
    contextValue: `patroni.message.${tone}`,
    children: [],
  };
}

function detail(parent: string, key: string, value: string): TreeNode {
  return {
    id: `${parent}/detail/${key}`,
    kind: 'detail',
    label: key,
    description: value,
    icon: 'symbol-property',
    contextValue: 'patroni.detail',
    children: [],
  };
}

function isRunning(m: MemberView): boolean {
  return m.state === 'running' || m.state === 'streaming';
}

/** Whether a member is down in the sense users mean: unreachable, or not running/streaming. */
export function memberDown(m: MemberView): boolean {
  return m.live?.reachable === false || !isRunning(m);
}

function memberNode(clusterId: string, view: ClusterView, m: MemberView): TreeNode {
  const id = `${clusterId}/member/${m.name}`;
  const parts = [ROLE_LABEL[m.role], m.state];
  if (m.timeline !== undefined) parts.push(`TL ${m.timeline}`);
  if (m.role !== 'leader' && m.role !== 'standby_leader' && m.lag !== undefined)
    parts.push(m.lag === 'unknown' ? 'lag unknown' : `lag ${formatBytes(m.lag)}`);
  if (m.pendingRestart) parts.push('pending restart');
  const down = memberDown(m);
  const advisories = view.advisories.filter((a) => a.members.includes(m.name));
  const children: TreeNode[] = [];
  if (m.live?.error) children.push(messageNode(`${id}/error`, m.live.error.message, undefined, 'error'));
  if (m.host) children.push(detail(id, 'host', m.port ? `${m.host}:${m.port}` : m.host));
  if (m.apiUrl) children.push(detail(id, 'REST API', m.apiUrl));
  if (m.version) children.push(detail(id, 'Patroni', m.version));
  if (m.live?.serverVersion) children.push(detail(id, 'PostgreSQL', String(m.live.serverVersion)));
  if (m.timeline !== undefined) children.push(detail(id, 'timeline', String(m.timeline)));
  if (m.lag !== undefined)
    children.push(detail(id, 'lag', m.lag === 'unknown' ? 'unknown' : formatBytes(m.lag)));
  const tags = Object.entries(m.tags);
  if (tags.length > 0)
    children.push(detail(id, 'tags', tags.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')));
  if (m.pendingRestart) {
    const reasons = Object.entries(m.pendingRestartReason ?? {}).map(
      ([k, v]) => `${k}: ${v.old_value} → ${v.new_value}`,
    );
    children.push(detail(id, 'pending restart', reasons.length > 0 ? reasons.join(', ') : 'yes'));
  }
  for (const a of advisories)
    children.push(messageNode(`${id}/advisory/${a.id}`, a.message, a.fix, 'warning'));
  const roleCtx = m.role === 'leader' || m.role === 'standby_leader' ? 'leader' : 'replica';
  return {
    id,
    kind: 'member',
    label: m.name,
    description: parts.join(' · '),
    tooltip: [`${m.name}: ${parts.join(', ')}`, ...advisories.map((a) => a.message)].join('\n'),
    icon: down ? 'debug-disconnect' : ROLE_ICON[m.role],
    ...(down ? { tone: 'error' as const } : advisories.length > 0 ? { tone: 'warning' as const } : {}),
    contextValue: `patroni.member.${roleCtx}${m.pendingRestart ? '.pendingRestart' : ''}`,
    children,
  };
}

function etcdNode(clusterId: string, etcd: EtcdHealth): TreeNode {
  const id = `${clusterId}/etcd`;
  const children: TreeNode[] = etcd.members.map((em) => {
    const status = etcd.endpoints.find((e) => e.memberId === em.id || e.name === em.name);
    const isLeader = etcd.leader?.id === em.id;
    const state = status
      ? status.healthy
        ? 'healthy'
        : status.reachable
          ? 'unhealthy'
          : 'unreachable'
      : 'unknown';
    return {
      id: `${id}/member/${em.id}`,
      kind: 'etcd-member' as const,
      label: em.name || em.id,
      description: [isLeader ? 'leader' : em.isLearner ? 'learner' : 'follower', state, status?.version]
        .filter(Boolean)
        .join(' · '),
      tooltip: [em.clientUrls.join(', '), status?.error?.message].filter(Boolean).join('\n'),
      icon: 'server' as const,
      ...(state === 'healthy' ? {} : { tone: 'error' as const }),
      contextValue: 'patroni.etcdMember',
      children: [],
    };
  });
  for (const alarm of etcd.alarms ?? [])
    children.push(
      messageNode(
        `${id}/alarm/${alarm.memberId}/${alarm.alarm}`,
        `alarm ${alarm.alarm} on ${alarm.member ?? alarm.memberId}`,
        alarm.alarm === 'NOSPACE' ? 'compact and defragment etcd, then disarm the alarm' : undefined,
        'error',
      ),
    );
  for (const [i, w] of etcd.warnings.entries())
    children.push(messageNode(`${id}/warning/${i}`, w, undefined, 'warning'));
  return {
    id,
    kind: 'etcd',
    label: 'etcd',
    description: etcd.quorum.message,
    icon: 'server',
    ...(etcd.quorum.state === 'ok' ? {} : { tone: etcd.quorum.state === 'lost' ? 'error' : 'warning' }),
    contextValue: `patroni.etcd.${etcd.quorum.state}`,
    children,
  };
}

function historyNode(clusterId: string, history: NonNullable<ClusterView['history']>): TreeNode {
  const id = `${clusterId}/history`;
  // Newest first: the last timeline switch is what users look for after a failover.
  const rows = [...history].reverse();
  return {
    id,
    kind: 'history',
    label: 'History',
    description: `${history.length} timeline switch${history.length === 1 ? '' : 'es'}`,
    icon: 'history',
    contextValue: 'patroni.history',
    children: rows.map((h) => ({
      id: `${id}/${h.timeline}`,
      kind: 'history-entry' as const,
      label: `TL ${h.timeline} → ${h.timeline + 1}`,
      description: [h.newLeader ? `new leader ${h.newLeader}` : undefined, h.timestamp, h.reason]
        .filter(Boolean)
        .join(' · '),
      tooltip: `${h.reason}\nLSN ${h.lsn}`,
      icon: 'history' as const,
      contextValue: 'patroni.historyEntry',
      children: [],
    })),
  };
}

/** One line about the cluster's state: leader, health, paused, etcd quorum. */
export function clusterSummary(s: ClusterSnapshot): string {
  if (!s.view) return s.error ? `${s.error.code}: unreachable` : 'not read yet';
  const v = s.view;
  const parts = [v.leader ? `leader ${v.leader}` : 'NO LEADER'];
  if (s.health) parts.push(s.health.state);
  if (v.paused) parts.push('paused');
  if (s.etcd && s.etcd.quorum.state !== 'ok') parts.push(`etcd ${s.etcd.quorum.state}`);
  if (s.production) parts.push('production');
  return parts.join(' · ');
}

/** The tree for one cluster: a cluster node with members, etcd, history and message nodes. */
export function clusterNode(s: ClusterSnapshot): TreeNode {
  const id = `cluster/${s.id}`;
  const children: TreeNode[] = [];
  if (s.error)
    children.push(messageNode(`${id}/error`, `${s.error.code}: ${s.error.message}`, s.error.hint, 'error'));
  const v = s.view;
  if (v) {
    if (!v.leader)
      children.push(messageNode(`${id}/no-leader`, 'no leader holds the lock', undefined, 'error'));
    for (const d of v.disagreements)
      children.push(messageNode(`${id}/disagreement/${d.member}`, d.message, undefined, 'warning'));
    for (const w of v.warnings) children.push(messageNode(`${id}/warning/${w}`, w, undefined, 'warning'));
    if (v.scheduledSwitchover)
      children.push(
        detail(
          id,
          'scheduled switchover',
          `${v.scheduledSwitchover.from ?? '?'} → ${v.scheduledSwitchover.to ?? 'any'} at ${v.scheduledSwitchover.at}`,
        ),
      );
    for (const m of v.members) children.push(memberNode(id, v, m));
  }
  for (const c of s.health?.checks ?? [])
    if (c.state === 'CRITICAL' || c.state === 'WARNING')
      children.push(
        messageNode(
          `${id}/health/${c.name}`,
          `${c.name}: ${c.message}`,
          undefined,
          c.state === 'CRITICAL' ? 'error' : 'warning',
        ),
      );
  if (s.etcd) children.push(etcdNode(id, s.etcd));
  if (v?.history && v.history.length > 0) children.push(historyNode(id, v.history));
  const unhealthy =
    s.error !== undefined ||
    (v !== undefined && !v.leader) ||
    s.health?.state === 'CRITICAL' ||
    s.etcd?.quorum.state === 'lost';
  const warn =
    !unhealthy && (s.health?.state === 'WARNING' || s.etcd?.quorum.state === 'degraded' || v?.paused);
  return {
    id,
    kind: 'cluster',
    label: s.name,
    description: clusterSummary(s),
    tooltip: [v ? `scope ${v.scope} (read from ${v.source} at ${v.at})` : s.name, s.health?.summary]
      .filter(Boolean)
      .join('\n'),
    icon: v?.paused ? 'debug-pause' : 'database',
    ...(unhealthy
      ? { tone: 'error' as const }
      : warn
        ? { tone: 'warning' as const }
        : { tone: 'ok' as const }),
    contextValue: `patroni.cluster.${v?.paused ? 'paused' : 'active'}${s.production ? '.production' : ''}`,
    children,
    expanded: true,
  };
}

/** The whole tree: one node per configured cluster, in the store's order. */
export function buildTree(snapshots: readonly ClusterSnapshot[]): TreeNode[] {
  return snapshots.map(clusterNode);
}
