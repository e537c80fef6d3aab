/** `patroni-kit topology`: the list as a tree by the `replicatefrom` tag (leader first). */

import { commonUsage, formatOf, parse, withCluster } from '../cluster-args.js';
import type { CommandIO, CommandModule } from '../command.js';
import { ExitCode } from '../command.js';
import { clusterFooter, clusterTitle, listRows, renderRows, viewNotes } from '../format/cluster.js';
import { refreshLoop, refreshOptions, refreshUsage } from '../refresh.js';

const usage = `Usage: patroni-kit topology [CLUSTER_NAME] [options]

Like list, ordered as a replication tree: the leader, then its replicas prefixed with "+ " (cascading
replicas by the replicatefrom tag, indented two spaces per level). Advisories and disagreements follow.

  -e, --extended        show every optional column
  -f, --format FMT      pretty (default), json, yaml, tsv
${refreshUsage}

${commonUsage}`;

const options = { extended: { type: 'boolean', short: 'e' }, ...refreshOptions } as const;

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse('topology', argv, options);
  const format = formatOf(values);
  await refreshLoop(values, io, format === 'pretty', () =>
    withCluster(values, positionals[0], io, async (cluster) => {
      const { view, tree } = await cluster.topology({ signal: io.signal });
      const { columns, rows } = listRows(view, {
        extended: Boolean(values.extended),
        order: tree.map((t) => t.member),
      });
      rows.forEach((row, i) => {
        const depth = tree[i]!.depth;
        if (depth > 0) row.Member = `${'  '.repeat(depth - 1)}+ ${String(row.Member)}`;
      });
      io.stdout.write(renderRows(columns, rows, format, clusterTitle(view), clusterFooter(view)));
      const notes = viewNotes(view);
      if (notes.length > 0) io.stderr.write(`${notes.join('\n')}\n`);
      return ExitCode.ok;
    }),
  );
  return ExitCode.ok;
}

const command: CommandModule = {
  summary: 'the cluster as a replication tree (like patronictl topology)',
  usage,
  run,
};
export default command;
