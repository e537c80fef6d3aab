/** What every rule gets: the merged config, positions, the target version, and a way to report. */
import { isScalar, type Node } from 'yaml';
import { type RuleId, ruleMeta } from './catalog.js';
import { findingAt, joinPath, locate, type ParsedConfig, type PathSegment, type Span } from './parse.js';
import type { Finding, Fix, PatroniVersion } from './types.js';
import { PATRONI_RELEASES } from './types.js';
import { compareVersions, isObj, type Obj } from './values.js';

export { compareVersions, isObj, type Obj, pgBool, toInt } from './values.js';

/** Where in the source a finding points. */
export type Anchor = 'key' | 'value' | 'pair';

/** How a rule reports a finding: which part of the node to point at, and an optional mechanical fix. */
export interface ReportOptions {
  anchor?: Anchor;
  fix?: Fix;
  /** A documented variant of the rule (`meta.variants`) with its own severity; the rule's default otherwise. */
  variant?: string;
}

/** Rule context for one file. */
export class RuleContext {
  readonly findings: Finding[] = [];
  readonly release: string;

  readonly parsed: ParsedConfig;
  /** The effective value: file merged with the environment. */
  readonly data: Obj;
  readonly version: PatroniVersion;
  /** Dotted path → PATRONI_* variable that set it. */
  readonly envSources: Map<string, string>;
  /** True when linting a dynamic (DCS) document. */
  readonly dynamicDoc: boolean;

  constructor(
    parsed: ParsedConfig,
    data: Obj,
    version: PatroniVersion,
    envSources: Map<string, string>,
    dynamicDoc: boolean,
  ) {
    this.parsed = parsed;
    this.data = data;
    this.version = version;
    this.envSources = envSources;
    this.dynamicDoc = dynamicDoc;
    this.release = PATRONI_RELEASES[version];
  }

  /** Path of the dynamic configuration inside this document. */
  get dynPath(): string[] {
    return this.dynamicDoc ? [] : ['bootstrap', 'dcs'];
  }

  /** The dynamic configuration (bootstrap.dcs, or the document itself), if any. */
  get dyn(): Obj | undefined {
    const v = this.dynamicDoc ? this.data : this.get(['bootstrap', 'dcs']);
    return isObj(v) ? v : undefined;
  }

  get(path: readonly PathSegment[]): unknown {
    let cur: unknown = this.data;
    for (const seg of path) {
      if (cur === null || typeof cur !== 'object') return undefined;
      cur = (cur as Record<string | number, unknown>)[seg];
    }
    return cur;
  }

  /** Source span for `path`: the key, the value or the whole pair; the nearest ancestor when absent. */
  span(path: readonly PathSegment[], anchor: Anchor = 'value'): Span {
    const loc = locate(this.parsed.doc, path);
    if (loc.depth < path.length) {
      const k = loc.key;
      if (k?.range) return { start: k.range[0], end: k.range[1] };
      if (loc.value && (loc.value as Node).range) {
        const r = (loc.value as Node).range!;
        const nl = this.parsed.text.indexOf('\n', r[0]);
        return { start: r[0], end: nl < 0 ? r[1] : Math.min(nl, r[1]) };
      }
      return { start: 0, end: 0 };
    }
    const keyRange = loc.key?.range;
    const valueRange = loc.value && isScalar(loc.value) ? loc.value.range : undefined;
    if (anchor === 'key' && keyRange) return { start: keyRange[0], end: keyRange[1] };
    if (anchor === 'value' && valueRange) return { start: valueRange[0], end: valueRange[1] };
    if (anchor === 'value' && loc.value && (loc.value as Node).range && !keyRange) {
      const r = (loc.value as Node).range!;
      const nl = this.parsed.text.indexOf('\n', r[0]);
      return { start: r[0], end: nl < 0 ? r[1] : Math.min(nl, r[1]) };
    }
    if (keyRange) {
      if (anchor === 'pair' && valueRange) return { start: keyRange[0], end: valueRange[1] };
      return { start: keyRange[0], end: keyRange[1] };
    }
    return { start: 0, end: 0 };
  }

  /** Reports a finding of `rule` with the severity its meta gives (or the named variant's). */
  report(rule: RuleId, path: readonly PathSegment[], message: string, opts: ReportOptions = {}): void {
    const meta = ruleMeta(rule);
    const variant = opts.variant === undefined ? undefined : meta.variants?.[opts.variant];
    if (opts.variant !== undefined && !variant)
      throw new Error(`rule ${rule} has no variant '${opts.variant}'`); // a programming error, caught by the tests
    const severity = variant?.severity ?? meta.severity;
    const dotted = joinPath(path);
    let text = message;
    const envVar = this.envSource(dotted);
    if (envVar) text = `${message} (value from ${envVar})`;
    const f = findingAt(this.parsed, this.span(path, opts.anchor ?? 'value'), rule, severity, dotted, text);
    if (opts.fix && !envVar) f.fix = opts.fix;
    this.findings.push(f);
  }

  private envSource(dotted: string): string | undefined {
    for (const [p, v] of this.envSources)
      if (dotted === p || dotted.startsWith(`${p}.`) || dotted.startsWith(`${p}[`)) return v;
    return undefined;
  }

  /** True when the key at `path` is written in the file (not only set by the environment). */
  inFile(path: readonly PathSegment[]): boolean {
    return locate(this.parsed.doc, path).depth === path.length;
  }

  /** Version comparison against the target release: true when target >= v. */
  atLeast(v: string): boolean {
    return compareVersions(this.release, v) >= 0;
  }
}
