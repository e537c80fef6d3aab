/** Waiters: a running leader, a healthy cluster, a finished switchover, a leader running in a role. */
import { errorInfo } from '@patroni-kit/errors';
import { describeLeader, type OpContext, reporter, waitFor, withSignal } from '../context.js';
import { type HealthOptions, healthReport } from '../health.js';
import { DEFAULT_TIMEOUTS_MS } from '../timeouts.js';
import type { ActionOptions, ActionResult, ClusterView, HealthReport } from '../types.js';

/** Options of the waiters. */
export interface WaitOptions extends ActionOptions {
  timeoutMs?: number;
}

/** Waits until a leader (or `name`) holds the lock and its own REST API says it runs as primary. */
export function waitForLeader(
  ctx: OpContext,
  opts: WaitOptions & { name?: string } = {},
): Promise<ClusterView> {
  return waitFor(
    ctx,
    opts.name ? `${opts.name} to lead` : 'a running leader',
    async () => {
      const view = await ctx.read(withSignal(opts.signal));
      if (view.confirmedLeader && (opts.name === undefined || view.confirmedLeader === opts.name))
        return { done: true, value: view };
      return { done: false, waitingFor: describeLeader(view) };
    },
    {
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUTS_MS.leaderWait,
      signal: opts.signal,
      report: reporter(ctx, opts.onProgress),
    },
  );
}

/**
 * Waits until the health report has a running leader, every replica healthy (streaming, within the lag
 * limit), every member running, the sources agreeing and the DCS history recording the leader timeline.
 */
export function waitForHealthy(
  ctx: OpContext,
  opts: WaitOptions & HealthOptions = {},
): Promise<HealthReport> {
  return waitFor(
    ctx,
    'a healthy cluster',
    async () => {
      const view = await ctx.read(withSignal(opts.signal));
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
    {
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUTS_MS.healthyWait,
      signal: opts.signal,
      report: reporter(ctx, opts.onProgress),
    },
  );
}

/** Waits until the leader is no longer `from` (and is `to` when given), runs, and no request is pending. */
export function waitForSwitchover(
  ctx: OpContext,
  opts: WaitOptions & { from: string; to?: string },
): Promise<ClusterView> {
  return waitFor(
    ctx,
    `the switchover from ${opts.from}${opts.to ? ` to ${opts.to}` : ''}`,
    async () => {
      const view = await ctx.read(withSignal(opts.signal));
      const l = view.confirmedLeader;
      if (l && l !== opts.from && (opts.to === undefined || l === opts.to) && !view.pendingFailover)
        return { done: true, value: view };
      return { done: false, waitingFor: describeLeader(view) };
    },
    {
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUTS_MS.switchoverWait,
      signal: opts.signal,
      report: reporter(ctx, opts.onProgress),
    },
  );
}

/** After a written change, waits until the leader runs as `role` and every member runs (unless `wait: false`). */
export async function waitForRole(
  ctx: OpContext,
  res: ActionResult,
  role: 'primary' | 'standby_leader',
  opts: WaitOptions & { wait?: boolean },
): Promise<ActionResult> {
  if (res.outcome !== 'succeeded' || opts.wait === false) return res;
  try {
    const view = await waitFor(
      ctx,
      `the leader to run as ${role}`,
      async () => {
        const v = await ctx.read(withSignal(opts.signal));
        const l = v.members.find((m) => m.name === v.leader);
        const othersRunning = v.members.every((m) => m.live?.state === 'running');
        return l?.live?.role === role && l.live.state === 'running' && othersRunning
          ? { done: true, value: v }
          : {
              done: false,
              waitingFor: `leader ${v.leader ?? 'none'} is ${l?.live?.role ?? 'unknown'}/${l?.live?.state ?? 'unknown'}`,
            };
      },
      {
        timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUTS_MS.switchoverWait,
        signal: opts.signal,
        report: reporter(ctx, opts.onProgress),
      },
    );
    return { ...res, reason: `${view.leader} runs as ${role}` };
  } catch (err) {
    return {
      ...res,
      outcome: 'unknown',
      reason: `the change was written but ${(err as Error).message}`,
      error: errorInfo(err),
    };
  }
}
