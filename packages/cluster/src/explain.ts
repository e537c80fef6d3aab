/**
 * Health that explains: why a replica does not stream (its timeline against the DCS history, WAL the
 * leader no longer has, refused credentials, or plain lag), clock skew between members from their HTTP
 * `Date`, and who owns each replication slot. Pure functions: the Cluster gathers the facts.
 */
import type { ClusterView, HealthState, MemberView } from './types.js';

/** One line of the DCS `history` key: `timeline` ended at `lsn`, where `timeline + 1` began. */
export interface HistoryPoint {
  timeline: number;
  lsn: number;
}

/** Formats a byte position the way PostgreSQL prints an LSN (`0/4028D80`). */
export function formatLsn(lsn: number): string {
  const hi = Math.floor(lsn / 2 ** 32);
  return `${hi.toString(16).toUpperCase()}/${(lsn - hi * 2 ** 32).toString(16).toUpperCase()}`;
}

/** Parses `0/4028D80` (as `pg_replication_slots` prints it) into a byte position. */
export function parseLsn(text: string | null | undefined): number | undefined {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text?.trim() ?? '');
  return m ? Number.parseInt(m[1]!, 16) * 2 ** 32 + Number.parseInt(m[2]!, 16) : undefined;
}

/** The timeline the history implies (Patroni's `Cluster.timeline`): the last line's timeline + 1, 1 when empty. */
export function historyTimeline(history: readonly HistoryPoint[]): number {
  const last = history.at(-1);
  return last ? last.timeline + 1 : 1;
}

/** Where a member stands against the leader's history. */
export interface TimelineVerdict {
  verdict: 'same' | 'behind' | 'diverged' | 'unknown';
  message: string;
}

/**
 * Compares a member's timeline and WAL position with the leader's timeline and the DCS history.
 * `diverged`: the member holds WAL the cluster's history does not contain (it needs pg_rewind or a
 * re-clone); `behind`: it is on an older timeline but not past the point where the cluster left it, so it
 * can still follow.
 */
export function timelineVerdict(
  member: { timeline?: number | undefined; lsn?: number | undefined },
  leaderTimeline: number | undefined,
  history: readonly HistoryPoint[],
): TimelineVerdict {
  const tl = member.timeline;
  if (tl === undefined || leaderTimeline === undefined)
    return { verdict: 'unknown', message: 'timeline unknown' };
  if (tl > leaderTimeline)
    return {
      verdict: 'diverged',
      message: `it is on timeline ${tl}, newer than the leader's ${leaderTimeline}: it was promoted outside the cluster's history`,
    };
  if (tl === leaderTimeline) {
    const began = tl === 1 ? 0 : history.find((h) => h.timeline === tl - 1)?.lsn;
    if (began !== undefined && member.lsn !== undefined && member.lsn < began)
      return {
        verdict: 'diverged',
        message: `it reports timeline ${tl} at ${formatLsn(member.lsn)}, before the leader's timeline ${tl} began (${formatLsn(began)}): another branch with the same number`,
      };
    return { verdict: 'same', message: `timeline ${tl}` };
  }
  const fork = history.find((h) => h.timeline === tl)?.lsn;
  if (fork === undefined)
    return {
      verdict: 'unknown',
      message: `it is on timeline ${tl}, which the DCS history (up to timeline ${historyTimeline(history)}) does not list`,
    };
  if (member.lsn === undefined)
    return {
      verdict: 'unknown',
      message: `it is on old timeline ${tl} (the cluster left it at ${formatLsn(fork)}); its WAL position is unknown`,
    };
  if (member.lsn > fork)
    return {
      verdict: 'diverged',
      message: `it has WAL up to ${formatLsn(member.lsn)} on timeline ${tl}, past ${formatLsn(fork)} where the cluster moved to timeline ${tl + 1}: its timeline diverged from the leader's history`,
    };
  return {
    verdict: 'behind',
    message: `it is on old timeline ${tl} at ${formatLsn(member.lsn)}, before the fork at ${formatLsn(fork)}: it can still follow timeline ${leaderTimeline}`,
  };
}

/** Patroni's slot name for a member (`slot_name_from_member_name`): lower case, `-`/`.` → `_`, others `uNNNN`. */
export function slotNameForMember(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, (c) =>
      c === '-' || c === '.' ? '_' : `u${String(c.codePointAt(0)).padStart(4, '0')}`,
    )
    .slice(0, 63);
}

/** One row of `pg_replication_slots` on the leader. */
export interface SlotRow {
  name: string;
  type: string;
  active: boolean;
  restartLsn?: number;
  /** PostgreSQL 13+: `reserved`, `extended`, `unreserved`, `lost`. */
  walStatus?: string;
  /** Bytes of WAL the slot keeps on the leader (current LSN − restart_lsn). */
  retainedBytes?: number;
  database?: string;
  plugin?: string;
}

/** Who a slot belongs to, and what to say about it. */
export interface SlotFinding extends SlotRow {
  owner: 'member' | 'permanent' | 'ignored' | 'retained' | 'none';
  /** The member the slot serves, when it belongs to one. */
  member?: string;
  state: HealthState;
  message: string;
}

function matchesIgnore(slot: SlotRow, rules: unknown): boolean {
  if (!Array.isArray(rules)) return false;
  return rules.some((r) => {
    if (typeof r !== 'object' || r === null) return false;
    const rule = r as Record<string, unknown>;
    const same = (key: string, value: string | undefined) =>
      rule[key] === undefined || String(rule[key]) === value;
    return (
      same('name', slot.name) &&
      same('type', slot.type) &&
      same('database', slot.database) &&
      same('plugin', slot.plugin)
    );
  });
}

const mib = (bytes: number | undefined) =>
  bytes === undefined ? 'unknown' : `${(bytes / 1048576).toFixed(1)} MiB`;

/**
 * Sorts each slot on the leader: a current member's (inactive is a WARNING when it retains more than
 * `retainWarnBytes`), permanent (`slots` in the config), ignored (`ignore_slots`), retained for a member
 * that left (`status.retain_slots`), or nobody's (WARNING: it pins WAL until someone drops it).
 */
export function classifySlots(
  rows: readonly SlotRow[],
  view: Pick<ClusterView, 'members' | 'leader' | 'config'>,
  opts: { retained?: readonly string[]; retainWarnBytes?: number } = {},
): SlotFinding[] {
  const byslot = new Map(view.members.map((m) => [slotNameForMember(m.name), m]));
  const config = (view.config ?? {}) as Record<string, unknown>;
  const permanent =
    typeof config.slots === 'object' && config.slots !== null ? Object.keys(config.slots as object) : [];
  const warnAt = opts.retainWarnBytes ?? 1 << 30;
  return rows.map((s) => {
    const member = byslot.get(s.name);
    const retains = `retains ${mib(s.retainedBytes)} of WAL`;
    const lost = s.walStatus === 'lost' ? '; the WAL it needs was already removed (wal_status lost)' : '';
    if (member && member.name !== view.leader) {
      if (s.active)
        return {
          ...s,
          owner: 'member',
          member: member.name,
          state: 'OK',
          message: `${s.name}: active, for member ${member.name}`,
        };
      const heavy = (s.retainedBytes ?? 0) > warnAt;
      return {
        ...s,
        owner: 'member',
        member: member.name,
        state: heavy || lost ? 'WARNING' : 'OK',
        message: `${s.name}: inactive, for member ${member.name} (not streaming), ${retains}${lost}`,
      };
    }
    if (permanent.includes(s.name))
      return {
        ...s,
        owner: 'permanent',
        state: lost ? 'WARNING' : 'OK',
        message: `${s.name}: permanent slot (config slots), ${s.active ? 'active' : 'inactive'}, ${retains}${lost}`,
      };
    if (matchesIgnore(s, config.ignore_slots))
      return {
        ...s,
        owner: 'ignored',
        state: 'OK',
        message: `${s.name}: managed outside Patroni (ignore_slots), ${s.active ? 'active' : 'inactive'}, ${retains}${lost}`,
      };
    if (opts.retained?.includes(s.name))
      return {
        ...s,
        owner: 'retained',
        state: 'WARNING',
        message: `${s.name}: belongs to no member; Patroni keeps it for member_slots_ttl after its member left (status.retain_slots), ${retains}${lost}`,
      };
    return {
      ...s,
      owner: 'none',
      state: 'WARNING',
      message: `${s.name}: belongs to no member and is not a permanent slot; it ${retains} on the leader until dropped${lost}`,
    };
  });
}

/** Bounds of a member's clock offset from ours (ms, member minus local), from one HTTP answer. */
export interface ClockOffset {
  min: number;
  max: number;
}

/**
 * A `Date` header has one-second resolution and was stamped between sending and receiving: the member's
 * clock read some time in [date, date + 1 s) at an instant in [sentAt, receivedAt].
 */
export function clockOffsetBounds(
  sentAt: number,
  receivedAt: number,
  dateHeader: string | undefined,
): ClockOffset | undefined {
  const date = dateHeader ? Date.parse(dateHeader) : Number.NaN;
  if (!Number.isFinite(date) || receivedAt < sentAt) return undefined;
  return { min: date - receivedAt, max: date + 1000 - sentAt };
}

/**
 * Clock skew between members: the smallest difference their offset bounds allow, so a WARNING means the
 * clocks certainly differ by more than `thresholdMs`.
 */
export function clockSkew(
  members: ReadonlyArray<{ name: string; offset?: ClockOffset | undefined }>,
  thresholdMs: number,
): { state: HealthState; message: string; value?: number } {
  const measured = members.filter((m): m is { name: string; offset: ClockOffset } => m.offset !== undefined);
  if (measured.length < 2)
    return { state: 'OK', message: `not measured (${measured.length} member(s) sent a Date header)` };
  let worst = { a: measured[0]!, b: measured[1]!, atLeast: 0, atMost: 0 };
  for (let i = 0; i < measured.length; i++)
    for (let j = i + 1; j < measured.length; j++) {
      const a = measured[i]!;
      const b = measured[j]!;
      const atLeast = Math.max(0, a.offset.min - b.offset.max, b.offset.min - a.offset.max);
      const atMost = Math.max(a.offset.max - b.offset.min, b.offset.max - a.offset.min);
      if (atLeast > worst.atLeast || (atLeast === worst.atLeast && atMost > worst.atMost))
        worst = { a, b, atLeast, atMost };
    }
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  if (worst.atLeast > thresholdMs)
    return {
      state: 'WARNING',
      message: `the clocks of ${worst.a.name} and ${worst.b.name} differ by at least ${s(worst.atLeast)} (limit ${s(thresholdMs)}): run chrony or systemd-timesyncd on every node`,
      value: Math.round(worst.atLeast),
    };
  return {
    state: 'OK',
    message: `members' clocks agree within ${s(worst.atMost)} (Date headers, 1 s resolution; limit ${s(thresholdMs)})`,
    value: Math.round(worst.atLeast),
  };
}

/** Why a replica is (not) healthy. */
export type ReplicaCause =
  | 'streaming'
  | 'behind'
  | 'unreachable'
  | 'not_running'
  | 'timeline_diverged'
  | 'timeline_behind'
  | 'wal_removed'
  | 'auth_failed'
  | 'not_streaming';

/** One replica's explanation in the health report. */
export interface ReplicaExplanation {
  member: string;
  cause: ReplicaCause;
  healthy: boolean;
  message: string;
  /** What to do about it. */
  fix?: string;
}

/** What the leader told us beyond the view (from SQL on the leader, when there was access). */
export interface LeaderWal {
  /** Start LSN of the oldest WAL segment still in the leader's pg_wal. */
  oldestSegmentLsn?: number;
  slots?: readonly SlotRow[];
  /** The leader's own timeline history file (`pg_wal/0000000N.history`). */
  history?: HistoryPoint[];
}

/** Parses a PostgreSQL timeline history file: `1\t0/402E538\treason` per line. */
export function parseHistoryFile(text: string): HistoryPoint[] {
  const out: HistoryPoint[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+([0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8})/.exec(line);
    const lsn = m ? parseLsn(m[2]) : undefined;
    if (m && lsn !== undefined) out.push({ timeline: Number(m[1]), lsn });
  }
  return out;
}

/**
 * Where the DCS history and the leader's own history file disagree on a timeline both list: the leader
 * is on another branch than the one the DCS recorded (a stale member took over with the same number).
 */
export function historyMismatch(
  dcs: readonly HistoryPoint[],
  own: readonly HistoryPoint[],
): { timeline: number; dcs: number; own: number } | undefined {
  for (const o of own) {
    const d = dcs.find((x) => x.timeline === o.timeline);
    if (d && d.lsn !== o.lsn) return { timeline: o.timeline, dcs: d.lsn, own: o.lsn };
  }
  return undefined;
}

/** The facts for {@link explainReplica} besides the member itself. */
export interface ReplicaContext {
  leader?: MemberView | undefined;
  history: readonly HistoryPoint[];
  maxLagBytes: number;
  leaderWal?: LeaderWal | undefined;
  /** The replication user's login to the leader, when it was tried. */
  replicationLogin?: { ok: boolean; message: string } | undefined;
  scope: string;
}

/** Explains one non-leader member: healthy, or the first cause that keeps it from streaming. */
export function explainReplica(m: MemberView, ctx: ReplicaContext): ReplicaExplanation {
  const reinit = `patroni-kit reinit ${ctx.scope} ${m.name}`;
  const base = { member: m.name };
  const leader = ctx.leader;
  const streamingToLeader = leader?.live?.streaming?.includes(m.name) === true;
  const streaming = streamingToLeader || m.live?.replicationState === 'streaming' || m.state === 'streaming';
  const lsn = m.live?.walPosition;
  const timeline = m.live?.timeline ?? m.timeline;
  const slot = ctx.leaderWal?.slots?.find((s) => s.name === slotNameForMember(m.name));
  const oldest = ctx.leaderWal?.oldestSegmentLsn;
  const walGone =
    slot?.walStatus === 'lost'
      ? `its slot ${slot.name} on the leader lost the WAL it reserved (wal_status lost)`
      : lsn !== undefined &&
          oldest !== undefined &&
          lsn < oldest &&
          !(slot?.restartLsn !== undefined && slot.restartLsn <= lsn)
        ? `it needs WAL from ${formatLsn(lsn)} but the oldest segment left on the leader starts at ${formatLsn(oldest)}`
        : undefined;
  if (!m.live?.reachable) {
    return {
      ...base,
      cause: 'unreachable',
      healthy: false,
      message: `${m.name}: its REST API does not answer${m.live?.error ? ` (${m.live.error.message})` : ''}${walGone ? `; when it returns, ${walGone}` : ''}`,
      fix: walGone ? `start it, then ${reinit}` : 'start Patroni on that node (or check the network)',
    };
  }
  if (m.live.state !== 'running') {
    return {
      ...base,
      cause: 'not_running',
      healthy: false,
      message: `${m.name}: PostgreSQL is ${m.live.state ?? 'not running'}${walGone ? `; ${walGone}` : ''}`,
      ...(walGone ? { fix: reinit } : {}),
    };
  }
  const tv = timelineVerdict({ timeline, lsn }, leader?.live?.timeline ?? leader?.timeline, ctx.history);
  if (tv.verdict === 'diverged')
    return {
      ...base,
      cause: 'timeline_diverged',
      healthy: false,
      message: `${m.name}: ${tv.message}`,
      fix: `${reinit} (or restart it with use_pg_rewind on so Patroni rewinds it)`,
    };
  if (!streaming && walGone)
    return {
      ...base,
      cause: 'wal_removed',
      healthy: false,
      message: `${m.name}: not streaming: ${walGone}`,
      fix: reinit,
    };
  if (!streaming && ctx.replicationLogin && !ctx.replicationLogin.ok)
    return {
      ...base,
      cause: 'auth_failed',
      healthy: false,
      message: `${m.name}: not streaming; the leader refuses the replication login: ${ctx.replicationLogin.message}`,
      fix: "make postgresql.authentication.replication in every patroni.yml match the role's password on the leader, and pg_hba allow it (host replication)",
    };
  if (!streaming && tv.verdict === 'behind')
    return {
      ...base,
      cause: 'timeline_behind',
      healthy: false,
      message: `${m.name}: not streaming yet; ${tv.message}`,
    };
  if (!streaming)
    return {
      ...base,
      cause: 'not_streaming',
      healthy: false,
      message: `${m.name}: running but not streaming from the leader${timeline !== undefined ? ` (timeline ${timeline})` : ''}; the cluster does not say why: read its PostgreSQL log (connection, pg_hba, replication password)`,
    };
  if (typeof m.lag !== 'number' || m.lag > ctx.maxLagBytes)
    return {
      ...base,
      cause: 'behind',
      healthy: false,
      message: `${m.name}: streaming but ${typeof m.lag === 'number' ? `${m.lag} bytes behind (limit ${ctx.maxLagBytes})` : 'its lag is unknown'}`,
    };
  return { ...base, cause: 'streaming', healthy: true, message: `${m.name}: streaming, lag ${m.lag} bytes` };
}

/** Start LSN of a WAL segment file name (`000000020000000000000004` → 0/4000000; 16 MiB segments). */
export function segmentStartLsn(name: string): number | undefined {
  const m = /^[0-9A-F]{8}([0-9A-F]{8})([0-9A-F]{8})$/i.exec(name);
  return m ? Number.parseInt(m[1]!, 16) * 2 ** 32 + Number.parseInt(m[2]!, 16) * 16 * 1024 * 1024 : undefined;
}

/** A `pg_replication_slots` row (LSNs and sizes as text) as a {@link SlotRow}. */
export function slotRowFromSql(r: {
  slot_name: string;
  slot_type: string;
  active: boolean;
  restart_lsn: string | null;
  wal_status: string | null;
  retained: string | null;
  database: string | null;
  plugin: string | null;
}): SlotRow {
  const row: SlotRow = { name: r.slot_name, type: r.slot_type, active: r.active };
  const lsn = parseLsn(r.restart_lsn);
  if (lsn !== undefined) row.restartLsn = lsn;
  if (r.wal_status) row.walStatus = r.wal_status;
  if (r.retained !== null && Number.isFinite(Number(r.retained))) row.retainedBytes = Number(r.retained);
  if (r.database) row.database = r.database;
  if (r.plugin) row.plugin = r.plugin;
  return row;
}
