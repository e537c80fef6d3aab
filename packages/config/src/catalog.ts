/**
 * The rule catalogue: every rule module in one list, the `RuleId` union derived from it, and the flat
 * documentation view (`RULES`) that docs/lint-rules.md (scripts/gen-lint-rules-doc.mjs), SARIF and the CLI use.
 */
import { rules as addresses } from './rules/addresses.js';
import { rules as bootstrap } from './rules/bootstrap.js';
import { rules as cluster } from './rules/cluster.js';
import { rules as credentials } from './rules/credentials.js';
import { rules as dcs } from './rules/dcs.js';
import { rules as environment } from './rules/environment.js';
import { rules as input } from './rules/input.js';
import { rules as names } from './rules/names.js';
import { rules as parameters } from './rules/parameters.js';
import { rules as pgHba } from './rules/pg-hba.js';
import { rules as placement } from './rules/placement.js';
import { rules as restapi } from './rules/restapi.js';
import type { Rule, RuleGroup, RuleMeta, RuleVariant } from './rules/rule.js';
import { rules as schema } from './rules/schema.js';
import { rules as sync } from './rules/sync.js';
import { rules as tags } from './rules/tags.js';
import { rules as templates } from './rules/templates.js';
import { rules as timing } from './rules/timing.js';
import type { Severity } from './types.js';

export type { Rule, RuleDocs, RuleGroup, RuleMeta, RuleVariant } from './rules/rule.js';
export { SEVERITY_POLICY } from './rules/rule.js';

/** Every rule, in the order of the rules page. */
export const RULE_LIST = [
  ...input,
  ...templates,
  ...schema,
  ...placement,
  ...timing,
  ...parameters,
  ...pgHba,
  ...credentials,
  ...dcs,
  ...addresses,
  ...names,
  ...tags,
  ...restapi,
  ...bootstrap,
  ...sync,
  ...environment,
  ...cluster,
] as const;

/** The id of a rule the linter has. */
export type RuleId = (typeof RULE_LIST)[number]['meta']['id'];

/** Documentation of one rule, flat (SARIF, `patroni-kit lint --explain`, the extension). */
export interface RuleInfo {
  id: string;
  severity: Severity;
  group?: RuleGroup;
  /** Other severities of documented cases. */
  variants?: Readonly<Record<string, RuleVariant>>;
  title: string;
  why: string;
  fix: string;
  example: string;
  autofix?: boolean;
  /** Only reported by the cluster-level lint (several member files). */
  cluster?: boolean;
}

/** All rules as documentation records. */
export const RULES: readonly RuleInfo[] = RULE_LIST.map((r) => {
  const m: RuleMeta = r.meta;
  return {
    id: m.id,
    severity: m.severity,
    group: m.group,
    ...(m.variants ? { variants: m.variants } : {}),
    ...m.docs,
    ...(m.autofix ? { autofix: true } : {}),
    ...(m.source === 'cluster' ? { cluster: true } : {}),
  };
});

const byId = new Map<string, RuleMeta>(RULE_LIST.map((r) => [r.meta.id, r.meta]));

/** The meta of rule `id` (the context uses it for the severity). */
export function ruleMeta(id: RuleId): RuleMeta {
  return byId.get(id)!;
}

/** The documentation of rule `id`. */
export function ruleInfo(id: string): RuleInfo | undefined {
  return RULES.find((r) => r.id === id);
}

/** The semantic checks, in catalogue order; `fileOnly` ones are skipped for dynamic documents. */
export function semanticRules(ctx: import('./context.js').RuleContext): void {
  for (const r of RULE_LIST as readonly Rule[]) {
    if (!r.check) continue;
    if (r.meta.fileOnly && ctx.dynamicDoc) continue;
    r.check(ctx);
  }
}
