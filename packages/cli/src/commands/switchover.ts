/** `patroni-kit switchover`: planned switchover with patronictl's checks and stricter ones, then a wait. */
import { PatroniKitError } from '@patroni-kit/errors';
import { commonUsage, confirm, finish, parse, progress, timeoutMs, withCluster } from '../cluster-args.js';
import type { CommandIO, CommandModule } from '../command.js';

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

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse('switchover', argv, options);
  if (positionals.length > 1)
    throw new PatroniKitError('USAGE', `unexpected arguments: ${positionals.slice(1).join(' ')}`);
  const leader = values.leader ?? values.primary ?? values.master;
  const json = Boolean(values.json);
  return withCluster(values, positionals[0], io, async (cluster) => {
    const request: { leader?: string; candidate?: string; scheduledAt?: string } = {
      ...(leader === undefined ? {} : { leader }),
      ...(values.candidate === undefined ? {} : { candidate: values.candidate }),
      ...(values.scheduled === undefined ? {} : { scheduledAt: values.scheduled }),
    };
    if (!values.force) {
      const plan = await cluster.planSwitchover({ ...request, signal: io.signal });
      if (!plan.ok) {
        return finish(
          { action: 'switchover', outcome: 'failed', reason: plan.reason, sent: false, check: plan.check! },
          io,
          json,
        );
      }
      if (!(await confirm(`Are you sure you want to ${plan.reason}?`, false, io, 'switchover')))
        return finish(
          {
            action: 'switchover',
            outcome: 'failed',
            reason: 'Aborting switchover',
            sent: false,
            check: 'confirmed',
          },
          io,
          json,
        );
      // Promote the member the user agreed to, not whichever is best a moment later.
      if (plan.candidate !== undefined) request.candidate = plan.candidate;
    }
    const result = await cluster.switchover({
      ...request,
      signal: io.signal,
      wait: !values['no-wait'],
      timeoutMs: timeoutMs(values.timeout, 120),
      ...(progress(io, Boolean(values.quiet || json)) ? { onProgress: progress(io)! } : {}),
    });
    return finish(result, io, json);
  });
}

const command: CommandModule = {
  summary: 'switch the leader over to another member, with pre-checks',
  usage,
  run,
};
export default command;
