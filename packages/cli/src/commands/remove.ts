/** `patroni-kit remove`: delete a stopped cluster's keys from the DCS (guarded). */
import { PatroniKitError } from '@patroni-kit/errors';
import { actionCommand, commonUsage } from '../cluster-args.js';

const usage = `Usage: patroni-kit remove CLUSTER_NAME --confirm CLUSTER_NAME [options]

Deletes every key of the cluster from the DCS (like patronictl remove). Guarded: --confirm must repeat the
cluster name, and it is refused while any member is alive (a leader key, or a member REST API answering).

  --confirm NAME   the cluster name again
  --force          remove even though member keys exist (members must still not answer)
  --json           print the result as JSON

${commonUsage}`;

const options = { confirm: { type: 'string' }, force: { type: 'boolean' } } as const;

export default actionCommand({
  name: 'remove',
  summary: "delete a stopped cluster's keys from the DCS",
  usage,
  options,
  scope: ({ values, positionals: [scope] }) => {
    if (!scope)
      throw new PatroniKitError('USAGE', 'remove needs the cluster name', {
        hint: 'patroni-kit remove NAME --confirm NAME',
      });
    // Repeating the name is the confirmation (no prompt): --force only relaxes the member-key check.
    if (values.confirm === undefined)
      throw new PatroniKitError(
        'USAGE',
        `remove deletes the whole cluster ${scope} from the DCS: repeat its name with --confirm ${scope}`,
      );
    return scope;
  },
  act: ({ cluster, values, io, progress }) =>
    cluster.remove({
      confirmScope: values.confirm!,
      ...(values.force ? { force: true } : {}),
      signal: io.signal,
      ...progress,
    }),
});
