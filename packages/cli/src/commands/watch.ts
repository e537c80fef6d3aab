/** `patroni-kit watch`: Patroni cluster events from etcd as they happen (one range read, then a watch). */
import { parseArgs } from 'node:util';
import { type ClusterEvent, type ClusterState, DcsClient, type DcsTarget } from '@patroni-kit/dcs';
import { PatroniKitError } from '@patroni-kit/errors';
import { timeoutMs } from '../cluster-args.js';
import type { CommandIO, CommandModule } from '../command.js';
import { ExitCode } from '../command.js';

/** Options shared with `patroni-kit etcd` (patronictl-compatible). */
export const dcsOptions = {
  'config-file': { type: 'string', short: 'c' },
  'dcs-url': { type: 'string', short: 'd' },
  dcs: { type: 'string' },
  namespace: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const dcsOptionsHelp = `  -c, --config-file FILE  patroni.yml or patronictl config: etcd3.hosts/host/url, username, password,
                          cacert, cert, key, namespace, scope (default: $PATRONICTL_CONFIG_FILE, then
                          ~/.config/patroni/patronictl.yaml when it exists)
  -d, --dcs-url URL       etcd3://[user:password@]host:2379[,host:2379][/namespace] ($DCS_URL); replaces
                          the config's etcd section
  --namespace NS          Patroni namespace (default: from the config, else service)
  --timeout SECONDS       timeout of each etcd call (default 5)
  --json                  JSON output`;

/**
 * Where etcd is, from the options: the one resolver of `@patroni-kit/cluster` (patronictl's precedence: -c,
 * $PATRONICTL_CONFIG_FILE, ~/.config/patroni/patronictl.yaml, --dcs-url / $DCS_URL with its namespace),
 * exactly as `list` and `switchover` find the cluster.
 */
export async function dcsTargetFromOptions(
  values: { 'config-file'?: string; 'dcs-url'?: string; dcs?: string; namespace?: string; timeout?: string },
  env: Record<string, string | undefined>,
  homeDir?: string,
): Promise<{ target: DcsTarget; timeoutMs: number }> {
  const { resolveTarget } = await import('@patroni-kit/cluster');
  const dcsUrl = values['dcs-url'] ?? values.dcs;
  const resolved = await resolveTarget({
    env,
    ...(homeDir === undefined ? {} : { homeDir }),
    ...(values['config-file'] === undefined ? {} : { configFile: values['config-file'] }),
    ...(dcsUrl === undefined ? {} : { dcsUrl }),
  });
  if (!resolved.dcs)
    throw new PatroniKitError('USAGE', 'no etcd to talk to: the config has no etcd3 section', {
      hint: 'Pass -c patroni.yml (with an etcd3 section) or --dcs-url etcd3://host:2379.',
    });
  const target: DcsTarget = { ...resolved.dcs, namespace: resolved.namespace, warnings: resolved.warnings };
  if (resolved.scope !== undefined) target.scope = resolved.scope;
  if (resolved.group !== undefined) target.group = resolved.group;
  if (values.namespace !== undefined) target.namespace = values.namespace;
  // the CLI's one --timeout parser (seconds, within what Node's timers hold)
  return { target, timeoutMs: Math.round(timeoutMs(values.timeout, 5)) };
}

const usage = `Usage: patroni-kit watch [CLUSTER_NAME] [options]

Prints Patroni cluster events read from etcd as they happen: leader changes, members joining and leaving,
role and state changes, lag crossing a threshold, config changes, switchovers scheduled and cleared,
pause/resume, failsafe. Reads the cluster once, then watches from that revision (like Patroni itself);
survives etcd compaction, the loss of the etcd member it talks to and auth token expiry. Stops on Ctrl-C.

Options:
${dcsOptionsHelp}
  --lag BYTES             lag threshold for lag events (default: maximum_lag_on_failover, else 1 MiB)
  --count N               exit after N cluster events (watch-status events do not count)
  --allow-missing         start even if the cluster has no keys yet (e.g. before bootstrap)`;

function fmtLag(bytes: number): string {
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MiB` : `${bytes} B`;
}

/** One line per event, for people. */
export function describeEvent(e: ClusterEvent): string {
  switch (e.type) {
    case 'leader-changed':
      return `leader changed: ${e.from ?? '(none)'} -> ${e.to ?? '(none)'}${e.timeline === undefined ? '' : ` (timeline ${e.timeline})`}`;
    case 'member-joined':
      return `member joined: ${e.member} (${e.role}, ${e.state})`;
    case 'member-left':
      return `member left: ${e.member} (was ${e.lastRole}, ${e.lastState})`;
    case 'role-changed':
      return `role changed: ${e.member} ${e.from} -> ${e.to}`;
    case 'state-changed':
      return `state changed: ${e.member} ${e.from} -> ${e.to}`;
    case 'lag-threshold-crossed':
      return `lag ${e.direction} threshold: ${e.member} lag ${fmtLag(e.lag)} (threshold ${fmtLag(e.threshold)})`;
    case 'config-changed':
      return `config changed: ${e.changed.join(', ')}`;
    case 'switchover-scheduled':
      return `switchover scheduled: ${e.leader ?? '(any leader)'} -> ${e.candidate ?? '(any candidate)'}${e.scheduledAt ? ` at ${e.scheduledAt}` : ''}`;
    case 'switchover-cleared':
      return 'switchover cleared';
    case 'paused':
      return 'cluster paused (maintenance mode on)';
    case 'resumed':
      return 'cluster resumed (maintenance mode off)';
    case 'failsafe-mode-changed':
      return `failsafe mode ${e.enabled ? 'enabled' : 'disabled'}`;
    case 'failsafe-members-changed':
      return `failsafe members: ${e.members.join(', ') || '(none)'}`;
    case 'sync-changed':
      return `synchronous standbys: ${e.from.join(',') || '(none)'} -> ${e.to.join(',') || '(none)'}`;
    case 'history-changed':
      return `timeline history: timeline ${e.timeline ?? '?'} (${e.reason ?? ''})`;
    case 'cluster-initialized':
      return `cluster initialized (system id ${e.systemId ?? '?'})`;
    case 'cluster-removed':
      return 'cluster keys removed';
    case 'key-invalid':
      return `invalid key ${e.key}: ${e.message}`;
    case 'watch-status':
      return `watch ${e.state}${e.reason ? `: ${e.reason}` : ''}${e.error ? ` [${e.error.code}: ${e.error.message}]` : ''}`;
  }
}

function summary(s: ClusterState): string {
  const members = s.members.map((m) => `${m.name} (${m.role}, ${m.value.state})`).join(', ') || '(none)';
  return `watching ${s.scope} (${s.prefix}) from revision ${s.revision}: leader ${s.leader?.value ?? '(none)'}; members ${members}${s.paused ? '; paused' : ''}`;
}

async function run(argv: string[], io: CommandIO): Promise<number> {
  const options = {
    ...dcsOptions,
    lag: { type: 'string' },
    count: { type: 'string' },
    'allow-missing': { type: 'boolean' },
  } as const;
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: typeof options; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new PatroniKitError('USAGE', err instanceof Error ? err.message : String(err), {
      hint: 'Run `patroni-kit watch --help`.',
    });
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new PatroniKitError('USAGE', 'watch takes one CLUSTER_NAME');
  const { target, timeoutMs } = await dcsTargetFromOptions(values, process.env);
  const scope = positionals[0] ?? target.scope;
  if (!scope) {
    throw new PatroniKitError('USAGE', 'no cluster name', {
      hint: 'Give CLUSTER_NAME or a config with scope (-c patroni.yml).',
    });
  }
  const lag = values.lag === undefined ? undefined : Number(values.lag);
  if (lag !== undefined && !(Number.isInteger(lag) && lag >= 0)) {
    throw new PatroniKitError('USAGE', `--lag must be a number of bytes, not '${values.lag}'`);
  }
  const count = values.count === undefined ? undefined : Number(values.count);
  if (count !== undefined && !(Number.isInteger(count) && count > 0)) {
    throw new PatroniKitError('USAGE', `--count must be a positive integer, not '${values.count}'`);
  }
  for (const w of target.warnings) io.stderr.write(`warning: ${w}\n`);
  const dcs = new DcsClient({ ...target.connection, namespace: target.namespace, timeoutMs });
  const watch = dcs.watchCluster(scope, {
    signal: io.signal,
    ...(values['allow-missing'] ? { allowMissing: true } : {}),
    ...(target.group === undefined ? {} : { group: target.group }),
    ...(lag === undefined ? {} : { lagThresholdBytes: lag }),
  });
  try {
    const state = await watch.start();
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ type: 'snapshot', scope, revision: state.revision, state })}\n`);
    } else {
      io.stdout.write(`${summary(state)}\n`);
      for (const p of state.problems) io.stdout.write(`  problem: ${p.key}: ${p.message}\n`);
    }
    let seen = 0;
    for await (const e of watch.events()) {
      io.stdout.write(values.json ? `${JSON.stringify(e)}\n` : `${e.at} ${describeEvent(e)}\n`);
      if (e.type !== 'watch-status' && count !== undefined && ++seen >= count) break;
    }
    return ExitCode.ok;
  } finally {
    await watch.close();
    dcs.close();
  }
}

const command: CommandModule = {
  summary: 'print cluster events from etcd as they happen',
  usage,
  run,
};
export default command;
