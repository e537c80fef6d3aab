/** `patroni-kit switchover`: planned switchover with patronictl's checks and stricter ones, then a wait. */
import type { SwitchoverPlan } from '@patroni-kit/cluster';
import { PatroniKitError } from '@patroni-kit/errors';
import { actionCommand, commonUsage } from '../cluster-args.js';

const usage = `Usage: patroni-kit switchover [CLUSTER_NAME] [options]

Moves the leader to another member. Pre-checks before anything is sent: the cluster has a running leader
(confirmed by its own REST API), --leader is that leader, the candidate exists, runs as a streaming replica,
is not tagged nofailover, lags at most maximum_lag_on_failover, is the synchronous standby in synchronous
mode, nothing is scheduled already, and a paused cluster gets a named candidate. Without --candidate the
healthiest replica is chosen. An immediate switchover waits until the new leader runs.

  --leader, --primary NAME  the current leader (checked)
  --candidate NAME          the member to promote
  --scheduled TIME          ISO-8601 time (with zone), or now (default)
  --force                   do not ask for confirmation
  --no-wait                 return when Patroni answers
  --timeout SECONDS         how long to wait for the new leader (default 120)
  --json                    print the result as JSON
  -q, --quiet               no progress lines

Exit codes: 0 done, 1 refused or failed, 2 usage, 3 outcome unknown (read the cluster).

${commonUsage}`;

const options = {
  leader: { type: 'string' },
  primary: { type: 'string' },
  master: { type: 'string' },
  candidate: { type: 'string' },
  scheduled: { type: 'string' },
  force: { type: 'boolean' },
  'no-wait': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

/** The request from the options (the plan the user confirmed replaces it). */
function requestOf(values: {
  leader?: string;
  primary?: string;
  master?: string;
  candidate?: string;
  scheduled?: string;
}) {
  const leader = values.leader ?? values.primary ?? values.master;
  return {
    ...(leader === undefined ? {} : { leader }),
    ...(values.candidate === undefined ? {} : { candidate: values.candidate }),
    ...(values.scheduled === undefined ? {} : { scheduledAt: values.scheduled }),
  };
}

export default actionCommand<typeof options, SwitchoverPlan>({
  name: 'switchover',
  summary: 'switch the leader over to another member, with pre-checks',
  usage,
  options,
  scope: ({ positionals }) => {
    if (positionals.length > 1)
      throw new PatroniKitError('USAGE', `unexpected arguments: ${positionals.slice(1).join(' ')}`);
    return positionals[0];
  },
  quiet: (values) => Boolean(values.quiet),
  // Asked: plan on one read, show it, and execute exactly that plan (re-validated on one more read).
  confirm: async ({ cluster, values, io }) => {
    const plan = await cluster.planSwitchover({ ...requestOf(values), signal: io.signal });
    if (!plan.ok)
      return {
        action: 'switchover',
        outcome: 'failed',
        reason: plan.reason,
        sent: false,
        check: plan.check!,
      };
    return { question: `Are you sure you want to ${plan.reason}?`, state: plan };
  },
  aborted: 'Aborting switchover',
  act: ({ cluster, values, io, progress, timeout }, plan) => {
    const run = { signal: io.signal, wait: !values['no-wait'], ...timeout, ...progress };
    // --force: plan and execute on a single read.
    return plan ? cluster.switchover(plan, run) : cluster.switchover({ ...requestOf(values), ...run });
  },
});
