/** The records a drill keeps: every write and read it attempted, every role sample, every event. */

/** How one write ended: acknowledged (the INSERT returned), failed (an error) or timed out (no answer). */
export type WriteOutcome = 'ok' | 'failed' | 'timeout';

/** One attempted write through HAProxy's writer port. */
export interface WriteRecord {
  /** Unique within the run; the row's primary key. */
  id: number;
  /** Epoch ms when the attempt started and when its answer (or error, or timeout) came. */
  startedAt: number;
  endedAt: number;
  outcome: WriteOutcome;
  /**
   * True when the write cannot have been committed: the connection failed before the INSERT was sent,
   * or the server refused it as read-only. Errors after the INSERT was sent are indeterminate.
   */
  definite?: boolean;
  /** The member that answered (from `inet_server_addr()`), on acknowledged writes. */
  member?: string;
  /** Its timeline (from the current WAL file name) and the WAL position after the INSERT. */
  timeline?: number;
  lsn?: string;
  /** Bytes of payload in the row. */
  bytes: number;
  error?: string;
}

/** One read through HAProxy's reader port. */
export interface ReadRecord {
  startedAt: number;
  endedAt: number;
  ok: boolean;
  member?: string;
  /** `pg_is_in_recovery()` of the member that answered (a replica should). */
  inRecovery?: boolean;
  error?: string;
}

/** One member's state at one poll round. */
export interface RoleSample {
  /** Poll round: samples of one round start together. */
  round: number;
  at: number;
  member: string;
  /** `NOT pg_is_in_recovery()` over the member's own socket; null when PostgreSQL did not answer. */
  writable: boolean | null;
  /** The role its REST API reports (`primary`, `replica`…), or null when unreachable. */
  restRole: string | null;
  restState?: string;
  timeline?: number;
}

/** Something that happened during the drill: a fault, a heal, a leader change. */
export interface DrillEvent {
  at: number;
  kind: 'fault' | 'heal' | 'leader' | 'role' | 'phase' | 'note';
  text: string;
}

/** The whole record of one scenario run: what the checker reads. */
export interface DrillHistory {
  scenario: string;
  /** The run's id (rows carry it), start and end. */
  run: string;
  startedAt: number;
  endedAt: number;
  /** When the scenario's (first) fault was injected; null for a scenario without one. */
  faultAt: number | null;
  members: string[];
  writes: WriteRecord[];
  reads: ReadRecord[];
  samples: RoleSample[];
  events: DrillEvent[];
  /** The ids found in the table at the end (read from the leader once all members stream). */
  finalIds: number[] | null;
  /** Synchronous mode was on (then no acknowledged write may be lost). */
  synchronous: boolean;
  /** `maximum_lag_on_failover` of the cluster (bytes). */
  maximumLagOnFailover: number;
  /** The final leader's timeline history: [timeline, byte position where it ended]; sizes lost WAL. */
  timelineHistory: Array<[number, number]>;
}

/** What the checker concludes. */
export interface CheckResult {
  writes: {
    attempted: number;
    acknowledged: number;
    failed: number;
    timedOut: number;
    /** Acknowledged and present at the end. */
    acknowledgedPresent: number;
    /** Acknowledged, missing at the end. */
    lost: number[];
    /** Payload bytes of the lost writes, and WAL bytes between the fork point and the last lost write. */
    lostBytes: number;
    lostWalBytes: number;
    /** Reported failed or timed out, yet committed. */
    ghost: number[];
    /** Ghosts whose failure was definite (never sent, or refused as read-only): those are anomalies. */
    definiteGhost: number[];
    /** Present at the end but never attempted by this run (duplicated or invented rows). */
    unexpected: number[];
  };
  /** Poll rounds where more than one member was writable. */
  dualPrimary: Array<{ round: number; at: number; members: string[] }>;
  /** Poll rounds where more than one member's REST API said `primary` (informational). */
  restDualPrimaryRounds: number;
  /** Acknowledged writes by member and timeline. */
  byMember: Array<{ member: string; timeline: number | null; acknowledged: number }>;
  outage: {
    /** Longest time between two consecutive acknowledged writes (what a client sees as the write gap). */
    maxWriteGapMs: number;
    /** Start and end of that gap. */
    gapFrom: number | null;
    gapTo: number | null;
    /** From the fault to the first acknowledged write that ends the longest gap after it. */
    writerBackMs: number | null;
  };
  reads: { attempted: number; ok: number; onPrimary: number };
  /** Each failed expectation, in words; empty when the run passed. */
  violations: string[];
  ok: boolean;
}
