/** `patroni-kit history`: the timeline switches of a cluster. */

import { commonUsage, formatOf, parse, withCluster } from '../cluster-args.js';
import type { CommandIO, CommandModule } from '../command.js';
import { ExitCode } from '../command.js';
import { renderRows } from '../format/cluster.js';

const usage = `Usage: patroni-kit history [CLUSTER_NAME] [options]

Columns TL, LSN, Reason, Timestamp, New Leader (the DCS history key; GET /history as fallback).

  -f, --format FMT   pretty (default), json, yaml, tsv

${commonUsage}`;

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse('history', argv, {});
  const format = formatOf(values);
  return withCluster(values, positionals[0], io, async (cluster) => {
    const rows = (await cluster.history({ signal: io.signal })).map((h) => ({
      TL: h.timeline,
      LSN: h.lsn,
      Reason: h.reason,
      Timestamp: h.timestamp ?? '',
      'New Leader': h.newLeader ?? '',
    }));
    io.stdout.write(renderRows(['TL', 'LSN', 'Reason', 'Timestamp', 'New Leader'], rows, format));
    return ExitCode.ok;
  });
}

const command: CommandModule = { summary: 'show the failover history (timelines)', usage, run };
export default command;
