/** `patroni-kit remove`: delete a stopped cluster's keys from the DCS (guarded). */
import { PatroniKitError } from '@patroni-kit/errors';
import { commonUsage, finish, parse, withCluster } from '../cluster-args.js';
import type { CommandIO, CommandModule } from '../command.js';

const usage = `Usage: patroni-kit remove CLUSTER_NAME --confirm CLUSTER_NAME [options]

Deletes every key of the cluster from the DCS (like patronictl remove). Guarded: --confirm must repeat the
cluster name, and it is refused while any member is alive (a leader key, or a member REST API answering).

  --confirm NAME   the cluster name again
  --force          remove even though member keys exist (members must still not answer)
  --json           print the result as JSON

${commonUsage}`;

const options = { confirm: { type: 'string' }, force: { type: 'boolean' } } as const;

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse('remove', argv, options);
  const scope = positionals[0];
  if (!scope)
    throw new PatroniKitError('USAGE', 'remove needs the cluster name', {
      hint: 'patroni-kit remove NAME --confirm NAME',
    });
  if (values.confirm === undefined)
    throw new PatroniKitError(
      'USAGE',
      `remove deletes the whole cluster ${scope} from the DCS: repeat its name with --confirm ${scope}`,
    );
  return withCluster(values, scope, io, async (cluster) =>
    finish(
      await cluster.remove({
        confirmScope: values.confirm!,
        ...(values.force ? { force: true } : {}),
        signal: io.signal,
      }),
      io,
      Boolean(values.json),
    ),
  );
}

const command: CommandModule = { summary: "delete a stopped cluster's keys from the DCS", usage, run };
export default command;
