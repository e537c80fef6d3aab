/** `patroni-kit promote-cluster`: turn a standby cluster back into a primary cluster (Patroni 4.x). */

import { commonUsage, confirm, finish, parse, progress, timeoutMs, withCluster } from '../cluster-args.js';
import type { CommandIO, CommandModule } from '../command.js';

const usage = `Usage: patroni-kit promote-cluster [CLUSTER_NAME] [options]

Removes standby_cluster from the dynamic configuration and waits until the leader runs as primary.
Needs Patroni 4.x on every member (refused otherwise).

  --force              no confirmation
  --timeout SECONDS    how long to wait (default 120)
  --json               print the result as JSON

${commonUsage}`;

const options = { force: { type: 'boolean' } } as const;

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse('promote-cluster', argv, options);
  const json = Boolean(values.json);
  return withCluster(values, positionals[0], io, async (cluster) => {
    if (
      !(await confirm(
        `Promote standby cluster ${cluster.scope}?`,
        Boolean(values.force),
        io,
        'promote the cluster',
      ))
    )
      return finish(
        { action: 'promote-cluster', outcome: 'failed', reason: 'Aborted', sent: false, check: 'confirmed' },
        io,
        json,
      );
    const onProgress = progress(io, json);
    const result = await cluster.promoteCluster({
      timeoutMs: timeoutMs(values.timeout, 120),
      signal: io.signal,
      ...(onProgress ? { onProgress } : {}),
    });
    return finish(result, io, json);
  });
}

const command: CommandModule = {
  summary: 'turn a standby cluster into a primary cluster (Patroni 4.x)',
  usage,
  run,
};
export default command;
