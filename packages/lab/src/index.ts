export { defaultCacheDir, type Launcher, type ResolvedBinaries, resolveBinaries } from './binaries.js';
export { defaultLabDir, Lab, lookupUser } from './lab.js';
export {
  attachNamespace,
  createNetwork,
  deleteNetwork,
  detachNamespace,
  type NetnsPlan,
  netnsExists,
  netnsPlan,
} from './netns.js';
export { isPortFree, type SqlTarget, sql, waitFor } from './probes.js';
export {
  type ControlData,
  clusterTimeline,
  diagnoseStreaming,
  firstToStart,
  type HistoryLine,
  parseControlData,
  parseHistoryFile,
  type RestartCandidate,
  type StreamDiagnosis,
  type StreamFacts,
  segmentOnHistory,
} from './recovery.js';
export { timing } from './render.js';
export type * from './types.js';
