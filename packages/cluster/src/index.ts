/**
 * `@patroni-kit/cluster`: the Cluster facade — every patronictl 4.1 operation with its pre-checks, a health
 * report with Nagios exit codes, version advisories, and waiters. Heavy dependencies (the REST client, the
 * etcd3 client, `pg`, `yaml`) load only when an operation needs them.
 */
export { advisoriesFor, compareVersions, parseVersion } from './advisories.js';
export {
  type CandidateVerdict,
  evaluateCandidate,
  maxLagOnFailover,
  type PromotionKind,
  planSwitchover,
  rankCandidates,
  type SwitchoverPlan,
  type SwitchoverRequestOptions,
} from './checks.js';
export {
  Cluster,
  type DemoteClusterOptions,
  type EditConfigDetails,
  type EditConfigOptions,
  type FailoverOptions,
  type MemberSelection,
  type MemberVersion,
  type PauseOptions,
  parseSchedule,
  type QueryResult,
  type ReinitOptions,
  type RestartOptions,
  type StatusOptions,
  type SwitchoverOptions,
} from './cluster.js';
export {
  type BasicAuth,
  type ClusterTimeouts,
  type ConnectOptions,
  loadConfigFile,
  parseYaml,
  type ResolvedTarget,
  type RestTls,
  resolveTarget,
} from './config.js';
export { applyPatch, diffToPatch, settingsToPatch, unifiedDiff } from './edit.js';
export {
  type ClockOffset,
  classifySlots,
  clockOffsetBounds,
  clockSkew,
  explainReplica,
  formatLsn,
  type HistoryPoint,
  historyMismatch,
  historyTimeline,
  type LeaderWal,
  parseHistoryFile,
  parseLsn,
  type ReplicaCause,
  type ReplicaContext,
  type ReplicaExplanation,
  type SlotFinding,
  type SlotRow,
  segmentStartLsn,
  slotNameForMember,
  slotRowFromSql,
  type TimelineVerdict,
  timelineVerdict,
} from './explain.js';
export { EtcdGateway, type GatewayConnection } from './gateway.js';
export {
  configHash,
  type HealthFacts,
  type HealthOptions,
  type HealthProbeOptions,
  healthReport,
  unknownReport,
} from './health.js';
export * from './live.js';
export type * from './types.js';
export {
  lagInMb,
  liveFromStatus,
  membersWithRole,
  normalizeNodeRole,
  ROLE_FILTERS,
  type RoleFilter,
  roundHalfEven,
  viewFromDcs,
  viewFromRest,
} from './view.js';
export { type PollOptions, type PollStep, poll, sleep } from './wait.js';
