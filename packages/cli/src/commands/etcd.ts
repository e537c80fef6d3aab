/** `patroni-kit etcd status`: etcd members, per-endpoint status, alarms and the quorum verdict. */
import { parseArgs } from 'node:util';
import { DcsClient, type EtcdHealth } from '@patroni-kit/dcs';
import { PatroniKitError } from '@patroni-kit/errors';
import type { CommandIO, CommandModule } from '../command.js';
import { ExitCode } from '../command.js';
import { dcsOptions, dcsOptionsHelp, dcsTargetFromOptions } from './watch.js';

const usage = `Usage: patroni-kit etcd status [options]

Shows the consensus store under Patroni: etcd members, each endpoint's status (leader, raft term and index,
DB size, version), raised alarms, and whether etcd has quorum. Without quorum Patroni cannot elect or keep a
leader: restore etcd first, before touching Patroni.

Options:
${dcsOptionsHelp}

Exit status: 0 quorum ok or degraded, 1 quorum lost, 2 usage error.`;

function size(bytes: number | undefined): string {
  if (bytes === undefined) return '';
  if (bytes >= 1048576) return `${(bytes / 1048576).toFixed(1)} MB`;
  return `${(bytes / 1024).toFixed(0)} kB`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Text report of {@link EtcdHealth}. */
export function formatHealth(h: EtcdHealth): string {
  const lines = [`etcd: ${h.quorum.message}`];
  if (h.quorum.state === 'lost') {
    lines.push('  Restore etcd quorum (start the stopped members) before touching Patroni.');
  }
  lines.push('');
  const rows = [['ENDPOINT', 'NAME', 'LEADER', 'RAFT TERM', 'RAFT INDEX', 'DB SIZE', 'VERSION', 'STATUS']];
  for (const e of h.endpoints) {
    rows.push([
      e.endpoint,
      e.name ?? '',
      e.isLeader ? '*' : '',
      e.raftTerm ?? '',
      e.raftIndex ?? '',
      size(e.dbSize),
      e.version ?? '',
      e.healthy ? 'healthy' : e.error ? `${e.error.code}: ${e.error.message}` : 'unhealthy',
    ]);
  }
  lines.push(table(rows));
  if (h.members.length > 0) {
    lines.push(
      '',
      `members: ${h.members.map((m) => `${m.name || '(unstarted)'}${m.isLearner ? ' (learner)' : ''}`).join(', ')}`,
    );
  }
  lines.push(
    h.alarms === undefined
      ? 'alarms: unknown (no healthy member to ask)'
      : `alarms: ${h.alarms.length === 0 ? 'none' : h.alarms.map((a) => `${a.alarm} on ${a.member ?? a.memberId}`).join(', ')}`,
  );
  for (const w of h.warnings) lines.push(`warning: ${w}`);
  return `${lines.join('\n')}\n`;
}

async function run(argv: string[], io: CommandIO): Promise<number> {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: typeof dcsOptions; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({ args: argv, options: dcsOptions, allowPositionals: true, strict: true });
  } catch (err) {
    throw new PatroniKitError('USAGE', err instanceof Error ? err.message : String(err), {
      hint: 'Run `patroni-kit etcd --help`.',
    });
  }
  const { values, positionals } = parsed;
  if (positionals[0] !== 'status' || positionals.length > 1) {
    throw new PatroniKitError('USAGE', `unknown etcd sub-command '${positionals.join(' ')}'`, {
      hint: 'Use `patroni-kit etcd status`.',
    });
  }
  const { target, timeoutMs } = await dcsTargetFromOptions(values, process.env);
  for (const w of target.warnings) io.stderr.write(`warning: ${w}\n`);
  const dcs = new DcsClient({ ...target.connection, namespace: target.namespace, timeoutMs });
  try {
    const h = await dcs.health({ signal: io.signal });
    io.stdout.write(values.json ? `${JSON.stringify(h, null, 2)}\n` : formatHealth(h));
    return h.quorum.state === 'lost' ? ExitCode.failed : ExitCode.ok;
  } finally {
    dcs.close();
  }
}

const command: CommandModule = {
  summary: 'etcd members, endpoint status, alarms and quorum',
  usage,
  run,
};
export default command;
