/** `patroni-kit reload`: make members re-read their configuration (POST /reload). */
import type { RoleFilter } from '@patroni-kit/cluster';
import { PatroniKitError } from '@patroni-kit/errors';
import { commonUsage, confirm, finish, parse, withCluster } from '../cluster-args.js';
import type { CommandIO, CommandModule } from '../command.js';

const usage = `Usage: patroni-kit reload CLUSTER_NAME [MEMBER_NAMES...] [options]

  -r, --role ROLE   leader, primary, standby-leader, replica, standby, any (default)
  --force           no confirmation
  --json            print the result as JSON

${commonUsage}`;

const options = { role: { type: 'string', short: 'r' }, force: { type: 'boolean' } } as const;

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse('reload', argv, options);
  const [scope, ...members] = positionals;
  if (!scope)
    throw new PatroniKitError('USAGE', 'reload needs the cluster name', {
      hint: 'patroni-kit reload CLUSTER [MEMBERS...]',
    });
  const json = Boolean(values.json);
  return withCluster(values, scope, io, async (cluster) => {
    if (
      !(await confirm(
        `Reload the configuration of ${members.length ? members.join(', ') : 'all members'}?`,
        Boolean(values.force),
        io,
        'reload',
      ))
    )
      return finish(
        { action: 'reload', outcome: 'failed', reason: 'Aborted reload', sent: false, check: 'confirmed' },
        io,
        json,
      );
    const result = await cluster.reload({
      ...(members.length ? { members } : {}),
      ...(values.role ? { role: values.role as RoleFilter } : {}),
      signal: io.signal,
    });
    return finish(result, io, json);
  });
}

const command: CommandModule = { summary: 'reload the Patroni configuration of members', usage, run };
export default command;
