/** Restart, reload and reinit: one request per selected member, one after the other, never retried. */
import { errorInfo, PatroniKitError, sleep } from '@patroni-kit/errors';
import {
  type MemberSelection,
  memberFailed,
  memberOutcome,
  type OpContext,
  refused,
  reporter,
  selectMembers,
  summary,
  waitFor,
  withSignal,
} from '../context.js';
import { DEFAULT_TIMEOUTS_MS } from '../timeouts.js';
import type { ActionOptions, ActionResult, MemberOutcome } from '../types.js';
import { liveFromStatus } from '../view.js';
import { parseSchedule } from './switchover.js';

/** Options of `restart`. */
export interface RestartOptions extends ActionOptions, MemberSelection {
  /** Only members with a pending restart (patronictl `--pending`). */
  pending?: boolean;
  /** ISO time with offset (patronictl `--scheduled`). */
  scheduledAt?: string;
  /** Restart only when the running PostgreSQL is older (`X.Y` for 10+, `X.Y.Z` before). */
  pgVersion?: string;
  /** Seconds to wait for PostgreSQL to start (overrides primary_start_timeout; Patroni's unit). */
  timeout?: number;
  /** Replace a restart already scheduled on a member (it is deleted first). */
  force?: boolean;
}

/** Options of `reinit`. */
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

function pgVersionProblem(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+\.\d+(\.\d+)?$/.test(v))
    return `Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted: ${v}`;
  const major = Number(v.split('.')[0]);
  const parts = v.split('.').length;
  if ((major >= 10 && parts !== 2) || (major < 10 && parts !== 3))
    return `Invalid PostgreSQL version format: X.Y (10+) or X.Y.Z (before 10) is accepted: ${v}`;
  return undefined;
}

/** `patronictl restart`: per member `POST /restart` (role filter, pending only, scheduled, version filter). */
export async function restart(ctx: OpContext, opts: RestartOptions = {}): Promise<ActionResult> {
  const action = 'restart';
  const report = reporter(ctx, opts.onProgress);
  const view = await ctx.read(withSignal(opts.signal));
  const selected = selectMembers(view, opts);
  if ('check' in selected) return refused(action, selected.check, selected.reason);
  let targets = selected.members;
  const badVersion = pgVersionProblem(opts.pgVersion);
  if (badVersion) return refused(action, 'pg-version-format', badVersion);
  const schedule = parseSchedule(opts.scheduledAt);
  if (schedule && view.paused)
    return refused(action, 'not-paused', "Can't schedule restart in the paused state");
  if (schedule && Date.parse(schedule) < ctx.now() - 1000)
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
    report('send', `${schedule ? 'scheduling a restart of' : 'restarting'} ${m.name}`, m.name);
    try {
      const client = await ctx.rest(m);
      if (m.scheduledRestart && opts.force) await client.cancelRestart(withSignal(opts.signal));
      const res = await client.restart(body, {
        ...withSignal(opts.signal),
        timeoutMs: DEFAULT_TIMEOUTS_MS.restartWrite,
      });
      outcomes.push(memberOutcome(m.name, res));
    } catch (err) {
      outcomes.push(memberFailed(m.name, err));
    }
  }
  return summary(action, outcomes);
}

/** `patronictl reload`: `POST /reload` on each selected member. */
export async function reload(
  ctx: OpContext,
  opts: ActionOptions & MemberSelection = {},
): Promise<ActionResult> {
  const action = 'reload';
  const report = reporter(ctx, opts.onProgress);
  const view = await ctx.read(withSignal(opts.signal));
  const selected = selectMembers(view, opts);
  if ('check' in selected) return refused(action, selected.check, selected.reason);
  const loopWait = view.config?.loop_wait ?? 10;
  const outcomes: MemberOutcome[] = [];
  for (const m of selected.members) {
    report('send', `reloading ${m.name}`, m.name);
    try {
      const o = memberOutcome(m.name, await (await ctx.rest(m)).reload(withSignal(opts.signal)));
      if (o.outcome === 'succeeded')
        o.reason = `Reload request received for member ${m.name} and will be processed within ${loopWait} seconds`;
      outcomes.push(o);
    } catch (err) {
      outcomes.push(memberFailed(m.name, err));
    }
  }
  return summary(action, outcomes);
}

/** `patronictl reinit`: re-clone replicas (`POST /reinitialize`); with `wait`, until each runs again. */
export async function reinit(ctx: OpContext, opts: ReinitOptions): Promise<ActionResult> {
  const action = 'reinit';
  if (!opts.members?.length)
    throw new PatroniKitError('USAGE', 'reinit needs the member names to re-clone', {
      hint: 'e.g. patroni-kit reinit lab n2',
    });
  const report = reporter(ctx, opts.onProgress);
  const view = await ctx.read(withSignal(opts.signal));
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
    report('send', `reinitializing ${m.name}`, m.name);
    try {
      const o = memberOutcome(m.name, await (await ctx.rest(m)).reinitialize(body, withSignal(opts.signal)));
      if (o.outcome === 'failed' && /in progress/.test(o.reason))
        o.reason += ' (pass force to cancel the running task first)';
      outcomes.push(o);
    } catch (err) {
      outcomes.push(memberFailed(m.name, err));
    }
  }
  if (opts.wait) {
    for (const o of outcomes.filter((x) => x.outcome === 'succeeded')) {
      const m = targets.find((t) => t.name === o.member)!;
      try {
        // The reinit starts on the member's next loop; wait to see it leave `running` first, briefly.
        await sleep(1000, opts.signal);
        await waitFor(
          ctx,
          `${m.name} to finish re-cloning`,
          async () => {
            const s = liveFromStatus(await ctx.memberStatus(m.apiUrl!, withSignal(opts.signal)));
            return s.state === 'running' && s.role === 'replica'
              ? { done: true, value: s }
              : { done: false, waitingFor: `${m.name} is ${s.state}` };
          },
          { timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUTS_MS.reinitWait, signal: opts.signal, report },
        );
        o.reason = `${o.reason}; ${m.name} runs again`;
      } catch (err) {
        o.outcome = 'unknown';
        o.reason = `${o.reason}; ${(err as Error).message}`;
        o.error = errorInfo(err);
      }
    }
  }
  return summary(action, outcomes);
}
