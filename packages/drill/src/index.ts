export { check, parseLsn } from './checker.js';
export { type DrillOptions, runDrill, type ScenarioResult, scenariosFor } from './drill.js';
export {
  haproxyServers,
  leaderOf,
  type MemberState,
  memberStates,
  type StreamingState,
  streamingState,
  timelineHistory,
} from './members.js';
export { markdown, type ReportFiles, summary, writeReport } from './report.js';
export { SCENARIO_NAMES, SCENARIOS, type Scenario, type ScenarioContext } from './scenarios.js';
export { svgToPng, timelineSvg } from './timeline.js';
export type * from './types.js';
export {
  CREATE_TABLE,
  DRILL_TABLE,
  type PolledMember,
  RolePoller,
  type SqlEndpoint,
  Workload,
  type WorkloadOptions,
} from './workload.js';
