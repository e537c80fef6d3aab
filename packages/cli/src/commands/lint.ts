/** `patroni-kit lint`: schema and semantic checks of patroni.yml files, alone and as one cluster. */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  applyFixes,
  type ClusterMember,
  clusterGroups,
  type FileResult,
  type Finding,
  formatJson,
  formatSarif,
  formatText,
  type LintOptions,
  lintCluster,
  lintFile,
  parseEnvFile,
  parsePatroniVersion,
  ruleInfo,
  sortFindings,
} from '@patroni-kit/config';
import { PatroniKitError } from '@patroni-kit/errors';
import type { CommandIO, CommandModule } from '../command.js';
import { ExitCode } from '../command.js';

const usage = `Usage: patroni-kit lint FILE... [options]

Checks Patroni configuration files offline: YAML, the JSON Schema of Patroni 3.0-4.1 and semantic rules
(timing, placement, pg_hba, passwords, addresses, DCS, synchronous mode, ...). With several files, also
checks that members of the same cluster agree with each other.

Options:
  --format text|json|sarif   output format (default text)
  --patroni-version V        3.0, 4.0 or 4.1 (default 4.1)
  --fix                      apply mechanical fixes in place, then report what is left
  --dcs                      the files are dynamic configurations (patronictl edit-config / GET /config)
  --cluster                  treat all files as members of one cluster (default: group them by scope,
                             namespace and overlapping DCS endpoints)
  --env-file FILE            PATRONI_* variables (NAME=value lines) Patroni will also see
  --use-env                  use the PATRONI_* variables of this process's environment
  --ignore RULE[,RULE]       do not report these rules (repeatable); in a file:
                             # patroni-kit: ignore[RULE]  (this or the next line)
                             # patroni-kit: ignore-file[RULE]
  -q, --quiet                print errors only (text format)

Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage error.
Rules: docs/lint-rules.md`;

const options = {
  format: { type: 'string' },
  'patroni-version': { type: 'string' },
  fix: { type: 'boolean' },
  dcs: { type: 'boolean' },
  cluster: { type: 'boolean' },
  'env-file': { type: 'string' },
  'use-env': { type: 'boolean' },
  ignore: { type: 'string', multiple: true },
  quiet: { type: 'boolean', short: 'q' },
} as const;

function usageError(message: string): PatroniKitError {
  return new PatroniKitError('USAGE', message, { hint: 'Run `patroni-kit lint --help`.' });
}

async function run(argv: string[], io: CommandIO): Promise<number> {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: typeof options; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw usageError(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) throw usageError('No files given.');
  const format = values.format ?? 'text';
  if (!['text', 'json', 'sarif'].includes(format))
    throw usageError(`Unknown format '${format}': use text, json or sarif.`);
  const lintOptions: LintOptions = { signal: io.signal };
  if (values['patroni-version'] !== undefined)
    lintOptions.patroniVersion = parsePatroniVersion(values['patroni-version']);
  if (values.dcs) lintOptions.dynamic = true;
  if (values.ignore) {
    const ids = values.ignore
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter(Boolean);
    const unknown = ids.filter((id) => !ruleInfo(id));
    if (unknown.length > 0)
      throw usageError(`Unknown rule ${unknown.join(', ')} in --ignore (see docs/lint-rules.md).`);
    lintOptions.ignore = ids;
  }
  let env: Record<string, string | undefined> | undefined;
  if (values['use-env']) env = { ...process.env };
  if (values['env-file'] !== undefined) {
    let text: string;
    try {
      text = await readFile(values['env-file'], 'utf8');
    } catch (err) {
      throw usageError(
        `Cannot read --env-file ${values['env-file']}: ${(err as { code?: string }).code ?? String(err)}.`,
      );
    }
    env = { ...(env ?? {}), ...parseEnvFile(text) };
  }
  if (env) lintOptions.env = env;

  let results = await lintAll(positionals, lintOptions);
  if (values.fix) {
    let changed = false;
    for (const r of results) {
      const text = r.result?.parsed.text;
      if (text === undefined || !r.findings.some((f) => f.fix)) continue;
      const out = applyFixes(text, r.findings);
      if (out.applied > 0 && out.text !== text) {
        await writeFile(r.file, out.text);
        changed = true;
        if (format === 'text')
          io.stderr.write(`${r.file}: applied ${out.applied} fix${out.applied === 1 ? '' : 'es'}\n`);
      }
    }
    if (changed) results = await lintAll(positionals, lintOptions);
  }
  if (!lintOptions.dynamic) addClusterFindings(results, Boolean(values.cluster), lintOptions);

  const plain: FileResult[] = results.map((r) => ({
    file: r.file,
    findings:
      values.quiet && format === 'text' ? r.findings.filter((f) => f.severity === 'error') : r.findings,
  }));
  const out =
    format === 'json'
      ? formatJson(plain)
      : format === 'sarif'
        ? formatSarif(plain)
        : formatText(plain, { color: io.isTTY });
  io.stdout.write(out);
  return results.some((r) => r.findings.some((f) => f.severity === 'error')) ? ExitCode.failed : ExitCode.ok;
}

type Linted = Awaited<ReturnType<typeof lintFile>>;

async function lintAll(files: string[], lintOptions: LintOptions): Promise<Linted[]> {
  const results: Linted[] = [];
  for (const file of files) results.push(await lintFile(file, lintOptions));
  return results;
}

function addClusterFindings(results: Linted[], oneCluster: boolean, lintOptions: LintOptions): void {
  const version = lintOptions.patroniVersion ?? '4.1';
  const members: ClusterMember[] = results
    .filter((r) => r.result?.data !== undefined)
    .map((r) => ({ file: r.file, result: r.result! }));
  // without --cluster: scope + namespace + overlapping DCS endpoints make a cluster
  const { groups, findings } = oneCluster
    ? { groups: [members], findings: new Map<string, Finding[]>() }
    : clusterGroups(members, version);
  const add = (file: string, extra: Finding[]) => {
    const r = results.find((x) => x.file === file)!;
    const kept = extra.filter((f) => !lintOptions.ignore?.includes(f.rule));
    if (kept.length > 0) r.findings = sortFindings([...r.findings, ...kept]);
  };
  for (const [file, extra] of findings) add(file, extra);
  for (const group of groups) {
    if (group.length < 2) continue;
    const found = lintCluster(group, version);
    for (const m of group) add(m.file, found.get(m.file) ?? []);
  }
}

const command: CommandModule = {
  summary: 'check patroni.yml files offline (schema, semantic and cluster rules)',
  usage,
  run,
};
export default command;
