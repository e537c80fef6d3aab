/** `patroni-kit flush`: drop scheduled restarts or the scheduled switchover. */
import type { RoleFilter } from '@patroni-kit/cluster';
import { PatroniKitError } from '@patroni-kit/errors';
import { commonUsage, confirm, finish, parse, withCluster } from '../cluster-args.js';
import type { CommandIO, CommandModule } from '../command.js';

const usage = `Usage: patroni-kit flush CLUSTER_NAME [MEMBER_NAMES...] restart|switchover [options]

  restart      DELETE /restart on members with a scheduled restart
  switchover   DELETE /switchover on the leader (other members if it does not answer; the DCS
               failover key with compare-and-set if none answers)

  -r, --role ROLE   member filter for restart
  --force           no confirmation
  --json            print the result as JSON

${commonUsage}`;

const options = { role: { type: 'string', short: 'r' }, force: { type: 'boolean' } } as const;

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse('flush', argv, options);
  const what = positionals[positionals.length - 1];
  const [scope, ...members] = positionals.slice(0, -1);
  if (!scope || (what !== 'restart' && what !== 'switchover'))
    throw new PatroniKitError('USAGE', 'flush needs the cluster name and restart or switchover', {
      hint: 'patroni-kit flush CLUSTER switchover',
    });
  const json = Boolean(values.json);
  return withCluster(values, scope, io, async (cluster) => {
    if (
      !(await confirm(
        `Flush the scheduled ${what}?`,
        Boolean(values.force),
        io,
        `flush the scheduled ${what}`,
      ))
    )
      return finish(
        { action: `flush ${what}`, outcome: 'failed', reason: 'Aborted', sent: false, check: 'confirmed' },
        io,
        json,
      );
    const result = await cluster.flush({
      what,
      ...(members.length ? { members } : {}),
      ...(values.role ? { role: values.role as RoleFilter } : {}),
      signal: io.signal,
    });
    return finish(result, io, json);
  });
}

const command: CommandModule = { summary: 'drop scheduled restarts or a scheduled switchover', usage, run };
export default command;
