/** `patroni-kit dsn`: `host=H port=P` of the leader, of a role or of a member. */
import type { RoleFilter } from '@patroni-kit/cluster';
import { commonUsage, parse, withCluster } from '../cluster-args.js';
import type { CommandIO, CommandModule } from '../command.js';
import { ExitCode } from '../command.js';

const usage = `Usage: patroni-kit dsn [CLUSTER_NAME] [options]

  -r, --role ROLE     leader (default), primary, standby-leader, replica, standby, any
  -m, --member NAME   a member

${commonUsage}`;

const options = { role: { type: 'string', short: 'r' }, member: { type: 'string', short: 'm' } } as const;

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse('dsn', argv, options);
  return withCluster(values, positionals[0], io, async (cluster) => {
    const dsn = await cluster.dsn({
      signal: io.signal,
      ...(values.role ? { role: values.role as RoleFilter } : {}),
      ...(values.member ? { member: values.member } : {}),
    });
    io.stdout.write(`${dsn}\n`);
    return ExitCode.ok;
  });
}

const command: CommandModule = { summary: 'print the connection string of a member', usage, run };
export default command;
