/** `patroni-kit reload`: make members re-read their configuration (POST /reload). */
import type { RoleFilter } from '@patroni-kit/cluster';
import { PatroniKitError } from '@patroni-kit/errors';
import { actionCommand, commonUsage } from '../cluster-args.js';

const usage = `Usage: patroni-kit reload CLUSTER_NAME [MEMBER_NAMES...] [options]

  -r, --role ROLE   leader, primary, standby-leader, replica, standby, any (default)
  --force           no confirmation
  --json            print the result as JSON

${commonUsage}`;

const options = { role: { type: 'string', short: 'r' }, force: { type: 'boolean' } } as const;

export default actionCommand({
  name: 'reload',
  summary: 'reload the Patroni configuration of members',
  usage,
  options,
  scope: ({ positionals }) => {
    if (!positionals[0])
      throw new PatroniKitError('USAGE', 'reload needs the cluster name', {
        hint: 'patroni-kit reload CLUSTER [MEMBERS...]',
      });
    return positionals[0];
  },
  confirm: async ({ positionals: [, ...members] }) => ({
    question: `Reload the configuration of ${members.length ? members.join(', ') : 'all members'}?`,
  }),
  aborted: 'Aborted reload',
  act: ({ cluster, values, positionals: [, ...members], io, progress }) =>
    cluster.reload({
      ...(members.length ? { members } : {}),
      ...(values.role ? { role: values.role as RoleFilter } : {}),
      signal: io.signal,
      ...progress,
    }),
});
