/** `patroni-kit failover`: manual failover to a named candidate. */
import { PatroniKitError } from '@patroni-kit/errors';
import { commonUsage, confirm, finish, parse, progress, timeoutMs, withCluster } from '../cluster-args.js';
import type { CommandIO, CommandModule } from '../command.js';

const usage = `Usage: patroni-kit failover [CLUSTER_NAME] --candidate NAME [options]

Promotes the candidate (also when there is no leader). Pre-checks: the candidate exists, runs as a replica,
is not tagged nofailover, lags at most maximum_lag_on_failover while a leader is there; in synchronous mode
an asynchronous candidate needs --force (it may lose transactions). Waits until the candidate leads.

  --candidate NAME     the member to promote (required)
  --force              no confirmation; allow an asynchronous candidate in synchronous mode
  --no-wait            return when Patroni answers
  --timeout SECONDS    how long to wait (default 120)
  --json               print the result as JSON
  -q, --quiet          no progress lines

${commonUsage}`;

const options = {
  candidate: { type: 'string' },
  force: { type: 'boolean' },
  'no-wait': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse('failover', argv, options);
  if (!values.candidate)
    throw new PatroniKitError('USAGE', 'Failover could be performed only to a specific candidate', {
      hint: 'pass --candidate NAME',
    });
  const json = Boolean(values.json);
  return withCluster(values, positionals[0], io, async (cluster) => {
    if (
      !(await confirm(
        `Are you sure you want to failover to ${values.candidate}?`,
        Boolean(values.force),
        io,
        'failover',
      ))
    )
      return finish(
        {
          action: 'failover',
          outcome: 'failed',
          reason: 'Aborting failover',
          sent: false,
          check: 'confirmed',
        },
        io,
        json,
      );
    const onProgress = progress(io, Boolean(values.quiet || json));
    const result = await cluster.failover({
      candidate: values.candidate!,
      allowAsync: Boolean(values.force),
      signal: io.signal,
      wait: !values['no-wait'],
      timeoutMs: timeoutMs(values.timeout, 120),
      ...(onProgress ? { onProgress } : {}),
    });
    return finish(result, io, json);
  });
}

const command: CommandModule = { summary: 'fail over to a named candidate', usage, run };
export default command;
