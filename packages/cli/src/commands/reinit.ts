/** `patroni-kit reinit`: re-clone replicas from the leader, optionally waiting until they run again. */
import { PatroniKitError } from '@patroni-kit/errors';
import { actionCommand, commonUsage } from '../cluster-args.js';

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

export default actionCommand({
  name: 'reinit',
  summary: 're-clone replicas from the leader',
  usage,
  options,
  scope: ({ positionals: [scope, ...members] }) => {
    if (!scope || members.length === 0)
      throw new PatroniKitError('USAGE', 'reinit needs the cluster name and the members to re-clone', {
        hint: 'patroni-kit reinit CLUSTER MEMBER...',
      });
    return scope;
  },
  confirm: async ({ positionals: [, ...members] }) => ({
    question: `Are you sure you want to reinitialize ${members.join(', ')}? Their data is wiped`,
  }),
  aborted: 'Aborted reinit',
  act: ({ cluster, values, positionals: [, ...members], io, progress, timeout }) =>
    cluster.reinit({
      members,
      ...(values.force ? { force: true } : {}),
      ...(values['from-leader'] ? { fromLeader: true } : {}),
      ...(values.wait ? { wait: true } : {}),
      ...timeout,
      signal: io.signal,
      ...progress,
    }),
});
