/** `patroni-kit list`: patronictl's list (DCS read, member truth from each /patroni), with -W/-w watch. */
import type { ClusterView } from '@patroni-kit/cluster';
import { commonUsage, formatOf, parse, withCluster } from '../cluster-args.js';
import type { CommandIO, CommandModule } from '../command.js';
import { ExitCode } from '../command.js';
import { clusterFooter, clusterTitle, listRows, renderRows, viewNotes } from '../format/cluster.js';
import { refreshLoop, refreshOptions, refreshUsage } from '../refresh.js';

const usage = `Usage: patroni-kit list [CLUSTER_NAMES...] [options]

Members with patronictl's columns: Member, Host, Role, State, TL, Lag in MB (+ Pending restart, Tags).
Read from the DCS like patronictl; each member's own REST API is asked too, and a member that does not
answer is marked unreachable. Where the DCS and a member disagree (e.g. a stale leader while etcd has no
quorum) a note says so.

  -e, --extended        show every optional column
  -f, --format FMT      pretty (default), json, yaml, tsv
${refreshUsage}

${commonUsage}`;

const options = { extended: { type: 'boolean', short: 'e' }, ...refreshOptions } as const;

/** The text of one listing. */
export function renderList(
  view: ClusterView,
  format: ReturnType<typeof formatOf>,
  extended: boolean,
): string {
  const { columns, rows } = listRows(view, { extended });
  return renderRows(columns, rows, format, clusterTitle(view), clusterFooter(view));
}

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse('list', argv, options);
  const format = formatOf(values);
  // patronictl lists several clusters when given several names (all in the same DCS).
  const names = positionals.length > 0 ? positionals : [undefined];
  await refreshLoop(values, io, format === 'pretty', async () => {
    for (const name of names) {
      await withCluster(values, name, io, async (cluster) => {
        const view = await cluster.list({ signal: io.signal });
        io.stdout.write(renderList(view, format, Boolean(values.extended)));
        const notes = viewNotes(view);
        if (notes.length > 0) io.stderr.write(`${notes.join('\n')}\n`);
      });
    }
  });
  // A read that answered is a success, even when it shows problems (`patroni-kit health` grades them).
  return ExitCode.ok;
}

const command: CommandModule = {
  summary: 'list the members of a cluster (like patronictl list)',
  usage,
  run,
};
export default command;
