/** `patroni-kit version`: Patroni and PostgreSQL versions of each member. */

import { commonUsage, parse, withCluster } from '../cluster-args.js';
import type { CommandIO, CommandModule } from '../command.js';
import { ExitCode } from '../command.js';

const usage = `Usage: patroni-kit version [CLUSTER_NAME [MEMBER_NAMES...]] [options]

Without a cluster name (and no config) prints patroni-kit's version; otherwise asks each member.

  --json   print JSON

${commonUsage}`;

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse('version', argv, {});
  io.stdout.write(values.json ? '' : 'patroni-kit version 0.1.0\n');
  const hasTarget =
    positionals.length > 0 || values['config-file'] || values['dcs-url'] || values['rest-url'];
  if (!hasTarget) return ExitCode.ok;
  const [scope, ...members] = positionals;
  return withCluster(values, scope, io, async (cluster) => {
    const rows = await cluster.version({ signal: io.signal, ...(members.length ? { members } : {}) });
    if (values.json) io.stdout.write(`${JSON.stringify(rows)}\n`);
    else
      for (const r of rows)
        io.stdout.write(
          r.error && !r.patroni
            ? `${r.member}: error: ${r.error}\n`
            : `${r.member}: Patroni ${r.patroni ?? '?'} PostgreSQL ${r.postgres ?? '?'}\n`,
        );
    return rows.some((r) => r.error) ? ExitCode.failed : ExitCode.ok;
  });
}

const command: CommandModule = { summary: 'versions of patroni-kit and of each member', usage, run };
export default command;
