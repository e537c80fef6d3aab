/** `patroni-kit slots`: replication slots on the leader, their owner and retained WAL; drop an orphan. */
import { PatroniKitError } from '@patroni-kit/errors';
import { commonUsage, confirm, finish, parse, withCluster } from '../cluster-args.js';
import type { CommandIO, CommandModule } from '../command.js';

const usage = `Usage: patroni-kit slots [CLUSTER_NAME] [options]

Lists the replication slots on the leader: type, active, the member (or config) that owns each one,
restart LSN, wal_status and the WAL it retains. A slot that belongs to no member pins WAL on the leader
until it is dropped (the recipe's pitfall after a node is lost).

  --drop SLOT   drop that slot. Refused while a member in the DCS owns it (Patroni would recreate it),
                for permanent slots (config 'slots'), and while it is active. Asks for confirmation.
  --force       drop without asking (scripts)
  --json        print JSON

Needs SQL access to the leader: -U/--password, PGPASSWORD or PGPASSFILE, or a patroni.yml with
postgresql.authentication.superuser.

${commonUsage}`;

const options = {
  drop: { type: 'string' },
  force: { type: 'boolean' },
} as const;

const mib = (bytes: number | undefined) =>
  bytes === undefined ? '?' : `${(bytes / 1048576).toFixed(1)} MiB`;

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse('slots', argv, options);
  const json = Boolean(values.json);
  return withCluster(values, positionals[0], io, async (cluster) => {
    const drop = values.drop;
    if (drop !== undefined) {
      if (drop === '') throw new PatroniKitError('USAGE', '--drop needs a slot name');
      if (
        !(await confirm(
          `Drop replication slot ${drop} on the leader of ${cluster.scope}? A replica that still needs it must be re-cloned`,
          Boolean(values.force),
          io,
          'drop the slot',
        ))
      )
        return finish(
          { action: 'drop slot', outcome: 'failed', reason: 'Aborted', sent: false, check: 'confirmed' },
          io,
          json,
        );
      return finish(await cluster.dropSlot(drop, { signal: io.signal }), io, json);
    }
    const { leader, slots } = await cluster.slots({ signal: io.signal });
    if (json) {
      io.stdout.write(`${JSON.stringify({ scope: cluster.scope, leader, slots }, null, 2)}\n`);
    } else if (slots.length === 0) {
      io.stdout.write(`No replication slots on the leader ${leader}.\n`);
    } else {
      const rows = slots.map((s) => [
        s.name,
        s.type,
        s.active ? 'yes' : 'no',
        s.owner === 'member' ? `member ${s.member}` : s.owner,
        s.walStatus ?? '',
        mib(s.retainedBytes),
        s.state,
      ]);
      const head = ['Slot', 'Type', 'Active', 'Owner', 'WAL status', 'Retained', 'State'];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      const line = (cells: string[]) => `${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')}\n`;
      io.stdout.write(`Replication slots on the leader ${leader} of ${cluster.scope}:\n`);
      io.stdout.write(line(head));
      for (const r of rows) io.stdout.write(line(r));
      for (const s of slots.filter((x) => x.state !== 'OK')) io.stdout.write(`warning: ${s.message}\n`);
    }
    return 0;
  });
}

const command: CommandModule = {
  summary: 'replication slots on the leader: owner, retained WAL; drop an orphan',
  usage,
  run,
};
export default command;
