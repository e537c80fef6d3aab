/** Options shared by the cluster commands (patronictl's `-c`, `--dcs-url`, `-k`, `-f`), prompts and output. */
import type { ParseArgsConfig, parseArgs } from 'node:util';
import type { ActionResult, Cluster, ConnectOptions, Progress } from '@patroni-kit/cluster';
import { MAX_TIMEOUT_MS, PatroniKitError } from '@patroni-kit/errors';
import { parseCommand } from './args.js';
import type { CommandIO, CommandModule } from './command.js';
import { type OutputFormat, parseFormat, renderResult } from './format/cluster.js';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** Options every cluster command accepts. */
export const commonOptions = {
  'config-file': { type: 'string', short: 'c' },
  'dcs-url': { type: 'string', short: 'd' },
  dcs: { type: 'string' },
  'rest-url': { type: 'string', multiple: true },
  insecure: { type: 'boolean', short: 'k' },
  group: { type: 'string' },
  format: { type: 'string', short: 'f' },
  json: { type: 'boolean' },
  timeout: { type: 'string' },
} as const;

/** Help lines for {@link commonOptions}. */
export const commonUsage = `Connection (like patronictl):
  -c, --config-file FILE   patronictl config or patroni.yml (default $PATRONICTL_CONFIG_FILE,
                           ~/.config/patroni/patronictl.yaml)
  -d, --dcs-url URL        etcd3://host:2379[/namespace] instead of the config's etcd3 section
  --rest-url URL           a member REST API (repeatable); used when there is no DCS access
  -k, --insecure           do not verify the REST API's TLS certificate
  --group N                Citus group`;

/** Parsed values and positionals. */
export interface Parsed<T extends ParseArgsOptionsConfig> {
  values: ReturnType<
    typeof parseArgs<{ options: typeof commonOptions & T; allowPositionals: true }>
  >['values'];
  positionals: string[];
}

/** Parses `argv` with the common options plus `extra`; a parse error is a USAGE error naming the command. */
export function parse<T extends ParseArgsOptionsConfig>(
  command: string,
  argv: string[],
  extra: T,
): Parsed<T> {
  return parseCommand(command, argv, { ...commonOptions, ...extra }) as Parsed<T>;
}

/** Output format from `-f`/`--json`. */
export function formatOf(values: { format?: string | undefined; json?: boolean | undefined }): OutputFormat {
  if (values.json) return 'json';
  const f = parseFormat(values.format);
  if (!f)
    throw new PatroniKitError('USAGE', `unknown format '${values.format}'`, {
      hint: 'use -f pretty, json, yaml or tsv',
    });
  return f;
}

/** Connects from the common options; `scope` is the CLUSTER_NAME argument when given. */
export async function connect(
  values: Record<string, unknown>,
  scope: string | undefined,
  io: CommandIO,
): Promise<Cluster> {
  // A bad --timeout is a usage error before anything is contacted.
  if (values.timeout !== undefined) timeoutMs(values.timeout, 1);
  const { Cluster } = await import('@patroni-kit/cluster');
  // The CLI is where the process environment comes in; the resolver itself takes it as an input.
  const opts: ConnectOptions = { env: process.env };
  if (typeof values['config-file'] === 'string') opts.configFile = values['config-file'];
  const dcsUrl = values['dcs-url'] ?? values.dcs;
  if (typeof dcsUrl === 'string') opts.dcsUrl = dcsUrl;
  if (Array.isArray(values['rest-url'])) opts.restUrls = values['rest-url'] as string[];
  if (values.insecure) opts.insecure = true;
  if (scope !== undefined) opts.scope = scope;
  if (typeof values.group === 'string') {
    const g = Number(values.group);
    if (!Number.isInteger(g) || g < 0)
      throw new PatroniKitError('USAGE', `--group must be a number, not '${values.group}'`);
    opts.group = g;
  }
  const cluster = await Cluster.connect({ ...opts, signal: io.signal });
  for (const w of cluster.target.warnings) io.stderr.write(`warning: ${w}\n`);
  return cluster;
}

/** Seconds from `--timeout` (default `fallback`), in ms. */
export function timeoutMs(value: unknown, fallbackSeconds: number): number {
  if (value === undefined) return fallbackSeconds * 1000;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new PatroniKitError('USAGE', `--timeout takes seconds, not '${String(value)}'`);
  // Node fires a timer above 2^31-1 ms after 1 ms, so a huge timeout would fail at once.
  if (n * 1000 > MAX_TIMEOUT_MS)
    throw new PatroniKitError(
      'USAGE',
      `--timeout is at most ${Math.floor(MAX_TIMEOUT_MS / 1000)} seconds, not '${String(value)}'`,
    );
  return n * 1000;
}

/** One progress event as a line: `[1.2s] message`. The SDK reports structured events; only the CLI formats them. */
export function formatProgress(p: Progress): string {
  return `[${(p.elapsedMs / 1000).toFixed(1)}s] ${p.message}`;
}

/** Progress lines for the APIs that report plain lines (lab, drill), stamped like {@link formatProgress}. */
export function lineProgress(io: CommandIO, quiet = false): ((line: string) => void) | undefined {
  if (quiet) return undefined;
  const started = Date.now();
  return (message) =>
    io.stderr.write(`${formatProgress({ phase: 'step', message, elapsedMs: Date.now() - started })}\n`);
}

/** Progress lines on stderr (none when `quiet`). */
export function progress(io: CommandIO, quiet = false): ((p: Progress) => void) | undefined {
  if (quiet) return undefined;
  return (p) => io.stderr.write(`${formatProgress(p)}\n`);
}

/**
 * Asks `question` unless `force`. Without a terminal on stdin nothing can be confirmed, so it refuses with a
 * USAGE error instead of hanging or assuming yes.
 */
export async function confirm(
  question: string,
  force: boolean,
  io: CommandIO,
  action: string,
): Promise<boolean> {
  if (force) return true;
  if (!process.stdin.isTTY)
    throw new PatroniKitError(
      'USAGE',
      `refusing to ${action} without --force: stdin is not a terminal, so it cannot be confirmed`,
      {
        hint: `run it in a terminal to answer the prompt, or pass --force to ${action} without asking`,
      },
    );
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N]: `, { signal: io.signal });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Writes an action result and returns the exit code (0 succeeded, 1 failed, 3 unknown). */
export function finish(result: ActionResult<unknown>, io: CommandIO, json: boolean): number {
  const { text, code } = renderResult(result, json);
  io.stdout.write(text);
  return code;
}

/** Runs `fn` with a connected cluster and always closes it. */
export async function withCluster<T>(
  values: Record<string, unknown>,
  scope: string | undefined,
  io: CommandIO,
  fn: (cluster: Cluster) => Promise<T>,
): Promise<T> {
  const cluster = await connect(values, scope, io);
  try {
    return await fn(cluster);
  } finally {
    await cluster.close();
  }
}

/** What an action command's steps get: the parsed arguments, the connected cluster and the I/O. */
export interface ActionRun<O extends ParseArgsOptionsConfig> extends Parsed<O> {
  cluster: Cluster;
  io: CommandIO;
  /** Progress sink (undefined with --json or --quiet). */
  onProgress: ((p: Progress) => void) | undefined;
  /** `{ onProgress }` when there is a sink, for spreading into options. */
  progress: { onProgress?: (p: Progress) => void };
  /**
   * `{ timeoutMs }` from `--timeout SECONDS` when given, else `{}`: the SDK's default applies, so the CLI keeps
   * no second copy of it (`DEFAULT_TIMEOUTS_MS` in @patroni-kit/cluster).
   */
  timeout: { timeoutMs?: number };
}

/** The steps of one action command (switchover, restart, pause, …); {@link actionCommand} runs them. */
export interface ActionCommandSpec<O extends ParseArgsOptionsConfig, S> {
  name: string;
  summary: string;
  usage: string;
  /** Options besides {@link commonOptions}; `force` (if declared) skips the confirmation. */
  options: O;
  /** Checks the arguments before anything is contacted (USAGE errors) and returns the CLUSTER_NAME argument. */
  scope(p: Parsed<O>): string | undefined;
  /** True when progress lines are off (besides --json). */
  quiet?(values: Parsed<O>['values']): boolean;
  /**
   * The confirmation question, asked unless --force; or a result that ends the command before asking (a
   * refused plan); `state` goes on to `act`. Not called with --force.
   */
  confirm?(run: ActionRun<O>): Promise<{ question: string; state?: S } | ActionResult<unknown>>;
  /** What the prompt refuses without a terminal, e.g. `restart` ("refusing to restart without --force"). */
  verb?: string;
  /** The reason of a declined confirmation (default `Aborted`). */
  aborted?: string;
  /** The action itself. */
  act(run: ActionRun<O>, state: S | undefined): Promise<ActionResult<unknown>>;
}

/** An action command: parse → connect → confirm → act → report, the same for every action. */
export function actionCommand<O extends ParseArgsOptionsConfig, S = undefined>(
  spec: ActionCommandSpec<O, S>,
): CommandModule {
  async function run(argv: string[], io: CommandIO): Promise<number> {
    const parsed = parse(spec.name, argv, spec.options);
    const scope = spec.scope(parsed);
    const values = parsed.values as Record<string, unknown>;
    const json = Boolean(values.json);
    // A bad --timeout is a usage error before anything is contacted.
    if (values.timeout !== undefined) timeoutMs(values.timeout, 1);
    return withCluster(values, scope, io, async (cluster) => {
      const onProgress = progress(io, json || Boolean(spec.quiet?.(parsed.values)));
      const r: ActionRun<O> = {
        ...parsed,
        cluster,
        io,
        onProgress,
        progress: onProgress ? { onProgress } : {},
        timeout: values.timeout === undefined ? {} : { timeoutMs: timeoutMs(values.timeout, 1) },
      };
      let state: S | undefined;
      if (spec.confirm && !values.force) {
        const asked = await spec.confirm(r);
        if ('outcome' in asked) return finish(asked, io, json);
        state = asked.state;
        if (!(await confirm(asked.question, false, io, spec.verb ?? spec.name)))
          return finish(
            {
              action: spec.name,
              outcome: 'failed',
              reason: spec.aborted ?? 'Aborted',
              sent: false,
              check: 'confirmed',
            },
            io,
            json,
          );
      }
      return finish(await spec.act(r, state), io, json);
    });
  }
  return { summary: spec.summary, usage: spec.usage, run };
}
