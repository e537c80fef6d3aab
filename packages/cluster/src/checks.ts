/** Pre-checks of switchover and failover, as pure functions of a {@link ClusterView}. */
import type { ClusterView, MemberView } from './types.js';

/** Why a member can or cannot be promoted. */
export interface CandidateVerdict {
  member: string;
  ok: boolean;
  /** Stable ids of the failed checks. */
  failed: string[];
  /** One sentence per failed check. */
  reasons: string[];
  lag?: number | 'unknown';
  /**
   * Where the lag and role facts came from: `rest` when both the leader and the candidate answered their
   * own `GET /patroni` with a WAL position (fresh), `dcs` when the lag is the DCS member key's (up to
   * loop_wait old).
   */
  source: 'rest' | 'dcs';
}

/** What kind of promotion the candidate is for. */
export type PromotionKind = 'switchover' | 'failover';

/** `maximum_lag_on_failover` from the dynamic configuration (Patroni's default 1 MiB). */
export function maxLagOnFailover(view: ClusterView): number {
  const v = view.config?.maximum_lag_on_failover;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : 1048576;
}

function noFailover(m: MemberView): boolean {
  const t = m.tags;
  if (t.nofailover === true || t.nofailover === 'true') return true;
  const prio = t.failover_priority;
  return typeof prio === 'number' && prio <= 0;
}

/**
 * The candidate's lag from the freshest facts: the leader's and the candidate's own `GET /patroni` WAL
 * positions when both answered (what Patroni itself asks), else the DCS member key's lag.
 */
function freshLag(
  view: ClusterView,
  m: MemberView,
): { lag: number | 'unknown' | undefined; source: 'rest' | 'dcs' } {
  const leader = view.members.find((x) => x.name === view.leader);
  const leaderWal = leader?.live?.reachable ? leader.live.walPosition : undefined;
  const ownWal = m.live?.reachable ? m.live.walPosition : undefined;
  // Both answers are a few ms apart: a replica read after the leader may be ahead of what the leader said.
  if (leaderWal !== undefined && ownWal !== undefined && m.name !== leader?.name)
    return { lag: Math.max(0, leaderWal - ownWal), source: 'rest' };
  return { lag: m.lag, source: 'dcs' };
}

/**
 * Checks one candidate: it is a member, not the leader, reachable and running as a replica, not tagged
 * `nofailover`, within `maximum_lag_on_failover`, not behind on the timeline when `check_timeline` is on and,
 * for a switchover in synchronous mode, the synchronous standby.
 */
export function evaluateCandidate(view: ClusterView, name: string, kind: PromotionKind): CandidateVerdict {
  const verdict: CandidateVerdict = { member: name, ok: false, failed: [], reasons: [], source: 'dcs' };
  const fail = (id: string, reason: string) => {
    verdict.failed.push(id);
    verdict.reasons.push(reason);
  };
  const m = view.members.find((x) => x.name === name);
  if (!m) {
    fail(
      'candidate-exists',
      `Member ${name} does not exist in cluster ${view.scope} (members: ${view.members.map((x) => x.name).join(', ') || 'none'})`,
    );
    return verdict;
  }
  const fresh = freshLag(view, m);
  verdict.source = fresh.source;
  if (fresh.lag !== undefined) verdict.lag = fresh.lag;
  if (name === view.leader) {
    fail('candidate-not-leader', `Member ${name} is already the leader of cluster ${view.scope}`);
    return verdict;
  }
  if (noFailover(m))
    fail('candidate-failover-allowed', `Member ${name} is tagged nofailover (or failover_priority <= 0)`);
  if (!m.live?.reachable)
    fail(
      'candidate-reachable',
      `Member ${name} does not answer on its REST API${m.live?.error ? ` (${m.live.error.message})` : ''}`,
    );
  else {
    if (m.live.state !== 'running')
      fail('candidate-running', `Member ${name} is not running (state ${m.live.state ?? 'unknown'})`);
    if (m.live.role !== 'replica')
      fail('candidate-is-replica', `Member ${name} reports role ${m.live.role ?? 'unknown'}, not replica`);
  }
  const maxLag = maxLagOnFailover(view);
  const from = fresh.source === 'rest' ? "by the members' own REST answers" : 'by its DCS member key';
  if (fresh.lag === 'unknown' || fresh.lag === undefined)
    fail('candidate-lag', `Member ${name} published no WAL position, so its lag is unknown`);
  else if (fresh.lag > maxLag)
    fail(
      'candidate-lag',
      `Member ${name} lags ${fresh.lag} bytes behind the leader (${from}), more than maximum_lag_on_failover (${maxLag})`,
    );
  const leader = view.members.find((x) => x.name === view.leader);
  const leaderTl = leader?.live?.timeline ?? leader?.timeline;
  const tl = m.live?.timeline ?? m.timeline;
  if (view.config?.check_timeline === true && leaderTl !== undefined && tl !== undefined && tl < leaderTl)
    fail('candidate-timeline', `Member ${name} is on timeline ${tl}, behind the leader's ${leaderTl}`);
  if (kind === 'switchover' && view.synchronousMode === 'on' && !view.syncStandbys.includes(name))
    fail(
      'candidate-sync-standby',
      `Member ${name} is not the synchronous standby (sync: ${view.syncStandbys.join(', ') || 'none'}); in synchronous mode only it can take over without data loss`,
    );
  verdict.ok = verdict.failed.length === 0;
  return verdict;
}

/** Every non-leader member, verdicts sorted best first (sync standby, then lowest lag, then name). */
export function rankCandidates(view: ClusterView, kind: PromotionKind): CandidateVerdict[] {
  const lagOf = (v: CandidateVerdict) => (typeof v.lag === 'number' ? v.lag : Number.MAX_SAFE_INTEGER);
  const prio = (name: string) => {
    const p = view.members.find((m) => m.name === name)?.tags.failover_priority;
    return typeof p === 'number' ? p : 1;
  };
  return view.members
    .filter((m) => m.name !== view.leader)
    .map((m) => evaluateCandidate(view, m.name, kind))
    .sort(
      (a, b) =>
        Number(b.ok) - Number(a.ok) ||
        Number(view.syncStandbys.includes(b.member)) - Number(view.syncStandbys.includes(a.member)) ||
        prio(b.member) - prio(a.member) ||
        lagOf(a) - lagOf(b) ||
        (a.member < b.member ? -1 : 1),
    );
}

/** A switchover that passed (or failed) its pre-checks. */
export interface SwitchoverPlan {
  ok: boolean;
  /** Stable id of the check that refused. */
  check?: string;
  reason: string;
  leader?: string;
  candidate?: string;
  scheduledAt?: string;
  /** Every candidate's verdict, best first, each naming the source of its facts. */
  verdicts: CandidateVerdict[];
  /** The cluster the plan was made for. */
  scope: string;
  /** Its system identifier, when the view had one (a plan never runs on another cluster of that name). */
  systemId?: string;
  /** When the view the plan was made on was read (ISO). */
  readAt: string;
}

/** Input of {@link planSwitchover}. */
export interface SwitchoverRequestOptions {
  /** The current leader (patronictl `--leader`); checked against the lock holder. */
  leader?: string;
  /** The member to promote; when absent the healthiest candidate is chosen. */
  candidate?: string;
  /** ISO time with offset for a scheduled switchover; absent or `now` for an immediate one. */
  scheduledAt?: string;
}

/** Runs every switchover pre-check on `view` (patronictl's and the stricter ones); writes nothing. */
export function planSwitchover(view: ClusterView, opts: SwitchoverRequestOptions): SwitchoverPlan {
  const verdicts = rankCandidates(view, 'switchover');
  const basis = {
    scope: view.scope,
    readAt: view.at,
    ...(view.systemId ? { systemId: view.systemId } : {}),
  };
  const refuse = (check: string, reason: string): SwitchoverPlan => ({
    ok: false,
    check,
    reason,
    verdicts,
    ...basis,
  });
  if (!view.leader) return refuse('has-leader', `This cluster (${view.scope}) has no leader`);
  if (opts.leader !== undefined && opts.leader !== view.leader)
    return refuse(
      'leader-matches',
      `Member ${opts.leader} is not the leader of cluster ${view.scope} (the leader is ${view.leader})`,
    );
  if (!view.confirmedLeader) {
    const l = view.members.find((m) => m.name === view.leader);
    const why = l?.live?.reachable
      ? `it reports role ${l.live.role ?? 'unknown'} and state ${l.live.state ?? 'unknown'}`
      : 'its REST API does not answer';
    return refuse(
      'leader-confirmed',
      `${view.leader} holds the leader lock but ${why}; a switchover needs a running leader`,
    );
  }
  const scheduled = opts.scheduledAt !== undefined && opts.scheduledAt !== 'now';
  if (scheduled && view.paused) return refuse('not-paused', "Can't schedule switchover in the paused state");
  if (view.paused && opts.candidate === undefined)
    return refuse('candidate-given', 'Switchover is possible only to a specific candidate in a paused state');
  if (view.scheduledSwitchover)
    return refuse(
      'none-scheduled',
      `a switchover is already scheduled at ${view.scheduledSwitchover.at}; cancel it first (patroni-kit flush ${view.scope} switchover)`,
    );
  let candidate = opts.candidate;
  if (candidate !== undefined) {
    const verdict = evaluateCandidate(view, candidate, 'switchover');
    // A scheduled switchover runs later: only what cannot change by then is checked now.
    const fatal = scheduled
      ? verdict.failed.filter((f) =>
          ['candidate-exists', 'candidate-not-leader', 'candidate-failover-allowed'].includes(f),
        )
      : verdict.failed;
    if (fatal.length > 0) {
      const reasons = verdict.reasons.filter((_, i) => fatal.includes(verdict.failed[i]!));
      return refuse(fatal[0]!, reasons.join('; '));
    }
  } else if (!scheduled) {
    const best = verdicts.find((v) => v.ok);
    if (!best)
      return refuse(
        'candidate-available',
        `No candidates found to switchover to: ${verdicts.map((v) => v.reasons.join(', ')).join('; ') || 'the cluster has no other member'}`,
      );
    candidate = best.member;
  }
  const plan: SwitchoverPlan = {
    ok: true,
    reason: `switchover from ${view.leader} to ${candidate ?? 'the best candidate at that time'}${scheduled ? ` at ${opts.scheduledAt}` : ''}`,
    leader: view.leader,
    verdicts,
    ...basis,
  };
  if (candidate !== undefined) plan.candidate = candidate;
  if (scheduled) plan.scheduledAt = opts.scheduledAt!;
  return plan;
}
