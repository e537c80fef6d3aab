/**
 * Role-change notifications (the production recipe's Slack webhook, in the editor), derived from two
 * successive cluster views: leader changed, failover (the leader changed while the old one is down or gone),
 * member down or back, paused or resumed.
 */
import type { ClusterView } from '@patroni-kit/cluster';
import { memberDown } from './tree.js';

/** One notification; `member` is what "Show in Tree" reveals. */
export interface ClusterNotification {
  kind: 'leader-changed' | 'failover' | 'no-leader' | 'member-down' | 'member-back' | 'paused' | 'resumed';
  severity: 'info' | 'warning' | 'error';
  scope: string;
  message: string;
  member?: string;
}

/** What changed between `prev` and `next` that a DBA wants to hear about (nothing for the first view). */
export function notificationsFor(prev: ClusterView | undefined, next: ClusterView): ClusterNotification[] {
  if (!prev) return [];
  const out: ClusterNotification[] = [];
  const scope = next.scope;
  const before = new Map(prev.members.map((m) => [m.name, m]));
  const after = new Map(next.members.map((m) => [m.name, m]));
  if (prev.leader !== next.leader) {
    if (next.leader === null) {
      out.push({
        kind: 'no-leader',
        severity: 'error',
        scope,
        message: `${scope}: no leader (was ${prev.leader})`,
      });
    } else {
      const old = prev.leader ? after.get(prev.leader) : undefined;
      // A switchover leaves the old leader running as a replica; a failover means it went down or away.
      const failover = prev.leader !== null && (old === undefined || memberDown(old));
      out.push({
        kind: failover ? 'failover' : 'leader-changed',
        severity: failover ? 'error' : 'warning',
        scope,
        member: next.leader,
        message: failover
          ? `${scope}: failover, ${next.leader} is the new leader (${prev.leader} is ${old ? old.state : 'gone'})`
          : `${scope}: leader changed from ${prev.leader ?? 'none'} to ${next.leader}`,
      });
    }
  }
  for (const [name, m] of after) {
    const was = before.get(name);
    const down = memberDown(m);
    if (was && !memberDown(was) && down)
      out.push({
        kind: 'member-down',
        severity: 'error',
        scope,
        member: name,
        message: `${scope}: ${name} is down (${m.live?.error?.message ?? m.state})`,
      });
    else if ((!was || memberDown(was)) && !down)
      out.push({
        kind: 'member-back',
        severity: 'info',
        scope,
        member: name,
        message: `${scope}: ${name} is ${was ? 'back' : 'new'} (${m.state})`,
      });
  }
  for (const [name, was] of before)
    if (!after.has(name) && !memberDown(was))
      out.push({
        kind: 'member-down',
        severity: 'error',
        scope,
        member: name,
        message: `${scope}: ${name} left the cluster`,
      });
  if (!prev.paused && next.paused)
    out.push({
      kind: 'paused',
      severity: 'warning',
      scope,
      message: `${scope}: paused, automatic failover is off`,
    });
  if (prev.paused && !next.paused)
    out.push({
      kind: 'resumed',
      severity: 'info',
      scope,
      message: `${scope}: resumed, automatic failover is on`,
    });
  return out;
}
