/** `patroni-kit query`: run SQL on a member (default the leader) with npm pg. */
import { readFileSync } from 'node:fs';
import type { RoleFilter } from '@patroni-kit/cluster';
import { PatroniKitError } from '@patroni-kit/errors';
import { commonOptions, commonUsage, parse, withCluster } from '../cluster-args.js';
import type { CommandIO, CommandModule } from '../command.js';
import { ExitCode } from '../command.js';

const usage = `Usage: patroni-kit query [CLUSTER_NAME] (--command SQL | --file FILE) [options]

  --command SQL       the statement (patronictl -c is --config-file here too, so use the long form)
  --file FILE         read the statement from a file
  -r, --role ROLE     leader (default), primary, replica, ... (checked with pg_is_in_recovery())
  -m, --member NAME   a member (exclusive with --role)
  -U, --username U    PostgreSQL user (default: superuser from patroni.yml, $PGUSER, postgres)
  --password          read the password from $PGPASSWORD (never from the command line)
  --dbname DB         database (default postgres)
  --delimiter D       column delimiter (default tab)
  -f, --format FMT    tsv (default) or json

${commonUsage}`;

const options = {
  command: { type: 'string' },
  file: { type: 'string' },
  role: { type: 'string', short: 'r' },
  member: { type: 'string', short: 'm' },
  username: { type: 'string', short: 'U' },
  password: { type: 'boolean' },
  dbname: { type: 'string' },
  delimiter: { type: 'string' },
} as const;

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse('query', argv, options);
  void commonOptions;
  if (Boolean(values.command) === Boolean(values.file))
    throw new PatroniKitError('USAGE', 'give exactly one of --command and --file');
  if (values.role && values.member)
    throw new PatroniKitError('USAGE', '--role and --member are mutually exclusive');
  const sql = values.command ?? readFileSync(values.file!, 'utf8');
  return withCluster(values, positionals[0], io, async (cluster) => {
    const res = await cluster.query(sql, {
      signal: io.signal,
      ...(values.role ? { role: values.role as RoleFilter } : {}),
      ...(values.member ? { member: values.member } : {}),
      ...(values.username ? { username: values.username } : {}),
      ...(values.dbname ? { dbname: values.dbname } : {}),
      ...(values.password && process.env.PGPASSWORD ? { password: process.env.PGPASSWORD } : {}),
    });
    if (values.format === 'json' || values.json) {
      io.stdout.write(
        `${JSON.stringify(res.rows.map((r) => Object.fromEntries(res.columns.map((c, i) => [c, r[i]]))))}\n`,
      );
    } else {
      const d = values.delimiter ?? '\t';
      const cell = (v: unknown) =>
        v === null
          ? ''
          : v instanceof Date
            ? v.toISOString()
            : typeof v === 'object'
              ? JSON.stringify(v)
              : String(v);
      io.stdout.write(`${[res.columns.join(d), ...res.rows.map((r) => r.map(cell).join(d))].join('\n')}\n`);
    }
    return ExitCode.ok;
  });
}

const command: CommandModule = { summary: 'run SQL on a member', usage, run };
export default command;
