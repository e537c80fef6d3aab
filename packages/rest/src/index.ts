/**
 * `@patroni-kit/rest`: a typed, safe client for Patroni's REST API (3.0 to 4.1).
 *
 * Reads may retry; writes never do, and a write whose outcome is unknown is returned as
 * `{ outcome: 'unknown', reason }`. Every failure is a `PatroniKitError` with a stable `code`.
 */

export type { RequestEvent, RequestListener } from '@patroni-kit/errors';
export { blockingWriteTimeout, CLIENT_VERSION, isPrimaryRole, PatroniClient, unwrapWrite } from './client.js';
export {
  type LeanGetOptions,
  type LeanRequest,
  type LeanResponse,
  type LeanTls,
  leanGetJson,
  leanRequest,
  parseJsonBody,
} from './lean.js';
export type {
  CallOptions,
  ClusterMember,
  ClusterMemberRole,
  ClusterStatus,
  DynamicConfig,
  DynamicConfigPatch,
  FailoverRequest,
  FailsafeHeartbeat,
  FailsafeTopology,
  HealthEndpoint,
  HealthQuery,
  HealthResult,
  History,
  HistoryEntry,
  MppEvent,
  NodeRole,
  NodeStatus,
  PatroniClientOptions,
  PatroniPaths,
  PatroniTimeouts,
  PatroniTlsOptions,
  ReadinessQuery,
  ReinitializeRequest,
  RestartRequest,
  StatusLineResult,
  SwitchoverRequest,
  WriteFailed,
  WriteResult,
  WriteSucceeded,
  WriteUnknown,
} from './types.js';
export { HEALTH_ENDPOINTS } from './types.js';
