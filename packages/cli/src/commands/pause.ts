/** `patroni-kit pause` and `patroni-kit resume`: maintenance mode on and off, one implementation. */

import { actionCommand, commonUsage } from '../cluster-args.js';
import type { CommandModule } from '../command.js';

const options = { wait: { type: 'boolean' } } as const;

/** The `pause` (`on`) or `resume` command. */
function maintenanceCommand(on: boolean): CommandModule {
  const name = on ? 'pause' : 'resume';
  return actionCommand({
    name,
    summary: on ? 'put the cluster in maintenance mode' : 'leave maintenance mode',
    usage: `Usage: patroni-kit ${name} [CLUSTER_NAME] [options]

${on ? 'Turns off automatic failover (maintenance mode): PATCH /config {"pause": true}.' : 'Turns automatic failover back on: PATCH /config {"pause": null}.'}

  --wait              wait until every member reports it
  --timeout SECONDS   how long to wait (default 60)
  --json              print the result as JSON

${commonUsage}`,
    options,
    scope: ({ positionals }) => positionals[0],
    act: ({ cluster, values, io, progress, timeout }) => {
      const opts = {
        ...(values.wait ? { wait: true } : {}),
        ...timeout,
        signal: io.signal,
        ...progress,
      };
      return on ? cluster.pause(opts) : cluster.resume(opts);
    },
  });
}

/** `patroni-kit resume`. */
export const resume = maintenanceCommand(false);
export default maintenanceCommand(true);
