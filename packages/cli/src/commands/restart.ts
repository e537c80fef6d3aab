/** `patroni-kit restart`: restart PostgreSQL on members (role filter, pending only, scheduled, version filter). */
import type { RoleFilter } from '@patroni-kit/cluster';
import { PatroniKitError } from '@patroni-kit/errors';
import { commonUsage, confirm, finish, parse, progress, withCluster } from '../cluster-args.js';
import type { CommandIO, CommandModule } from '../command.js';

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

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse('restart', argv, options);
  const [scope, ...members] = positionals;
  if (!scope)
    throw new PatroniKitError('USAGE', 'restart needs the cluster name', {
      hint: 'patroni-kit restart CLUSTER [MEMBERS...]',
    });
  const json = Boolean(values.json);
  return withCluster(values, scope, io, async (cluster) => {
    let selected = members;
    if (values.any) {
      const view = await cluster.status({ signal: io.signal, live: false });
      const pool = members.length ? members : view.members.map((m) => m.name);
      selected = [pool[Math.floor(Math.random() * pool.length)]!];
    }
    const what = selected.length ? selected.join(', ') : `all ${values.role ?? 'any'} members`;
    if (
      !(await confirm(
        `Restart PostgreSQL on ${what}${values.scheduled ? ` at ${values.scheduled}` : ''}?`,
        Boolean(values.force),
        io,
        'restart',
      ))
    )
      return finish(
        { action: 'restart', outcome: 'failed', reason: 'Aborted restart', sent: false, check: 'confirmed' },
        io,
        json,
      );
    const onProgress = progress(io, json);
    const result = await cluster.restart({
      ...(selected.length ? { members: selected } : {}),
      ...(values.role ? { role: values.role as RoleFilter } : {}),
      ...(values.pending ? { pending: true } : {}),
      ...(values.scheduled ? { scheduledAt: values.scheduled } : {}),
      ...(values['pg-version'] ? { pgVersion: values['pg-version'] } : {}),
      ...(values.timeout ? { timeout: Number(values.timeout) } : {}),
      ...(values.force ? { force: true } : {}),
      signal: io.signal,
      ...(onProgress ? { onProgress } : {}),
    });
    return finish(result, io, json);
  });
}

const command: CommandModule = { summary: 'restart PostgreSQL on members', usage, run };
export default command;
