/** `patroni-kit flush`: drop scheduled restarts or the scheduled switchover. */
import type { RoleFilter } from '@patroni-kit/cluster';
import { PatroniKitError } from '@patroni-kit/errors';
import { actionCommand, commonUsage } from '../cluster-args.js';

const usage = `Usage: patroni-kit flush CLUSTER_NAME [MEMBER_NAMES...] restart|switchover [options]

  restart      DELETE /restart on members with a scheduled restart
  switchover   DELETE /switchover on the leader (other members if it does not answer; the DCS
               failover key with compare-and-set if none answers)

  -r, --role ROLE   member filter for restart
  --force           no confirmation
  --json            print the result as JSON

${commonUsage}`;

const options = { role: { type: 'string', short: 'r' }, force: { type: 'boolean' } } as const;

/** `[CLUSTER, ...MEMBERS, restart|switchover]`, checked. */
function split(positionals: string[]): { scope: string; members: string[]; what: 'restart' | 'switchover' } {
  const what = positionals[positionals.length - 1];
  const [scope, ...members] = positionals.slice(0, -1);
  if (!scope || (what !== 'restart' && what !== 'switchover'))
    throw new PatroniKitError('USAGE', 'flush needs the cluster name and restart or switchover', {
      hint: 'patroni-kit flush CLUSTER switchover',
    });
  return { scope, members, what };
}

export default actionCommand({
  name: 'flush',
  summary: 'drop scheduled restarts or a scheduled switchover',
  usage,
  options,
  scope: ({ positionals }) => split(positionals).scope,
  confirm: async ({ positionals }) => ({ question: `Flush the scheduled ${split(positionals).what}?` }),
  verb: 'flush the scheduled restart or switchover',
  act: ({ cluster, values, positionals, io, progress }) => {
    const { what, members } = split(positionals);
    return cluster.flush({
      what,
      ...(members.length ? { members } : {}),
      ...(values.role ? { role: values.role as RoleFilter } : {}),
      signal: io.signal,
      ...progress,
    });
  },
});
