/**
 * Switchover (plan, then execute the plan), failover, and the promotion request both end in. A plan is made
 * on one cluster read; executing it re-validates it on exactly one more read; `switchover(options)` plans and
 * executes on a single read.
 */
import { errorInfo, isPatroniKitError, PatroniKitError } from '@patroni-kit/errors';
import type { PatroniClient, WriteResult } from '@patroni-kit/rest';
import {
  type CandidateVerdict,
  evaluateCandidate,
  planSwitchover as planOnView,
  type SwitchoverPlan,
  type SwitchoverRequestOptions,
} from '../checks.js';
import { failedWith, type OpContext, type Report, refused, reporter, withSignal } from '../context.js';
import type { ActionOptions, ActionResult, ClusterView, MemberView } from '../types.js';
import { waitForSwitchover } from './waiters.js';

/** How an immediate switchover or failover ends: wait for the new leader (default) or return on the answer. */
export interface PromotionRunOptions extends ActionOptions {
  /** Wait until the new leader runs (default true for immediate switchovers). */
  wait?: boolean;
  /** Deadline of the wait (default `DEFAULT_TIMEOUTS_MS.switchoverWait`). */
  timeoutMs?: number;
}

/** Options of `switchover` without a plan: the request and how to run it. */
export interface SwitchoverOptions extends PromotionRunOptions, SwitchoverRequestOptions {}

/** Options of `failover`. */
export interface FailoverOptions extends PromotionRunOptions {
  candidate: string;
  /** In synchronous mode, allow a candidate that is not the synchronous standby (may lose transactions). */
  allowAsync?: boolean;
}

/** What `switchover` reports besides the outcome. */
export interface SwitchoverDetails {
  plan: SwitchoverPlan;
  newLeader?: string;
}

/** Parses a schedule (`now`, ISO-8601, or a Date) into ISO with offset; naive times are local, like patronictl. */
export function parseSchedule(value: string | Date | undefined): string | undefined {
  if (value === undefined || value === 'now' || value === '') return undefined;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new PatroniKitError('USAGE', `cannot parse the time '${String(value)}'`, {
      hint: 'use ISO-8601 with a time zone, e.g. 2026-11-25T18:00:00+00:00, or now',
    });
  return date.toISOString();
}

function requestOf(opts: SwitchoverRequestOptions): SwitchoverRequestOptions {
  const scheduledAt = parseSchedule(opts.scheduledAt);
  return {
    ...(opts.leader === undefined ? {} : { leader: opts.leader }),
    ...(opts.candidate === undefined ? {} : { candidate: opts.candidate }),
    ...(scheduledAt === undefined ? {} : { scheduledAt }),
  };
}

/** Runs the switchover pre-checks on one cluster read, writing nothing. */
export async function planSwitchover(
  ctx: OpContext,
  opts: SwitchoverRequestOptions & { signal?: AbortSignal } = {},
): Promise<SwitchoverPlan> {
  const request = requestOf(opts);
  return planOnView(await ctx.read(withSignal(opts.signal)), request);
}

/** True for a value made by `planSwitchover` (it has verdicts and a read time). */
export function isSwitchoverPlan(v: unknown): v is SwitchoverPlan {
  const p = v as Partial<SwitchoverPlan> | undefined;
  return typeof p === 'object' && p !== null && Array.isArray(p.verdicts) && typeof p.readAt === 'string';
}

/**
 * `patronictl switchover`: with options, plans on one read and executes at once; with a plan (from
 * `planSwitchover`), re-validates it on one read and refuses when the leader changed (`plan-leader-changed`),
 * the candidate is no longer eligible (`plan-candidate-ineligible`) or the cluster is another one
 * (`plan-cluster-changed`). Then `POST /switchover` to the leader; immediate ones wait until the new leader runs.
 */
export async function switchover(
  ctx: OpContext,
  planOrOptions: SwitchoverPlan | SwitchoverOptions = {},
  runOptions: PromotionRunOptions = {},
): Promise<ActionResult<SwitchoverDetails>> {
  const action = 'switchover';
  const givenPlan = isSwitchoverPlan(planOrOptions) ? planOrOptions : undefined;
  const opts: PromotionRunOptions = givenPlan ? runOptions : (planOrOptions as SwitchoverOptions);
  const report = reporter(ctx, opts.onProgress);
  if (givenPlan && !givenPlan.ok)
    return refused(action, givenPlan.check ?? 'plan-ok', givenPlan.reason, { plan: givenPlan });
  const request = givenPlan
    ? {
        ...(givenPlan.leader === undefined ? {} : { leader: givenPlan.leader }),
        ...(givenPlan.candidate === undefined ? {} : { candidate: givenPlan.candidate }),
        ...(givenPlan.scheduledAt === undefined ? {} : { scheduledAt: givenPlan.scheduledAt }),
      }
    : requestOf(planOrOptions as SwitchoverOptions);
  const view = await ctx.read(withSignal(opts.signal));
  const plan = planOnView(view, request);
  if (givenPlan) {
    const stale = staleness(givenPlan, view, plan);
    if (stale) return refused(action, stale.check, stale.reason, { plan });
  }
  if (!plan.ok) return refused(action, plan.check!, plan.reason, { plan });
  const leader = view.members.find((m) => m.name === plan.leader)!;
  const verdict = plan.verdicts.find((v) => v.member === plan.candidate);
  report(
    'check',
    `${plan.reason}${verdict ? ` (candidate checked by ${verdict.source === 'rest' ? 'REST' : 'the DCS'})` : ''}`,
  );
  report('send', `sending POST /switchover to ${leader.name}`, leader.name);
  const body: { leader: string; candidate?: string; scheduled_at?: string } = { leader: leader.name };
  if (plan.candidate) body.candidate = plan.candidate;
  if (plan.scheduledAt) body.scheduled_at = plan.scheduledAt;
  return promote(ctx, action, view, leader, plan, opts, report, (c, o) => c.switchover(body, o));
}

/** Why a plan no longer holds on `view` (`fresh` is the plan made again on it), or undefined. */
function staleness(
  old: SwitchoverPlan,
  view: ClusterView,
  fresh: SwitchoverPlan,
): { check: string; reason: string } | undefined {
  if (view.scope !== old.scope || (old.systemId && view.systemId && view.systemId !== old.systemId))
    return {
      check: 'plan-cluster-changed',
      reason: `the plan was made for cluster ${old.scope}${old.systemId ? ` (${old.systemId})` : ''}, but this is ${view.scope}${view.systemId ? ` (${view.systemId})` : ''}; plan again`,
    };
  if (view.leader !== old.leader || (view.confirmedLeader !== null && view.confirmedLeader !== old.leader))
    return {
      check: 'plan-leader-changed',
      reason: `the leader changed since the plan (read ${old.readAt}): it was ${old.leader ?? 'none'}, now ${view.leader ?? 'none'}; nothing was sent, plan again`,
    };
  if (!fresh.ok && fresh.check?.startsWith('candidate-') && old.candidate !== undefined)
    return {
      check: 'plan-candidate-ineligible',
      reason: `${old.candidate} is no longer eligible since the plan (read ${old.readAt}): ${fresh.reason} [${fresh.check}]; nothing was sent, plan again`,
    };
  return undefined;
}

/**
 * `patronictl failover`: to a named candidate (exists, runs, not `nofailover`; in synchronous mode an
 * asynchronous candidate needs `allowAsync`), then `POST /failover` to the leader, or to the candidate when
 * there is no running leader; waits until the candidate leads.
 */
export async function failover(
  ctx: OpContext,
  opts: FailoverOptions,
): Promise<ActionResult<{ verdict?: CandidateVerdict; newLeader?: string }>> {
  const action = 'failover';
  if (!opts.candidate)
    return refused(action, 'candidate-given', 'Failover could be performed only to a specific candidate');
  const report = reporter(ctx, opts.onProgress);
  const view = await ctx.read(withSignal(opts.signal));
  const verdict = evaluateCandidate(view, opts.candidate, 'failover');
  // Patroni checks lag only when a leader is there to compare with.
  let failed = verdict.failed.filter((f) => !(f === 'candidate-lag' && !view.confirmedLeader));
  if (view.synchronousMode === 'on' && !view.syncStandbys.includes(opts.candidate) && !opts.allowAsync)
    failed = [...failed, 'candidate-sync-standby'];
  if (failed.length > 0) {
    const reasons = failed.map((f) => {
      const i = verdict.failed.indexOf(f);
      return i >= 0
        ? verdict.reasons[i]!
        : `Member ${opts.candidate} is an asynchronous node in synchronous mode: a failover to it can lose transactions (allow it with --force / allowAsync)`;
    });
    return refused(action, failed[0]!, reasons.join('; '), { verdict });
  }
  const leader = view.members.find((m) => m.name === view.confirmedLeader);
  const target = leader ?? view.members.find((m) => m.name === opts.candidate)!;
  report('send', `failover to ${opts.candidate}: sending POST /failover to ${target.name}`, target.name);
  const body = { candidate: opts.candidate };
  const plan: SwitchoverPlan = {
    ok: true,
    reason: `failover to ${opts.candidate}`,
    candidate: opts.candidate,
    verdicts: [verdict],
    scope: view.scope,
    readAt: view.at,
    ...(view.systemId ? { systemId: view.systemId } : {}),
    ...(view.leader ? { leader: view.leader } : {}),
  };
  const res = await promote(ctx, action, view, target, plan, opts, report, (c, o) => c.failover(body, o));
  const { plan: _plan, ...rest } = res.details ?? {};
  return { ...res, details: { verdict, ...rest } } as ActionResult<{
    verdict?: CandidateVerdict;
    newLeader?: string;
  }>;
}

/** Sends the promotion request once (never retried) and, for an immediate one, waits for the new leader. */
async function promote(
  ctx: OpContext,
  action: string,
  view: ClusterView,
  target: MemberView,
  plan: SwitchoverPlan,
  opts: PromotionRunOptions,
  report: Report,
  send: (client: PatroniClient, o: { signal?: AbortSignal; timeoutMs: number }) => Promise<WriteResult>,
): Promise<ActionResult<SwitchoverDetails>> {
  const scheduled = plan.scheduledAt !== undefined;
  const loopWait = Number(view.config?.loop_wait ?? 10);
  // The REST client is loaded by now (ctx.rest below), so this import costs nothing extra.
  const { blockingWriteTimeout } = await import('@patroni-kit/rest');
  const blocking = blockingWriteTimeout(Number.isFinite(loopWait) ? loopWait : 10);
  let res: WriteResult;
  try {
    const client = await ctx.rest(target);
    res = await send(client, {
      ...withSignal(opts.signal),
      timeoutMs: scheduled ? ctx.timeouts.write : blocking,
    });
  } catch (err) {
    return failedWith(action, err, false, { plan });
  }
  if (res.outcome === 'failed')
    return {
      action,
      outcome: 'failed',
      reason: `Patroni refused: ${res.message} (HTTP ${res.status})`,
      sent: true,
      error: errorInfo(res.error),
      details: { plan },
    };
  if (scheduled) {
    if (res.outcome === 'succeeded')
      return {
        action,
        outcome: 'succeeded',
        reason: `${res.body} at ${plan.scheduledAt}`,
        sent: true,
        details: { plan },
      };
    return {
      action,
      outcome: 'unknown',
      reason: res.reason,
      sent: true,
      error: errorInfo(res.error),
      details: { plan },
    };
  }
  const from = view.leader ?? '';
  const said = res.outcome === 'succeeded' ? res.body : res.reason;
  const reported = res.outcome === 'succeeded' ? /"([^"]+)"(?: instead)?/.exec(res.body)?.[1] : undefined;
  if (opts.wait === false) {
    return res.outcome === 'succeeded'
      ? {
          action,
          outcome: 'succeeded',
          reason: said,
          sent: true,
          details: { plan, ...(reported ? { newLeader: reported } : {}) },
        }
      : {
          action,
          outcome: 'unknown',
          reason: said,
          sent: true,
          error: errorInfo(res.error),
          details: { plan },
        };
  }
  report('answer', `Patroni answered: ${said}`, target.name);
  try {
    const after = await waitForSwitchover(ctx, {
      from,
      ...withSignal(opts.signal),
      onProgress: (p) => report(p.phase, p.message, p.member),
      ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
    });
    const newLeader = after.confirmedLeader!;
    const wanted = plan.candidate;
    const note = wanted && newLeader !== wanted ? ` (instead of ${wanted})` : '';
    report('done', `${newLeader} leads`, newLeader);
    return {
      action,
      outcome: 'succeeded',
      reason: `${newLeader} is the new leader and runs${note}${res.outcome === 'unknown' ? '; confirmed by reading the cluster after an unknown answer' : ''}`,
      sent: true,
      details: { plan, newLeader },
    };
  } catch (err) {
    if (isPatroniKitError(err, 'ABORTED'))
      return {
        action,
        outcome: 'unknown',
        reason: `cancelled while waiting: ${said}`,
        sent: true,
        error: errorInfo(err),
        details: { plan },
      };
    const now = await ctx.read(withSignal(opts.signal)).catch(() => undefined);
    if (now && now.leader === from && now.confirmedLeader === from && !now.pendingFailover)
      return {
        action,
        outcome: 'failed',
        reason: `the leader is still ${from} and no request is pending (${said})`,
        sent: true,
        details: { plan },
      };
    return {
      action,
      outcome: 'unknown',
      reason: `${(err as Error).message} (Patroni said: ${said})`,
      sent: true,
      error: errorInfo(err),
      details: { plan },
    };
  }
}
