/** `remove` (every key of a stopped cluster) and `flush` (scheduled restarts or the scheduled switchover). */
import { errorInfo, isPatroniKitError } from '@patroni-kit/errors';
import {
  failedWith,
  type MemberSelection,
  memberFailed,
  memberOutcome,
  type OpContext,
  refused,
  reporter,
  selectMembers,
  summary,
  withSignal,
  writeOrder,
} from '../context.js';
import type { ActionOptions, ActionResult, ClusterView, MemberOutcome } from '../types.js';

/** Options of `remove`. */
export interface RemoveOptions extends ActionOptions {
  /** The cluster name again. */
  confirmScope: string;
  /** Remove even though member keys exist (members must still not answer). */
  force?: boolean;
}

/** Options of `flush`. */
export interface FlushOptions extends ActionOptions, MemberSelection {
  what: 'restart' | 'switchover';
}

/**
 * `patronictl remove`: deletes every key of the cluster from the DCS. Guarded: `confirmScope` must repeat the
 * cluster name, and it is refused while members are alive (their keys exist or their REST API answers).
 */
export async function remove(
  ctx: OpContext,
  opts: RemoveOptions,
): Promise<ActionResult<{ deleted?: number }>> {
  const action = 'remove';
  if (opts.confirmScope !== ctx.scope)
    return refused(
      action,
      'scope-confirmed',
      `the confirmation '${opts.confirmScope}' does not repeat the cluster name ${ctx.scope}`,
    );
  if (!ctx.target.dcs)
    return refused(
      action,
      'dcs-configured',
      'remove deletes DCS keys: give a config with etcd3 or --dcs-url',
    );
  let view: ClusterView;
  try {
    view = await ctx.read(withSignal(opts.signal));
  } catch (err) {
    if (!isPatroniKitError(err, 'NOT_FOUND')) throw err;
    return refused(action, 'cluster-exists', (err as Error).message);
  }
  const alive = view.members.filter((m) => m.live?.reachable).map((m) => m.name);
  if (!opts.force && (alive.length > 0 || view.leader))
    return refused(
      action,
      'cluster-stopped',
      `cluster ${ctx.scope} is alive (leader ${view.leader ?? 'none'}; answering: ${alive.join(', ') || 'none'}); stop Patroni on every member first`,
    );
  reporter(ctx, opts.onProgress)('send', `deleting the keys of ${ctx.scope} from the DCS`);
  try {
    const res = await (await ctx.dcs()).removeCluster(ctx.scope, {
      ...(opts.force ? { force: true } : {}),
      ...(ctx.target.group === undefined ? {} : { group: ctx.target.group }),
      ...withSignal(opts.signal),
    });
    return {
      action,
      outcome: 'succeeded',
      reason: `removed ${res.deleted} key(s) of ${ctx.scope}`,
      sent: true,
      details: { deleted: res.deleted },
    };
  } catch (err) {
    const info = errorInfo(err);
    if (isPatroniKitError(err, 'AMBIGUOUS_WRITE'))
      return { action, outcome: 'unknown', reason: info.message, sent: true, error: info };
    return {
      ...failedWith(action, err, false),
      ...(info.code === 'PRECHECK' ? { check: 'cluster-stopped' } : {}),
    };
  }
}

/** `patronictl flush`: drop scheduled restarts (`DELETE /restart`) or the scheduled switchover. */
export async function flush(ctx: OpContext, opts: FlushOptions): Promise<ActionResult> {
  const action = `flush ${opts.what}`;
  const report = reporter(ctx, opts.onProgress);
  const view = await ctx.read(withSignal(opts.signal));
  if (opts.what === 'switchover') {
    if (!view.scheduledSwitchover && !view.pendingFailover)
      return { action, outcome: 'succeeded', reason: 'No pending scheduled switchover', sent: false };
    for (const m of writeOrder(view)) {
      report('send', `sending DELETE /switchover to ${m.name}`, m.name);
      try {
        const o = memberOutcome(m.name, await (await ctx.rest(m)).cancelSwitchover(withSignal(opts.signal)));
        return { action, outcome: o.outcome, reason: `${m.name}: ${o.reason}`, sent: true, members: [o] };
      } catch (err) {
        if (isPatroniKitError(err, 'AUTH', 'ABORTED')) return failedWith(action, err, false);
      }
    }
    if (!ctx.target.dcs) return refused(action, 'members-reachable', 'no member REST API answers');
    report('send', 'no member answered: clearing the failover key in the DCS');
    try {
      await (await ctx.dcs()).clearFailover(ctx.scope, withSignal(opts.signal));
      return {
        action,
        outcome: 'succeeded',
        reason: 'no member answered: cleared the failover key in the DCS (compare-and-set)',
        sent: true,
      };
    } catch (err) {
      return {
        ...failedWith(action, err, true),
        outcome: isPatroniKitError(err, 'AMBIGUOUS_WRITE') ? 'unknown' : 'failed',
      };
    }
  }
  const selected = selectMembers(view, opts);
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
    report('send', `sending DELETE /restart to ${m.name}`, m.name);
    try {
      outcomes.push(memberOutcome(m.name, await (await ctx.rest(m)).cancelRestart(withSignal(opts.signal))));
    } catch (err) {
      outcomes.push(memberFailed(m.name, err));
    }
  }
  return summary(action, outcomes);
}
