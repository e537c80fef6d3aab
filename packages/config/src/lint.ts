/** Linting one configuration: parse, merge the environment, schema, semantic rules. */
import { readFile, stat } from 'node:fs/promises';
import { deepMerge, PatroniKitError } from '@patroni-kit/errors';
import { semanticRules } from './catalog.js';
import { isObj, type Obj, RuleContext } from './context.js';
import { envOverlay } from './env.js';
import { DEFAULT_MAX_BYTES, type ParsedConfig, parseConfig } from './parse.js';
import { schemaFindings, versionFindings } from './schema-findings.js';
import { collectSecrets, redactFindings } from './secrets.js';
import type { FileResult, Finding, LintOptions, PatroniVersion } from './types.js';

const VERSIONS: readonly PatroniVersion[] = ['3.0', '4.0', '4.1'];

/** Checks a --patroni-version value. */
export function parsePatroniVersion(value: string): PatroniVersion {
  const v = value.trim().replace(/^v/, '');
  const line = VERSIONS.find((x) => v === x || v.startsWith(`${x}.`));
  if (!line) {
    throw new PatroniKitError('USAGE', `Unsupported Patroni version '${value}'.`, {
      hint: `Use one of ${VERSIONS.join(', ')}.`,
    });
  }
  return line;
}

/** Result of {@link lintText}: findings plus what the rules saw (for cluster-level checks). */
export interface LintResult {
  findings: Finding[];
  parsed: ParsedConfig;
  /** The effective configuration (file merged with PATRONI_* variables), or undefined when unreadable. */
  data: Obj | undefined;
}

const order = { error: 0, warning: 1, info: 2 } as const;

/** Sorts findings by position, then severity. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      a.line - b.line ||
      a.column - b.column ||
      order[a.severity] - order[b.severity] ||
      a.rule.localeCompare(b.rule),
  );
}

/** Lints configuration text (or raw bytes). Never throws on bad input; no finding quotes a secret. */
export function lintText(input: string | Uint8Array, options: LintOptions = {}): LintResult {
  const result = lintUnredacted(input, options);
  const secrets = collectSecrets(result.parsed, options.env);
  return { ...result, findings: redactFindings(result.findings, secrets) };
}

function lintUnredacted(input: string | Uint8Array, options: LintOptions): LintResult {
  const version = options.patroniVersion ?? '4.1';
  const parsed = parseConfig(input, options.maxBytes ?? DEFAULT_MAX_BYTES);
  const findings = [...parsed.findings];
  const fatal = findings.some((f) =>
    ['input-binary', 'input-too-large', 'yaml-too-deep', 'yaml-alias-limit'].includes(f.rule),
  );
  if (
    fatal ||
    (parsed.data === undefined &&
      findings.some((f) => f.rule === 'yaml-syntax' || f.rule === 'template-placeholder'))
  ) {
    return { findings: sortFindings(dedupe(findings)), parsed, data: undefined };
  }
  let data = parsed.data;
  const fileSections = new Set(isObj(data) ? Object.keys(data) : []);
  const env = options.env ? envOverlay(options.env, fileSections) : undefined;
  if (env && !options.dynamic) data = deepMerge(isObj(data) ? data : {}, env.overlay);
  if (!isObj(data)) {
    const empty = data === null || data === undefined;
    findings.push({
      rule: 'not-a-mapping',
      severity: 'error',
      path: '',
      message: empty
        ? 'The document is empty: a Patroni configuration is a mapping of settings (name, scope, restapi, postgresql, a DCS section, …).'
        : `The document is ${Array.isArray(data) ? 'a list' : `a ${typeof data}`}, but Patroni needs a mapping of settings at the top level.`,
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 1,
    });
    return { findings: sortFindings(findings), parsed, data: undefined };
  }
  const ctx = new RuleContext(parsed, data, version, env?.sources ?? new Map(), options.dynamic ?? false);
  if (env) {
    for (const p of env.problems) {
      findings.push({
        rule: 'env-variable',
        severity: 'warning',
        path: '',
        message: p.message,
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 1,
      });
    }
  }
  schemaFindings(ctx);
  versionFindings(ctx);
  semanticRules(ctx);
  findings.push(...ctx.findings);
  return { findings: sortFindings(suppress(dedupe(findings), parsed.text, options.ignore)), parsed, data };
}

const DIRECTIVE = /#\s*patroni-kit:\s*(ignore-file|ignore)\s*(?:\[([^\]]*)\])?/;

/**
 * Drops findings the user silenced: `# patroni-kit: ignore[rule-a, rule-b]` at the end of the line or on the
 * line before; `# patroni-kit: ignore-file[rule]` anywhere; without a list, every rule. Errors about the
 * input itself (binary, syntax) cannot be silenced because then there is nothing to lint.
 */
function suppress(findings: Finding[], text: string, ignore: readonly string[] = []): Finding[] {
  const byLine = new Map<number, Set<string> | 'all'>();
  const fileWide = new Set<string>(ignore);
  let allFile = false;
  if (text.includes('patroni-kit:')) {
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      const m = DIRECTIVE.exec(line);
      if (!m) return;
      const rules =
        m[2] === undefined
          ? 'all'
          : new Set(
              m[2]
                .split(',')
                .map((r) => r.trim())
                .filter(Boolean),
            );
      if (m[1] === 'ignore-file') {
        if (rules === 'all') allFile = true;
        else for (const r of rules) fileWide.add(r);
        return;
      }
      // a comment alone on its line applies to the next line; after a value, to its own line
      const target = line.trim().startsWith('#') ? i + 2 : i + 1;
      byLine.set(target, rules);
    });
  }
  if (!allFile && fileWide.size === 0 && byLine.size === 0) return findings;
  const fatal = new Set([
    'input-binary',
    'input-too-large',
    'yaml-syntax',
    'yaml-alias-limit',
    'yaml-too-deep',
    'input-unreadable',
  ]);
  return findings.filter((f) => {
    if (fatal.has(f.rule)) return true;
    if (allFile || fileWide.has(f.rule)) return false;
    const here = byLine.get(f.line);
    return !(here === 'all' || here?.has(f.rule));
  });
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.rule}|${f.path}|${f.line}|${f.column}|${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Reads and lints one file; unreadable files become a finding. */
export async function lintFile(
  file: string,
  options: LintOptions = {},
): Promise<FileResult & { result?: LintResult }> {
  const max = options.maxBytes ?? DEFAULT_MAX_BYTES;
  try {
    const st = await stat(file);
    if (st.isDirectory()) {
      return { file, findings: [unreadable(`${file} is a directory; pass the YAML files in it.`)] };
    }
    if (!st.isFile()) {
      // devices and pipes could stream forever (/dev/zero, a FIFO nobody writes to)
      return {
        file,
        findings: [unreadable(`${file} is not a regular file (a device, pipe or socket); pass a YAML file.`)],
      };
    }
    if (st.size > max) {
      return {
        file,
        findings: [
          {
            rule: 'input-too-large',
            severity: 'error',
            path: '',
            message: `The file is ${st.size} bytes, more than the ${max} accepted: a Patroni configuration is a few kB. Check that this is the right file.`,
            line: 1,
            column: 1,
            endLine: 1,
            endColumn: 1,
          },
        ],
      };
    }
    // the size was checked above, so this read is bounded; the signal lets Ctrl-C stop a slow disk
    const bytes = await readFile(file, options.signal ? { signal: options.signal } : {});
    const result = lintText(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), options);
    return { file, findings: result.findings, result };
  } catch (err) {
    if (options.signal?.aborted)
      throw new PatroniKitError('ABORTED', 'Lint was interrupted.', { cause: err });
    const code = (err as { code?: string }).code;
    return {
      file,
      findings: [
        unreadable(
          code === 'ENOENT' ? `${file} does not exist.` : `${file} cannot be read (${code ?? String(err)}).`,
        ),
      ],
    };
  }
}

function unreadable(message: string): Finding {
  return {
    rule: 'input-unreadable',
    severity: 'error',
    path: '',
    message,
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 1,
  };
}
