/** Public types of the DCS package: decoded Patroni keys, cluster state, events, etcd health. */

/** etcd metadata of one key. Revisions and lease IDs are int64: kept as decimal strings, never numbers. */
export interface KeyMeta {
  /** Full etcd key, e.g. `/service/demo/leader`. */
  key: string;
  createRevision: string;
  modRevision: string;
  version: string;
  /** Lease ID (decimal), or `undefined` for keys without a lease. */
  leaseId?: string;
}

/** Remaining time of a lease, from `LeaseTimeToLive`. */
export interface LeaseTtl {
  id: string;
  /** Seconds left; `-1` when the lease has already expired. */
  ttl: number;
  /** TTL the lease was granted (or last renewed) with. */
  grantedTtl: number;
}

/** A decoded key: its value, its raw text and etcd metadata. */
export interface Entry<T> extends KeyMeta {
  value: T;
  raw: string;
  /** Filled by `readCluster` (unless `leases: false`) for keys attached to a lease. */
  lease?: LeaseTtl;
}

/** Dynamic configuration (`config` key). Unknown fields are kept as they are. */
export interface DynamicConfig {
  ttl?: number;
  loop_wait?: number;
  retry_timeout?: number;
  maximum_lag_on_failover?: number;
  maximum_lag_on_syncnode?: number;
  synchronous_mode?: boolean | 'on' | 'off' | 'quorum' | string;
  synchronous_mode_strict?: boolean;
  synchronous_node_count?: number;
  failsafe_mode?: boolean;
  pause?: boolean;
  check_timeline?: boolean;
  master_start_timeout?: number;
  primary_start_timeout?: number;
  standby_cluster?: Record<string, unknown> | null;
  postgresql?: {
    parameters?: Record<string, unknown>;
    use_pg_rewind?: boolean;
    use_slots?: boolean;
  } & Record<string, unknown>;
  slots?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A member key (`members/<name>`), as written by Patroni 3.0 to 4.1. */
export interface MemberValue {
  conn_url?: string;
  api_url?: string;
  proxy_url?: string;
  /** PostgreSQL state, `unknown` when absent (Patroni's own default). */
  state: string;
  /** `master` (Patroni 3.x) or `primary` (4.x) for the primary; `replica`, `standby_leader`, ... */
  role?: string;
  version?: string;
  tags?: Record<string, unknown>;
  xlog_location?: number;
  receive_lsn?: number;
  replay_lsn?: number;
  replication_state?: string;
  timeline?: number;
  pending_restart?: boolean;
  pending_restart_reason?: Record<string, { old_value: string; new_value: string }>;
  scheduled_restart?: Record<string, unknown>;
  checkpoint_after_promote?: boolean;
  pause?: boolean;
  [key: string]: unknown;
}

/** A member as we report it: name, raw value and derived facts. */
export interface MemberEntry extends Entry<MemberValue> {
  name: string;
  /** `primary` for both `master` and `primary`; other roles unchanged. */
  role: string;
  /** Host and port from `conn_url` when it parses. */
  host?: string;
  port?: number;
  /** Bytes behind `status.optime` (non-leaders with a known `xlog_location`), clamped at 0. */
  lag?: number;
  /** True when this member holds the leader key. */
  isLeader: boolean;
}

/** One `history` row: `[timeline, lsn, reason, timestamp?, new_leader?]`. */
export interface HistoryEntry {
  timeline: number;
  lsn: number;
  reason: string;
  timestamp?: string;
  newLeader?: string;
}

/** The `failover` key. An empty object means "nothing scheduled". */
export interface FailoverValue {
  leader?: string;
  /** The candidate (the REST body calls it `candidate`, the key `member`). */
  member?: string;
  scheduled_at?: string;
}

/** The `sync` key. */
export interface SyncValue {
  leader?: string;
  /** Comma-joined names as stored, split for convenience in {@link SyncValue.syncStandbys}. */
  sync_standby?: string | null;
  /** Patroni 4.0+ quorum mode. */
  quorum?: number;
  syncStandbys: string[];
}

/** The `status` key (or the legacy `optime/leader`). */
export interface StatusValue {
  optime?: number;
  slots?: Record<string, number>;
  retain_slots?: string[];
}

/** A key that could not be decoded; the rest of the cluster is still reported. */
export interface DcsProblem {
  key: string;
  message: string;
}

/** Everything Patroni keeps for one cluster, read at one etcd revision. */
export interface ClusterState {
  namespace: string;
  scope: string;
  /** `/<namespace>/<scope>/`. */
  prefix: string;
  /** etcd revision the read was served at. */
  revision: string;
  /** The `initialize` key exists (bootstrap started or done). */
  initialized: boolean;
  /** PostgreSQL system identifier from `initialize` (absent while bootstrapping). */
  systemId?: string;
  initialize?: Entry<string>;
  config?: Entry<DynamicConfig>;
  leader?: Entry<string>;
  members: MemberEntry[];
  history?: Entry<HistoryEntry[]>;
  failover?: Entry<FailoverValue>;
  sync?: Entry<SyncValue>;
  status?: Entry<StatusValue>;
  optimeLeader?: Entry<number>;
  failsafe?: Entry<Record<string, string>>;
  /** `pause: true` in `config`. */
  paused: boolean;
  /** Leader position in bytes: `status.optime`, else `optime/leader`. */
  leaderOptime?: number;
  /** Keys under the prefix Patroni does not write. */
  unknownKeys: string[];
  problems: DcsProblem[];
}

/** One scope found in a namespace. */
export interface ScopeSummary {
  scope: string;
  initialized: boolean;
  hasLeader: boolean;
  members: string[];
  keys: number;
}

/** Fields every event carries. */
export interface EventBase {
  scope: string;
  /** etcd revision of the change (of the resync read for changes found by a resync). */
  revision: string;
  /** ISO time the event was produced. */
  at: string;
}

/** Typed events of {@link ClusterWatch}. */
export type ClusterEvent = EventBase &
  (
    | { type: 'leader-changed'; from: string | null; to: string | null; timeline?: number }
    | { type: 'member-joined'; member: string; role: string; state: string }
    | { type: 'member-left'; member: string; lastRole: string; lastState: string }
    | { type: 'role-changed'; member: string; from: string; to: string }
    | { type: 'state-changed'; member: string; from: string; to: string }
    | {
        type: 'lag-threshold-crossed';
        member: string;
        lag: number;
        threshold: number;
        direction: 'above' | 'below';
      }
    | { type: 'config-changed'; changed: string[] }
    | { type: 'switchover-scheduled'; leader?: string; candidate?: string; scheduledAt?: string }
    | { type: 'switchover-cleared' }
    | { type: 'paused' }
    | { type: 'resumed' }
    | { type: 'failsafe-mode-changed'; enabled: boolean }
    | { type: 'failsafe-members-changed'; members: string[] }
    | { type: 'sync-changed'; from: string[]; to: string[] }
    | { type: 'history-changed'; timeline?: number; reason?: string }
    | { type: 'cluster-initialized'; systemId?: string }
    | { type: 'cluster-removed' }
    | { type: 'key-invalid'; key: string; message: string }
    | {
        type: 'watch-status';
        /**
         * `disconnected`: the stream broke (the client reconnects and resumes); `connected`: it is back;
         * `resyncing`: listing again and watching again (compaction, expired token, lost member); `retrying`: a
         * resync attempt failed and will be retried; `resynced`: watching again.
         */
        state: 'connected' | 'disconnected' | 'resyncing' | 'resynced' | 'retrying';
        reason?: string;
        /** For `retrying`: the error code and message that made us retry. */
        error?: { code: string; message: string; hint?: string };
      }
  );

/** Narrow {@link ClusterEvent} by its `type`. */
export type ClusterEventOf<T extends ClusterEvent['type']> = Extract<ClusterEvent, { type: T }>;

/** Status of one etcd endpoint (`Maintenance.Status`). */
export interface EndpointStatus {
  endpoint: string;
  reachable: boolean;
  /** Reachable, knows a leader and answered a linearizable read. */
  healthy: boolean;
  memberId?: string;
  name?: string;
  leaderId?: string;
  isLeader?: boolean;
  raftTerm?: string;
  raftIndex?: string;
  raftAppliedIndex?: string;
  dbSize?: number;
  dbSizeInUse?: number;
  version?: string;
  errors?: string[];
  clusterId?: string;
  /** Why the endpoint is not healthy. */
  error?: { code: string; message: string };
}

/** One etcd cluster member (`Cluster.MemberList`). */
export interface EtcdMember {
  id: string;
  name: string;
  peerUrls: string[];
  clientUrls: string[];
  isLearner: boolean;
}

/** The quorum verdict. */
export interface QuorumVerdict {
  /** `ok`: all healthy; `degraded`: quorum holds with failures; `lost`: no quorum. */
  state: 'ok' | 'degraded' | 'lost';
  healthy: number;
  total: number;
  needed: number;
  /** One sentence, e.g. "quorum lost: 1 of 3 members healthy, Patroni cannot elect a leader". */
  message: string;
}

/** What {@link DcsClient.health} returns. */
export interface EtcdHealth {
  endpoints: EndpointStatus[];
  members: EtcdMember[];
  /** Raised alarms (`NOSPACE`, `CORRUPT`) with member names; `undefined` when they could not be read. */
  alarms?: Array<{ memberId: string; member?: string; alarm: string }>;
  leader?: { id: string; name?: string };
  quorum: QuorumVerdict;
  warnings: string[];
}
