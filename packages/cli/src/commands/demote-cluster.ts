/** `patroni-kit demote-cluster`: turn the cluster into a standby cluster (Patroni 4.x). */
import { actionCommand, commonUsage } from '../cluster-args.js';

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

export default actionCommand({
  name: 'demote-cluster',
  summary: 'turn the cluster into a standby cluster (Patroni 4.x)',
  usage,
  options,
  scope: ({ positionals }) => positionals[0],
  confirm: async ({ cluster }) => ({ question: `Demote cluster ${cluster.scope} to a standby cluster?` }),
  verb: 'demote the cluster',
  act: ({ cluster, values, io, progress, timeout }) =>
    cluster.demoteCluster({
      ...(values.host ? { host: values.host } : {}),
      ...(values.port ? { port: Number(values.port) } : {}),
      ...(values['restore-command'] ? { restoreCommand: values['restore-command'] } : {}),
      ...(values['primary-slot-name'] ? { primarySlotName: values['primary-slot-name'] } : {}),
      ...timeout,
      signal: io.signal,
      ...progress,
    }),
});
