/**
 * `@patroni-kit/dcs`: Patroni's DCS in etcd v3 — typed keys, the live cluster model with typed events,
 * CAS writes, etcd health and quorum.
 */
export {
  DcsClient,
  type DcsClientOptions,
  mergeConfig,
  type ReadClusterOptions,
  type WriteResult,
} from './client.js';
export {
  connectionFromDcsUrl,
  connectionFromPatroniConfig,
  type DcsTarget,
  resolveDcsTarget,
} from './ctlconfig.js';
export {
  buildClusterState,
  decodeConfig,
  decodeFailover,
  decodeFailsafe,
  decodeHistory,
  decodeInitialize,
  decodeLeader,
  decodeMember,
  decodeOptimeLeader,
  decodeStatus,
  decodeSync,
  normalizeRole,
  type RawKv,
} from './decode.js';
export { isAuthTokenError, isCompactionError, toDcsError } from './errors.js';
export { type DiffOptions, diffStates, lagThreshold } from './events.js';
export { type GatewayRangeResult, GatewayTransport } from './gateway.js';
export { etcdHealth, quorumVerdict } from './health.js';
export {
  classifyKey,
  clusterPrefix,
  namespacePrefix,
  normalizeNamespace,
  PATRONI_KEYS,
  prefixRangeEnd,
} from './keys.js';
export {
  type CallOptions,
  type Compare,
  type ConnectionOptions,
  Etcd3Transport,
  type EtcdTransport,
  type MemberStatus,
  normalizeEndpoint,
  type RangeResult,
  type TlsOptions,
  type TxnOp,
  type WatchHandle,
  type WatchHandlers,
} from './transport.js';
export type * from './types.js';
export { ClusterWatch, type WatchOptions } from './watch.js';
