/**
 * The context every operation module runs on: a view reader, a REST client per member, the DCS client, the
 * clock, timeouts and the progress sink. `Cluster` builds one over its connections; a test can build one
 * over any real parts (a lab, a small HTTP server).
 */
import type { DcsClient } from '@patroni-kit/dcs';
import { type ErrorInfo, errorInfo, type PollStep, pollUntil } from '@patroni-kit/errors';
import type { NodeStatus, PatroniClient, WriteResult } from '@patroni-kit/rest';
import type { ResolvedTarget } from './config.js';
import type { StatusOptions } from './reader.js';
import type { ConnectionTimeouts } from './timeouts.js';
import type {
  ActionOptions,
  ActionResult,
  ClusterView,
  MemberOutcome,
  MemberView,
  Outcome,
} from './types.js';
import { membersWithRole, ROLE_FILTERS, type RoleFilter } from './view.js';

/** What an operation needs from the cluster it works on. */
export interface OpContext {
  /** The cluster name. */
  readonly scope: string;
  /** Where the cluster is and how to reach it. */
  readonly target: ResolvedTarget;
  /** Connection timeouts (ms). */
  readonly timeouts: Readonly<ConnectionTimeouts>;
  /** One cluster read (DCS, or `GET /cluster`, plus each member's `GET /patroni` unless `live: false`). */
  read(opts?: StatusOptions): Promise<ClusterView>;
  /** One member's `GET /patroni` (the lean read path). */
  memberStatus(url: string, opts?: { signal?: AbortSignal }): Promise<NodeStatus>;
  /** The REST client of a member (by its view or its URL); writes go through it. */
  rest(member: MemberView | string): Promise<PatroniClient>;
  /** The DCS client (etcd3), for writes to the DCS; rejects with USAGE when no DCS is configured. */
  dcs(): Promise<DcsClient>;
  /** Milliseconds since the epoch. */
  now(): number;
}

/** Emits one progress event; `phase` is a stable word (`check`, `send`, `wait`, …). */
export type Report = (phase: string, message: string, member?: string) => void;

/** A {@link Report} that stamps each event with the time since the operation began. */
export function reporter(ctx: Pick<OpContext, 'now'>, onProgress: ActionOptions['onProgress']): Report {
  const started = ctx.now();
  return (phase, message, member) =>
    onProgress?.({
      phase,
      message,
      elapsedMs: ctx.now() - started,
      ...(member === undefined ? {} : { member }),
    });
}

/** Polls `check` under a deadline, reporting each change of what is missing as a `wait` event. */
export function waitFor<T>(
  ctx: Pick<OpContext, 'now'>,
  what: string,
  check: () => Promise<PollStep<T>>,
  opts: { timeoutMs: number; signal?: AbortSignal | undefined; report?: Report | undefined },
): Promise<T> {
  return pollUntil(what, check, {
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
    now: () => ctx.now(),
    onWaiting: (last) => opts.report?.('wait', `waiting for ${what}: ${last}`),
  });
}

/** `{ signal }` when there is one (for exactOptionalPropertyTypes). */
export function withSignal(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}

/** A refused pre-check: nothing was sent. */
export function refused<D>(action: string, check: string, reason: string, details?: D): ActionResult<D> {
  return {
    action,
    outcome: 'failed',
    reason,
    sent: false,
    check,
    ...(details === undefined ? {} : { details }),
  };
}

/** A failure before or of a write, carrying the error in the one shape. */
export function failedWith<D>(action: string, err: unknown, sent: boolean, details?: D): ActionResult<D> {
  const error: ErrorInfo = errorInfo(err);
  return {
    action,
    outcome: 'failed',
    reason: error.message,
    sent,
    error,
    ...(details === undefined ? {} : { details }),
  };
}

/** The combined outcome of several member writes: unknown wins over failed, failed over succeeded. */
export function combine(outcomes: MemberOutcome[]): Outcome {
  if (outcomes.some((o) => o.outcome === 'unknown')) return 'unknown';
  if (outcomes.some((o) => o.outcome === 'failed')) return 'failed';
  return 'succeeded';
}

/** One member's write result as a {@link MemberOutcome}. */
export function memberOutcome(member: string, res: WriteResult): MemberOutcome {
  if (res.outcome === 'succeeded')
    return { member, outcome: 'succeeded', reason: res.body, status: res.status };
  if (res.outcome === 'failed') return { member, outcome: 'failed', reason: res.message, status: res.status };
  const out: MemberOutcome = { member, outcome: 'unknown', reason: res.reason };
  if (res.status !== undefined) out.status = res.status;
  return out;
}

/** A member whose request could not be made. */
export function memberFailed(member: string, err: unknown): MemberOutcome {
  const error = errorInfo(err);
  return { member, outcome: 'failed', reason: error.message, error };
}

/** The result of a multi-member action, one sentence per member. */
export function summary(action: string, outcomes: MemberOutcome[]): ActionResult {
  return {
    action,
    outcome: combine(outcomes),
    reason: outcomes
      .map(
        (o) =>
          `${o.outcome === 'succeeded' ? 'Success' : o.outcome === 'failed' ? 'Failed' : 'Unknown'}: ${action} on member ${o.member}: ${o.reason}`,
      )
      .join('; '),
    sent: true,
    members: outcomes,
  };
}

/** Which members an action targets: names, or patronictl's role filter (default `any`). */
export interface MemberSelection {
  members?: string[];
  role?: RoleFilter;
}

/** The members `sel` names, or the pre-check that refuses it. */
export function selectMembers(
  view: ClusterView,
  sel: MemberSelection,
): { members: MemberView[] } | { check: string; reason: string } {
  const role = sel.role ?? 'any';
  if (!ROLE_FILTERS.includes(role))
    return { check: 'role-filter', reason: `unknown role '${role}' (use ${ROLE_FILTERS.join(', ')})` };
  const missing = (sel.members ?? []).filter((n) => !view.members.some((m) => m.name === n));
  if (missing.length)
    return {
      check: 'members-exist',
      reason: `not members of ${view.scope}: ${missing.join(', ')} (members: ${view.members.map((m) => m.name).join(', ')})`,
    };
  let members = membersWithRole(view, role);
  if (sel.members?.length) members = members.filter((m) => sel.members!.includes(m.name));
  return { members };
}

/** The member a read goes to: the named one, else a running one of the role (default the leader). */
export function pickMember(
  view: ClusterView,
  opts: { role?: RoleFilter; member?: string },
): MemberView | undefined {
  if (opts.member !== undefined) return view.members.find((m) => m.name === opts.member);
  const pool = membersWithRole(view, opts.role ?? 'leader');
  return pool.find((m) => m.state === 'running' || m.state === 'streaming') ?? pool[0];
}

/** Members a config write goes to, best first: the confirmed leader, then every reachable member. */
export function writeOrder(view: ClusterView): MemberView[] {
  return [
    ...view.members.filter((m) => m.name === view.confirmedLeader),
    ...view.members.filter((m) => m.name !== view.confirmedLeader && m.live?.reachable),
  ];
}

/** One sentence on where the leadership stands (for waits). */
export function describeLeader(view: ClusterView): string {
  if (!view.leader) return 'no member holds the leader lock';
  const l = view.members.find((m) => m.name === view.leader);
  if (view.confirmedLeader)
    return `${view.confirmedLeader} leads${view.pendingFailover ? ', a switchover request is pending' : ''}`;
  return `${view.leader} holds the lock but is ${l?.live?.reachable ? `${l.live.role}/${l.live.state}` : 'unreachable'}`;
}
