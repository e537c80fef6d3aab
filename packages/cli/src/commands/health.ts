/** `patroni-kit health`: the health report with monitoring exit codes (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN). */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { HealthMemory } from '@patroni-kit/cluster';
import { describeError, PatroniKitError } from '@patroni-kit/errors';
import { commonUsage, connect, parse } from '../cluster-args.js';
import type { CommandIO, CommandModule } from '../command.js';

const usage = `Usage: patroni-kit health [CLUSTER_NAME] [options]

Checks what check_patroni users monitor: has a leader, has replicas (streaming, within the lag limit),
node count, maintenance mode, scheduled actions, pending restart, timeline changed, config changed,
Patroni version (with advisories), and whether the DCS and the members agree. And what explains trouble:
why each replica does not stream (timeline diverged from the leader's history, WAL it needs removed, the
replication login refused, or behind), the DCS history against the leader's timeline, clock skew between
members (HTTP Date, WARNING past --max-clock-skew), etcd quorum and alarms, and replication slots (WAL each
retains; WARNING for a slot that belongs to no member). SQL checks need access to the leader
(PGPASSWORD/PGPASSFILE, or -c patroni.yml with the superuser; its replication user is tried when a replica
does not stream).
Exit codes as Nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.

  --state-file FILE     remember timeline and config hash between runs (changes are WARNING)
  --min-replicas N      healthy replicas needed for OK (default: all non-leaders)
  --max-lag BYTES       lag limit (default maximum_lag_on_failover)
  --members N           expected member count (default: as listed)
  --max-clock-skew MS   clock skew between members that is a WARNING (default 2000)
  --no-sql              skip the SQL checks on the leader (slots, oldest WAL, replication login)
  --json                print the report as JSON

${commonUsage}`;

const options = {
  'state-file': { type: 'string' },
  'min-replicas': { type: 'string' },
  'max-lag': { type: 'string' },
  members: { type: 'string' },
  'max-clock-skew': { type: 'string' },
  'no-sql': { type: 'boolean' },
} as const;

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse('health', argv, options);
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  let memory: HealthMemory | undefined;
  const stateFile = values['state-file'];
  if (stateFile && existsSync(stateFile)) {
    try {
      memory = JSON.parse(readFileSync(stateFile, 'utf8')) as HealthMemory;
    } catch {
      memory = undefined;
    }
  }
  let cluster: Awaited<ReturnType<typeof connect>> | undefined;
  try {
    cluster = await connect(values, positionals[0], io);
  } catch (err) {
    io.stdout.write(
      values.json
        ? `${JSON.stringify({ state: 'UNKNOWN', exitCode: 3, summary: describeError(err) })}\n`
        : `PATRONI UNKNOWN - ${describeError(err)}\n`,
    );
    return 3;
  }
  try {
    const minReplicas = num(values['min-replicas']);
    const maxLag = num(values['max-lag']);
    const expected = num(values.members);
    const skew = num(values['max-clock-skew']);
    for (const flag of ['max-lag', 'max-clock-skew', 'min-replicas', 'members'] as const) {
      const raw = values[flag];
      const v = num(raw);
      if (v !== undefined && !(Number.isFinite(v) && v >= 0))
        throw new PatroniKitError('USAGE', `--${flag} takes a number >= 0, not '${raw}'`);
    }
    const report = await cluster.health({
      signal: io.signal,
      ...(memory ? { memory } : {}),
      ...(minReplicas !== undefined ? { minReplicas } : {}),
      ...(maxLag !== undefined ? { maxLagBytes: maxLag } : {}),
      ...(expected !== undefined ? { expectedMembers: expected } : {}),
      ...(skew !== undefined ? { maxClockSkewMs: skew } : {}),
      ...(values['no-sql'] ? { sql: false } : {}),
    });
    if (stateFile && report.state !== 'UNKNOWN')
      writeFileSync(stateFile, `${JSON.stringify(report.memory)}\n`);
    if (values.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      const perf = report.checks
        .filter((c) => typeof c.value === 'number')
        .map((c) => `${c.name}=${c.value}`)
        .join(' ');
      io.stdout.write(
        `PATRONI ${report.state} - ${report.scope}: ${report.summary}${perf ? ` | ${perf}` : ''}\n`,
      );
      for (const c of report.checks) io.stdout.write(`  [${c.state}] ${c.name}: ${c.message}\n`);
    }
    return report.exitCode;
  } finally {
    await cluster.close();
  }
}

const command: CommandModule = { summary: 'health report with monitoring exit codes', usage, run };
export default command;
