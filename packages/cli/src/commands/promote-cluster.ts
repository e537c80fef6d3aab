/** `patroni-kit promote-cluster`: turn a standby cluster back into a primary cluster (Patroni 4.x). */
import { actionCommand, commonUsage } from '../cluster-args.js';

const usage = `Usage: patroni-kit promote-cluster [CLUSTER_NAME] [options]

Removes standby_cluster from the dynamic configuration and waits until the leader runs as primary.
Needs Patroni 4.x on every member (refused otherwise).

  --force              no confirmation
  --timeout SECONDS    how long to wait (default 120)
  --json               print the result as JSON

${commonUsage}`;

const options = { force: { type: 'boolean' } } as const;

export default actionCommand({
  name: 'promote-cluster',
  summary: 'turn a standby cluster into a primary cluster (Patroni 4.x)',
  usage,
  options,
  scope: ({ positionals }) => positionals[0],
  confirm: async ({ cluster }) => ({ question: `Promote standby cluster ${cluster.scope}?` }),
  verb: 'promote the cluster',
  act: ({ cluster, io, progress, timeout }) =>
    cluster.promoteCluster({ ...timeout, signal: io.signal, ...progress }),
});
