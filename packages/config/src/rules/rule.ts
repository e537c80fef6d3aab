/**
 * The shape of a lint rule: `{ meta, check }`. `meta` carries the id, the default severity, the documented
 * variants with other severities, and the text of docs/lint-rules.md; `check` finds the problem in one file.
 * Rules whose findings come from the parser, the schema pass, the environment overlay or the cluster pass
 * have no `check` and name their `source` instead. A check may also report another rule of its group when
 * both come from one piece of work (one parse of pg_hba, one walk over the DCS host list).
 */
import type { RuleContext } from '../context.js';
import type { Severity } from '../types.js';

/** The groups rules are filed under, one module each (src/rules/<group>.ts). */
export type RuleGroup =
  | 'input'
  | 'templates'
  | 'schema'
  | 'placement'
  | 'timing'
  | 'parameters'
  | 'pg-hba'
  | 'credentials'
  | 'dcs'
  | 'addresses'
  | 'names'
  | 'tags'
  | 'restapi'
  | 'bootstrap'
  | 'sync'
  | 'environment'
  | 'cluster';

/** The documentation of a rule (rules page, SARIF, hover). */
export interface RuleDocs {
  /** One line: what the rule finds. */
  title: string;
  /** Why it matters: what Patroni does with such a configuration. */
  why: string;
  /** How to fix it. */
  fix: string;
  /** A configuration excerpt that triggers the rule. */
  example: string;
}

/** A severity other than the default, for one documented case of the rule. */
export interface RuleVariant {
  severity: Severity;
  /** When this severity applies (shown on the rules page). */
  when: string;
}

/** What a rule is: id, severity by the policy, and its documentation. */
export interface RuleMeta<Id extends string = string> {
  id: Id;
  group: RuleGroup;
  /** The severity under the policy (docs/lint-rules.md, top). */
  severity: Severity;
  /** Named cases with another severity; `ctx.report(id, path, message, { variant })` selects one. */
  variants?: Readonly<Record<string, RuleVariant>>;
  /** True when `--fix` can repair it mechanically (at least in the common case). */
  autofix?: boolean;
  /** Who reports it when the rule has no `check` of its own. */
  source?: 'parser' | 'schema' | 'env' | 'cluster';
  /** Only checked in patroni.yml, not in a dynamic (DCS) document. */
  fileOnly?: boolean;
  docs: RuleDocs;
}

/** A rule: its meta and, for semantic rules, the check that runs on every file. */
export interface Rule<Id extends string = string> {
  meta: RuleMeta<Id>;
  check?: (ctx: RuleContext) => void;
}

/** Declares a rule; `Id` stays a literal type so the catalogue can derive the `RuleId` union. */
export function defineRule<const Id extends string>(
  meta: RuleMeta<Id>,
  check?: (ctx: RuleContext) => void,
): Rule<Id> {
  return check ? { meta, check } : { meta };
}

/** The severity policy every rule follows (top of docs/lint-rules.md). */
export const SEVERITY_POLICY = [
  '- **error**: Patroni refuses the file or the value (its validator, `patroni --validate-config`, or at',
  '  start), or the cluster cannot work as written: replicas cannot connect, a setting is ignored in a way',
  '  that changes behaviour (the value that runs is not the value written), a value cannot be parsed.',
  '- **warning**: it works, but it is risky, or Patroni silently rewrites the value to one that works (the',
  '  file then does not say what runs), or a setting is ignored without changing behaviour.',
  '- **info**: legacy spellings and style.',
  '- Findings that depend on the deployment, which a file cannot show (a loopback address on a one-host',
  '  setup, a single DCS endpoint given by name, NAT between members), are never errors.',
].join('\n');
