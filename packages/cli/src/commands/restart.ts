/** `patroni-kit restart`: restart PostgreSQL on members (role filter, pending only, scheduled, version filter). */
import type { RoleFilter } from '@patroni-kit/cluster';
import { PatroniKitError } from '@patroni-kit/errors';
import { actionCommand, commonUsage } from '../cluster-args.js';

const usage = `Usage: patroni-kit restart CLUSTER_NAME [MEMBER_NAMES...] [options]

Restarts PostgreSQL (POST /restart) on each selected member, one after the other. Refused before anything
is sent when a member does not exist or does not answer, when a restart is already scheduled (use --force
to replace it), when scheduling while paused, or with a malformed --pg-version.

  -r, --role ROLE       leader, primary, standby-leader, replica, standby, any (default)
  --any                 restart one random member of the selection
  --pending             only members with a pending restart
  --scheduled TIME      ISO-8601 time (with zone), or now (default)
  --pg-version X.Y      only members running an older PostgreSQL
  --timeout SECONDS     how long PostgreSQL may take to start (overrides primary_start_timeout)
  --force               no confirmation; replace an already scheduled restart
  --json                print the result as JSON

${commonUsage}`;

const options = {
  role: { type: 'string', short: 'r' },
  any: { type: 'boolean' },
  pending: { type: 'boolean' },
  scheduled: { type: 'string' },
  'pg-version': { type: 'string' },
  force: { type: 'boolean' },
} as const;

export default actionCommand({
  name: 'restart',
  summary: 'restart PostgreSQL on members',
  usage,
  options,
  scope: ({ positionals }) => {
    if (!positionals[0])
      throw new PatroniKitError('USAGE', 'restart needs the cluster name', {
        hint: 'patroni-kit restart CLUSTER [MEMBERS...]',
      });
    return positionals[0];
  },
  confirm: async ({ values, positionals: [, ...members] }) => {
    const what = members.length ? members.join(', ') : `all ${values.role ?? 'any'} members`;
    return {
      question: `Restart PostgreSQL on ${values.any ? 'one random member of ' : ''}${what}${values.scheduled ? ` at ${values.scheduled}` : ''}?`,
    };
  },
  aborted: 'Aborted restart',
  act: async ({ cluster, values, positionals: [, ...members], io, progress }) => {
    let selected = members;
    if (values.any) {
      const view = await cluster.status({ signal: io.signal, live: false });
      const pool = members.length ? members : view.members.map((m) => m.name);
      selected = [pool[Math.floor(Math.random() * pool.length)]!];
    }
    return cluster.restart({
      ...(selected.length ? { members: selected } : {}),
      ...(values.role ? { role: values.role as RoleFilter } : {}),
      ...(values.pending ? { pending: true } : {}),
      ...(values.scheduled ? { scheduledAt: values.scheduled } : {}),
      ...(values['pg-version'] ? { pgVersion: values['pg-version'] } : {}),
      // Patroni's own unit: seconds for PostgreSQL to start.
      ...(values.timeout ? { timeout: Number(values.timeout) } : {}),
      ...(values.force ? { force: true } : {}),
      signal: io.signal,
      ...progress,
    });
  },
});
