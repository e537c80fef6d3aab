// Restarting an existing lab safely: which member starts first (the one that holds the newest timeline),
// and why a member does not stream (from its log and its timeline), with the command that fixes it.
// (Line comments: a JSDoc block here would merge into the first declaration's generated docs.)

/** What `pg_controldata` says about a stopped data directory. */
export interface ControlData {
  /** `shut down` (a primary that stopped cleanly), `shut down in recovery`, `in production` (crashed primary), … */
  state: string;
  timeline: number;
  /** Latest checkpoint location as a byte position. */
  checkpointLsn: number;
}

/** Parses `0/4028D80` into a byte position. */
export function parseLsn(text: string): number | undefined {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
  if (!m) return undefined;
  return Number.parseInt(m[1]!, 16) * 2 ** 32 + Number.parseInt(m[2]!, 16);
}

/** Formats a byte position as PostgreSQL does (`0/4028D80`). */
export function formatLsn(lsn: number): string {
  const hi = Math.floor(lsn / 2 ** 32);
  const lo = lsn - hi * 2 ** 32;
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}

/** The fields of `pg_controldata` output the restart order needs; undefined when they are missing. */
export function parseControlData(output: string): ControlData | undefined {
  const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'm').exec(output)?.[1]?.trim();
  const state = field('Database cluster state');
  const tl = Number(field("Latest checkpoint's TimeLineID"));
  const lsn = parseLsn(field('Latest checkpoint location') ?? '');
  if (!state || !Number.isInteger(tl) || lsn === undefined) return undefined;
  return { state, timeline: tl, checkpointLsn: lsn };
}

/** One stopped member as the restart order sees it. */
export interface RestartCandidate {
  index: number;
  name: string;
  control?: ControlData;
}

/** pg_controldata states of a data directory that last ran as a primary (cleanly stopped or crashed). */
const PRIMARY_STATES = new Set(['shut down', 'in production', 'shutting down', 'in crash recovery']);

/**
 * The member to start first after a full stop: the newest timeline (so the older-timeline ex-leader never
 * races alone), then the one that ran as primary on it (it has the most WAL of that timeline, whatever the
 * checkpoints say), then the furthest checkpoint, then the member the DCS history names as the last one
 * promoted. Undefined when no data directory could be read.
 */
export function firstToStart(candidates: RestartCandidate[], lastPromoted?: string): number | undefined {
  const known = candidates.filter((c) => c.control);
  if (known.length === 0) return undefined;
  const rank = (c: RestartCandidate) => [
    c.control!.timeline,
    PRIMARY_STATES.has(c.control!.state) ? 1 : 0,
    c.control!.checkpointLsn,
    c.name === lastPromoted ? 1 : 0,
  ];
  known.sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return rb[i]! - ra[i]!;
    return a.index - b.index;
  });
  return known[0]!.index;
}

/** One line of the DCS `history` key: timeline `timeline` ended at `lsn` (the next one began there). */
export interface HistoryLine {
  timeline: number;
  lsn: number;
  newLeader?: string;
}

/**
 * Parses a PostgreSQL timeline history file (`00000004.history`: `1\t0/402E538\treason` per line). It is
 * the leader's own truth: Patroni rewrites the DCS history only when the timeline NUMBER changes, so a
 * member that took over on a diverged branch with the same number leaves the DCS history describing
 * another branch.
 */
export function parseHistoryFile(text: string): HistoryLine[] {
  const out: HistoryLine[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+([0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8})/.exec(line);
    const lsn = m ? parseLsn(m[2]!) : undefined;
    if (m && lsn !== undefined) out.push({ timeline: Number(m[1]), lsn });
  }
  return out;
}

/** The timeline the DCS history implies the cluster is on (Patroni's `Cluster.timeline`): last line + 1. */
export function clusterTimeline(history: HistoryLine[]): number {
  const last = history.at(-1);
  return last ? last.timeline + 1 : 1;
}

const SEGMENT = 16 * 1024 * 1024;

/**
 * Whether a WAL segment (`000000020000000000000004`) could ever exist on a leader whose timeline is
 * `leaderTimeline` with this history: false when the leader's copy of that timeline begins after the
 * segment ends (the asking member is on another branch of history, not merely behind).
 */
export function segmentOnHistory(
  segment: string,
  history: HistoryLine[],
  leaderTimeline: number,
): boolean | undefined {
  const m = /^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})$/i.exec(segment);
  if (!m) return undefined;
  const tl = Number.parseInt(m[1]!, 16);
  const start = Number.parseInt(m[2]!, 16) * 2 ** 32 + Number.parseInt(m[3]!, 16) * SEGMENT;
  if (tl > leaderTimeline) return false;
  const began = tl === 1 ? 0 : history.find((h) => h.timeline === tl - 1)?.lsn;
  if (began === undefined) return undefined;
  if (start + SEGMENT <= began) return false;
  const ended = tl === leaderTimeline ? undefined : history.find((h) => h.timeline === tl)?.lsn;
  return ended === undefined || start < ended;
}

/** Why a member does not stream, as far as its log and timeline tell. */
export interface StreamDiagnosis {
  member: string;
  cause:
    | 'wal_removed'
    | 'timeline_diverged'
    | 'rewind_failed'
    | 'auth_failed'
    | 'cannot_connect'
    | 'not_running'
    | 'not_streaming';
  message: string;
  /** The command that fixes it, when there is one. */
  fix?: string;
}

/** What the lab knows about a member that is not streaming. */
export interface StreamFacts {
  member: string;
  /** The last lines of its log (Patroni and PostgreSQL write to the same file). */
  log: string;
  running: boolean;
  state?: string;
  timeline?: number;
  leader: string;
  leaderTimeline?: number;
  /** The DCS history, to tell a diverged member from one whose WAL was removed. */
  history: HistoryLine[];
  /** The reinit command line for this member. */
  reinit: string;
}

const lastMatch = (text: string, re: RegExp): RegExpExecArray | undefined => {
  let found: RegExpExecArray | undefined;
  for (const line of text.split('\n')) {
    const m = re.exec(line);
    if (m) found = m;
  }
  return found;
};

/** Classifies a member that does not stream (pure: the lab passes its log and REST view). */
export function diagnoseStreaming(facts: StreamFacts): StreamDiagnosis {
  // What a member logged before a successful pg_rewind is history: the rewind fixed it.
  const rewound = facts.log.lastIndexOf('pg_rewind exit code=0');
  const f = rewound >= 0 ? { ...facts, log: facts.log.slice(rewound) } : facts;
  const base = { member: f.member };
  if (!f.running)
    return {
      ...base,
      cause: 'not_running',
      message: `${f.member}: Patroni is not running`,
      fix: 'patroni-kit lab up (starts it again); see its log',
    };
  const tl =
    f.timeline !== undefined && f.leaderTimeline !== undefined
      ? ` (timeline ${f.timeline}, leader ${f.leader} on timeline ${f.leaderTimeline})`
      : '';
  const rewind = lastMatch(
    f.log,
    /(pg_rewind exit code=[1-9]\d*|Failed to rewind|rewind failed|pg_rewind: fatal: (.*))/i,
  );
  if (rewind)
    return {
      ...base,
      cause: 'rewind_failed',
      message: `${f.member}: pg_rewind failed${rewind[2] ? ` (${rewind[2]})` : ''}${tl}; its data must be cloned again`,
      fix: f.reinit,
    };
  const removed = lastMatch(f.log, /requested WAL segment (\S+) has already been removed/);
  const diverged = lastMatch(
    f.log,
    /(requested starting point \S+ on timeline \d+ is not in this server's history|requested timeline \d+ is not a child of this server's history|new timeline \d+ forked off current database system timeline \d+ before current recovery point \S+)/,
  );
  const neverThere =
    removed && f.leaderTimeline !== undefined
      ? segmentOnHistory(removed[1]!, f.history, f.leaderTimeline) === false
      : false;
  if (diverged || neverThere) {
    const why = diverged
      ? diverged[1]
      : `it asks for WAL segment ${removed![1]}, which the leader's history never had`;
    return {
      ...base,
      cause: 'timeline_diverged',
      message: `${f.member}: its timeline diverged from the leader's history${tl}: ${why}`,
      fix: f.reinit,
    };
  }
  if (removed)
    return {
      ...base,
      cause: 'wal_removed',
      message: `${f.member}: the leader ${f.leader} already removed WAL segment ${removed[1]} that it needs${tl}`,
      fix: f.reinit,
    };
  const auth = lastMatch(f.log, /password authentication failed for user "?([^"\s]+)"?/);
  if (auth)
    return {
      ...base,
      cause: 'auth_failed',
      message: `${f.member}: the leader ${f.leader} refuses the password of user ${auth[1]}${tl}`,
      fix: `check postgresql.authentication.replication in ${f.member}'s patroni.yml and the role's password on the leader; then ${f.reinit}`,
    };
  const connect = lastMatch(f.log, /could not connect to the primary server: (.*)$/);
  if (connect)
    return {
      ...base,
      cause: 'cannot_connect',
      message: `${f.member}: cannot connect to the leader ${f.leader}: ${connect[1]}${tl}`,
    };
  return {
    ...base,
    cause: 'not_streaming',
    message: `${f.member}: not streaming (state ${f.state ?? 'unknown'})${tl}; nothing in its log says why`,
    fix: f.reinit,
  };
}
