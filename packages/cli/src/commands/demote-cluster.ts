/** `patroni-kit demote-cluster`: turn the cluster into a standby cluster (Patroni 4.x). */

import { commonUsage, confirm, finish, parse, progress, timeoutMs, withCluster } from '../cluster-args.js';
import type { CommandIO, CommandModule } from '../command.js';

const usage = `Usage: patroni-kit demote-cluster [CLUSTER_NAME] [options]

Sets standby_cluster in the dynamic configuration; the leader becomes a standby leader replicating from
--host/--port or restoring with --restore-command. Needs Patroni 4.x on every member (refused otherwise).
Waits until the leader runs as standby_leader.

  --host HOST                 upstream host
  --port PORT                 upstream port
  --restore-command CMD       restore_command
  --primary-slot-name NAME    slot on the upstream
  --force                     no confirmation
  --timeout SECONDS           how long to wait (default 120)
  --json                      print the result as JSON

${commonUsage}`;

const options = {
  host: { type: 'string' },
  port: { type: 'string' },
  'restore-command': { type: 'string' },
  'primary-slot-name': { type: 'string' },
  force: { type: 'boolean' },
} as const;

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse('demote-cluster', argv, options);
  const json = Boolean(values.json);
  return withCluster(values, positionals[0], io, async (cluster) => {
    if (
      !(await confirm(
        `Demote cluster ${cluster.scope} to a standby cluster?`,
        Boolean(values.force),
        io,
        'demote the cluster',
      ))
    )
      return finish(
        { action: 'demote-cluster', outcome: 'failed', reason: 'Aborted', sent: false, check: 'confirmed' },
        io,
        json,
      );
    const onProgress = progress(io, json);
    const result = await cluster.demoteCluster({
      ...(values.host ? { host: values.host } : {}),
      ...(values.port ? { port: Number(values.port) } : {}),
      ...(values['restore-command'] ? { restoreCommand: values['restore-command'] } : {}),
      ...(values['primary-slot-name'] ? { primarySlotName: values['primary-slot-name'] } : {}),
      timeoutMs: timeoutMs(values.timeout, 120),
      signal: io.signal,
      ...(onProgress ? { onProgress } : {}),
    });
    return finish(result, io, json);
  });
}

const command: CommandModule = {
  summary: 'turn the cluster into a standby cluster (Patroni 4.x)',
  usage,
  run,
};
export default command;
