/** `patroni-kit list`: patronictl's list (DCS read, member truth from each /patroni), with -W/-w watch. */
import type { ClusterView } from '@patroni-kit/cluster';
import { PatroniKitError } from '@patroni-kit/errors';
import { commonUsage, formatOf, parse, withCluster } from '../cluster-args.js';
import type { CommandIO, CommandModule } from '../command.js';
import { ExitCode } from '../command.js';
import { clusterFooter, clusterTitle, listRows, renderRows, viewNotes } from '../format/cluster.js';

const usage = `Usage: patroni-kit list [CLUSTER_NAMES...] [options]

Members with patronictl's columns: Member, Host, Role, State, TL, Lag in MB (+ Pending restart, Tags).
Read from the DCS like patronictl; each member's own REST API is asked too, and a member that does not
answer is marked unreachable. Where the DCS and a member disagree (e.g. a stale leader while etcd has no
quorum) a note says so.

  -e, --extended        show every optional column
  -t, --timestamp       print the time before the table
  -f, --format FMT      pretty (default), json, yaml, tsv
  -W                    refresh every 2 seconds until interrupted
  -w, --watch SECONDS   refresh every SECONDS seconds
  --count N             stop watching after N refreshes

${commonUsage}`;

const options = {
  extended: { type: 'boolean', short: 'e' },
  timestamp: { type: 'boolean', short: 't' },
  W: { type: 'boolean', short: 'W' },
  watch: { type: 'string', short: 'w' },
  count: { type: 'string' },
} as const;

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
  const interval = values.W ? 2 : values.watch !== undefined ? Number(values.watch) : 0;
  if (!Number.isFinite(interval) || interval < 0)
    throw new PatroniKitError('USAGE', `--watch takes seconds, not '${values.watch}'`);
  const count =
    values.count === undefined ? (interval > 0 ? 1_000_000 : 1) : Math.max(1, Number(values.count));
  // patronictl lists several clusters when given several names (all in the same DCS).
  const names = positionals.length > 0 ? positionals : [undefined];
  for (let i = 0; i < count && !io.signal.aborted; i++) {
    if (i > 0) await sleep(interval * 1000, io.signal);
    if (io.signal.aborted) break;
    if (interval > 0 && io.isTTY && format === 'pretty') io.stdout.write('\x1b[2J\x1b[H');
    if (values.timestamp) io.stdout.write(`${new Date().toISOString().replace('T', ' ').slice(0, 19)}\n`);
    for (const name of names) {
      await withCluster(values, name, io, async (cluster) => {
        const view = await cluster.list({ signal: io.signal });
        io.stdout.write(renderList(view, format, Boolean(values.extended)));
        const notes = viewNotes(view);
        if (notes.length > 0) io.stderr.write(`${notes.join('\n')}\n`);
      });
    }
  }
  // A read that answered is a success, even when it shows problems (`patroni-kit health` grades them).
  return ExitCode.ok;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

const command: CommandModule = {
  summary: 'list the members of a cluster (like patronictl list)',
  usage,
  run,
};
export default command;
