/**
 * @patroni-kit/config: JSON Schema validation and lint rules for Patroni's patroni.yml and its dynamic
 * (DCS) configuration, for Patroni 3.0–4.1.
 */
export {
  RULE_LIST,
  RULES,
  type Rule,
  type RuleDocs,
  type RuleGroup,
  type RuleId,
  type RuleInfo,
  type RuleMeta,
  type RuleVariant,
  ruleInfo,
  SEVERITY_POLICY,
} from './catalog.js';
export { type ClusterMember, clusterGroups, lintCluster } from './cluster.js';
export { envOverlay, parseEnvFile } from './env.js';
export { applyFixes } from './fix.js';
export { formatJson, formatSarif, formatText } from './format.js';
export { type LintResult, lintFile, lintText, parsePatroniVersion, sortFindings } from './lint.js';
export { joinPath, looksBinary, parseConfig } from './parse.js';
export { slotNameFromMember } from './rules/util.js';
export { patroniDcsSchema, patroniSchema, schemaAt } from './schema.js';
export * from './types.js';
export { compareVersions } from './values.js';
export { readYaml } from './yaml.js';
