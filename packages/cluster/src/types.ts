/** Public types of the Cluster facade: the cluster view, action results, health report. */
import type { DynamicConfig } from '@patroni-kit/dcs';
import type { ErrorInfo } from '@patroni-kit/errors';
import type { ClockOffset, ReplicaExplanation, SlotFinding } from './explain.js';

/** What a member's own `GET /patroni` said (the truth about its role), or why it could not be asked. */
export interface MemberLive {
  reachable: boolean;
  /** `primary` (also for 3.x `master`), `replica`, `standby_leader`, `demoted`, … */
  role?: string;
  state?: string;
  timeline?: number;
  replicationState?: string;
  patroniVersion?: string;
  /** PostgreSQL server_version, e.g. 150018. */
  serverVersion?: number;
  pendingRestart?: boolean;
  paused?: boolean;
  /** Names of the replicas streaming from this node (`replication` rows with state `streaming`). */
  streaming?: string[];
  /** WAL position: `xlog.location` on a primary, max(received, replayed) on a replica. */
  walPosition?: number;
  /** Set when the member was unreachable or did not answer like Patroni. */
  error?: ErrorInfo;
  /** Bounds of its clock's offset from ours (ms), from the HTTP `Date` of its answer and the round trip. */
  clockOffset?: ClockOffset;
}

/** Role of a member in the cluster, as patronictl computes it from the DCS (leader key and `sync`). */
export type MemberRole = 'leader' | 'standby_leader' | 'sync_standby' | 'quorum_standby' | 'replica';

/** One member, from the DCS (or `GET /cluster`) plus its own REST API. */
export interface MemberView {
  name: string;
  host?: string;
  port?: number;
  role: MemberRole;
  /** State as patronictl shows it: `replication_state` for non-leaders when known, else the member state. */
  state: string;
  timeline?: number;
  /** Bytes behind the leader's optime; `unknown` when the member published no position; absent for the leader. */
  lag?: number | 'unknown';
  pendingRestart: boolean;
  pendingRestartReason?: Record<string, { old_value: string; new_value: string }>;
  scheduledRestart?: Record<string, unknown>;
  tags: Record<string, unknown>;
  apiUrl?: string;
  /** Patroni version from the DCS member key or /patroni. */
  version?: string;
  /** The member's own view; absent when it was not asked. */
  live?: MemberLive;
  /** Whether it was listed in the DCS (false: only seen through a REST URL). */
  inDcs: boolean;
}

/** A known problem with the software a member runs. */
export interface Advisory {
  id: string;
  severity: 'warning' | 'critical';
  members: string[];
  message: string;
  fix: string;
}

/** A point where the DCS and a member's own REST API disagree. */
export interface Disagreement {
  member: string;
  dcs: string;
  member_says: string;
  message: string;
}

/** The whole cluster at one moment. */
export interface ClusterView {
  scope: string;
  /** `dcs` (read like patronictl), or `rest` (`GET /cluster`) when the DCS could not be read. */
  source: 'dcs' | 'rest';
  /** PostgreSQL system identifier (`initialize` key); `''` while initialising; absent when unknown. */
  systemId?: string;
  /** Holder of the leader lock according to the source. */
  leader: string | null;
  /** The leader confirmed by its own REST API (role primary/standby_leader, state running); null otherwise. */
  confirmedLeader: string | null;
  paused: boolean;
  scheduledSwitchover?: { at: string; from?: string; to?: string };
  /** Non-scheduled failover/switchover request pending in the `failover` key. */
  pendingFailover?: { leader?: string; candidate?: string };
  members: MemberView[];
  config?: DynamicConfig;
  /** `config` key revision (for compare-and-set edits). */
  configRevision?: string;
  synchronousMode: 'off' | 'on' | 'quorum';
  syncStandbys: string[];
  /** Leader WAL position from `status`/`optime`. */
  leaderOptime?: number;
  /** Slots Patroni keeps for members that left (`status.retain_slots`, Patroni 4.0+). */
  retainSlots?: string[];
  history?: Array<{ timeline: number; lsn: number; reason: string; timestamp?: string; newLeader?: string }>;
  disagreements: Disagreement[];
  advisories: Advisory[];
  warnings: string[];
  /** When the view was read (ISO). */
  at: string;
}

/** Outcome of an action: `unknown` means a write may or may not have taken effect. */
export type Outcome = 'succeeded' | 'failed' | 'unknown';

/** The result of one write to one member. */
export interface MemberOutcome {
  member: string;
  outcome: Outcome;
  reason: string;
  /** HTTP status when Patroni answered. */
  status?: number;
  /** The error when the request could not be made (code, message, hint). */
  error?: ErrorInfo;
}

/** Every action returns this: never thrown for failed or unknown outcomes. */
export interface ActionResult<D = Record<string, unknown>> {
  action: string;
  outcome: Outcome;
  /** One line for people. */
  reason: string;
  /** True when at least one write was sent. A refused pre-check never sends anything. */
  sent: boolean;
  /** The pre-check that refused the action (stable id), when one did. */
  check?: string;
  /** Per-member results of multi-member actions (restart, reload, reinit, flush). */
  members?: MemberOutcome[];
  /** The error behind a failed or unknown outcome (code, message, hint), when there was one. */
  error?: ErrorInfo;
  details?: D;
}

/**
 * One step of long work. `phase` is a stable word (`check`, `send`, `answer`, `wait`, `done`); `message` is
 * for people; `elapsedMs` counts from the start of the operation; `member` names the member it concerns.
 * Only the CLI formats it (`[1.2s] message`).
 */
export interface Progress {
  phase: string;
  message: string;
  elapsedMs: number;
  member?: string;
}

/** Options every action accepts. */
export interface ActionOptions {
  signal?: AbortSignal;
  /** Called with each step of the work. */
  onProgress?: (p: Progress) => void;
}

/** Severity of a health check, with Nagios' numbers. */
export type HealthState = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';

/** One health check. */
export interface HealthCheck {
  name: string;
  state: HealthState;
  message: string;
  /** Perf data value, when the check has one. */
  value?: number | string;
}

/** The health report. */
export interface HealthReport {
  scope: string;
  state: HealthState;
  /** 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
  exitCode: 0 | 1 | 2 | 3;
  summary: string;
  checks: HealthCheck[];
  /** What to store for the next run (timeline and config change detection). */
  memory: HealthMemory;
  at: string;
  /** Each non-leader member: healthy, or why not (timeline, WAL, login, lag). */
  replicas?: ReplicaExplanation[];
  /** Replication slots on the leader with their owner and retained WAL (when SQL on the leader worked). */
  slots?: SlotFinding[];
}

/** State kept between health runs. */
export interface HealthMemory {
  timeline?: number;
  configHash?: string;
}
