/** `patroni-kit reinit`: re-clone replicas from the leader, optionally waiting until they run again. */
import { PatroniKitError } from '@patroni-kit/errors';
import { commonUsage, confirm, finish, parse, progress, timeoutMs, withCluster } from '../cluster-args.js';
import type { CommandIO, CommandModule } from '../command.js';

const usage = `Usage: patroni-kit reinit CLUSTER_NAME MEMBER_NAMES... [options]

Wipes the data directory of each named replica and clones it again (POST /reinitialize). The leader is
refused, and so is a cluster without a running leader.

  --force             no confirmation; cancel a running task (restart, recovery) first
  --from-leader       clone from the leader even if clonefrom members exist (Patroni 4.1+)
  --wait              wait until each member runs again
  --timeout SECONDS   how long to wait (default 300)
  --json              print the result as JSON

${commonUsage}`;

const options = {
  force: { type: 'boolean' },
  'from-leader': { type: 'boolean' },
  wait: { type: 'boolean' },
} as const;

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse('reinit', argv, options);
  const [scope, ...members] = positionals;
  if (!scope || members.length === 0)
    throw new PatroniKitError('USAGE', 'reinit needs the cluster name and the members to re-clone', {
      hint: 'patroni-kit reinit CLUSTER MEMBER...',
    });
  const json = Boolean(values.json);
  return withCluster(values, scope, io, async (cluster) => {
    if (
      !(await confirm(
        `Are you sure you want to reinitialize ${members.join(', ')}? Their data is wiped`,
        Boolean(values.force),
        io,
        'reinit',
      ))
    )
      return finish(
        { action: 'reinit', outcome: 'failed', reason: 'Aborted reinit', sent: false, check: 'confirmed' },
        io,
        json,
      );
    const onProgress = progress(io, json);
    const result = await cluster.reinit({
      members,
      ...(values.force ? { force: true } : {}),
      ...(values['from-leader'] ? { fromLeader: true } : {}),
      ...(values.wait ? { wait: true } : {}),
      timeoutMs: timeoutMs(values.timeout, 300),
      signal: io.signal,
      ...(onProgress ? { onProgress } : {}),
    });
    return finish(result, io, json);
  });
}

const command: CommandModule = { summary: 're-clone replicas from the leader', usage, run };
export default command;
