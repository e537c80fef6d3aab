/** `patroni-kit failover`: manual failover to a named candidate. */
import { PatroniKitError } from '@patroni-kit/errors';
import { actionCommand, commonUsage } from '../cluster-args.js';

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

export default actionCommand({
  name: 'failover',
  summary: 'fail over to a named candidate',
  usage,
  options,
  scope: ({ values, positionals }) => {
    if (!values.candidate)
      throw new PatroniKitError('USAGE', 'Failover could be performed only to a specific candidate', {
        hint: 'pass --candidate NAME',
      });
    return positionals[0];
  },
  quiet: (values) => Boolean(values.quiet),
  confirm: async ({ values }) => ({ question: `Are you sure you want to failover to ${values.candidate}?` }),
  aborted: 'Aborting failover',
  act: ({ cluster, values, io, progress, timeout }) =>
    cluster.failover({
      candidate: values.candidate!,
      allowAsync: Boolean(values.force),
      signal: io.signal,
      wait: !values['no-wait'],
      ...timeout,
      ...progress,
    }),
});
