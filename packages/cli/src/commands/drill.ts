/** `patroni-kit drill`: failover drills on a lab with a recorded workload and an acknowledged-writes checker. */
import { join } from 'node:path';
import { PatroniKitError } from '@patroni-kit/errors';
import { intOption, parseCommand, usageError as usageErrorFor } from '../args.js';
import { lineProgress } from '../cluster-args.js';
import type { CommandIO, CommandModule } from '../command.js';
import { ExitCode } from '../command.js';

const usage = `Usage: patroni-kit drill [SCENARIO...] [options]

Runs failover drills on a lab (\`patroni-kit lab up\`) while a workload writes through HAProxy's writer
port and reads through its reader port. Every write is recorded (id, time, member, timeline, outcome); a
poller samples each member's pg_is_in_recovery() over its own socket and its REST role. Afterwards every
member must stream again, and a checker sorts the writes: acknowledged and present, LOST (acknowledged,
missing: none allowed in synchronous mode), GHOST (failed or timed out, yet committed); it also proves
that no poll round saw two writable primaries and measures the writer's outage.

Scenarios (default: leader-kill; \`all\` runs every scenario this lab supports):
  leader-kill                SIGKILL the leader; a replica takes over; the old leader rejoins
  leader-partition           cut the leader's host off the network (--netns labs)
  replica-kill               SIGKILL a replica
  etcd-member-lost           stop the etcd member on the leader's host
  etcd-quorum-lost           stop two etcd members, failsafe_mode off: the leader demotes itself
  etcd-quorum-lost-failsafe  the same with failsafe_mode on: the leader keeps running
  switchover                 planned switchover under load
  sync-leader-kill           synchronous mode on (set for the drill, then restored), SIGKILL the leader
  recipe-drill               drop only incoming 5432 and 8008 on the leader, as the recipe does (--netns)
  restart-after-failover     kill the leader, write on the new one, stop and start the whole lab
  repeated-failovers         kill the leader --repeat times in a row
  repeated-partitions        partition the leader --repeat times in a row (--netns)

Options:
  --dir DIR            the lab's folder (as for \`patroni-kit lab\`)
  --out DIR            where reports go (default DIR/drills); one folder per scenario run with
                       report.md, report.json, history.json and timeline.png
  --repeat N           faults in repeated-* scenarios (default 3, at most 100)
  --interval MS        start a write every MS ms (default 50, 10-1000)
  --settle S           seconds of load before the fault and after recovery (default 3, 0-60)
  --list               print the scenarios this lab supports and exit
  --json               print the results as JSON
  -q, --quiet          no progress lines

Exit status: 0 when every scenario passed, 1 when one failed, 2 on bad usage.`;

const options = {
  dir: { type: 'string' },
  out: { type: 'string' },
  repeat: { type: 'string' },
  interval: { type: 'string' },
  settle: { type: 'string' },
  list: { type: 'boolean' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

const usageError = (message: string) => usageErrorFor('drill', message);

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values: v, positionals } = parseCommand('drill', argv, options);
  const repeat = intOption('drill', v.repeat, 'repeat', 1, 100);
  const interval = intOption('drill', v.interval, 'interval', 10, 1000);
  const settle = intOption('drill', v.settle, 'settle', 0, 60);
  const { Lab } = await import('@patroni-kit/lab');
  const drill = await import('@patroni-kit/drill');
  const progress = lineProgress(io, Boolean(v.quiet || v.json));
  const lab = new Lab({ ...(v.dir ? { dir: v.dir } : {}), ...(progress ? { onProgress: progress } : {}) });
  if (!lab.exists())
    throw new PatroniKitError('NOT_FOUND', `no lab in ${lab.dir}`, {
      hint: 'start one with `patroni-kit lab up` (and pass the same --dir to the drill)',
    });
  const status = await lab.status(io.signal);
  const supported = drill.scenariosFor(status.topology);
  if (v.list) {
    if (v.json)
      io.stdout.write(
        `${JSON.stringify(supported.map((s) => ({ name: s.name, description: s.description })))}\n`,
      );
    else for (const s of supported) io.stdout.write(`${s.name.padEnd(27)} ${s.description}\n`);
    return ExitCode.ok;
  }
  for (const p of positionals) {
    if (p !== 'all' && !drill.SCENARIO_NAMES.includes(p))
      throw usageError(`unknown scenario '${p}'; scenarios: ${drill.SCENARIO_NAMES.join(', ')}, all`);
  }
  const names = positionals.includes('all')
    ? supported.map((s) => s.name)
    : positionals.length > 0
      ? positionals
      : ['leader-kill'];
  const results = await drill.runDrill(lab, {
    scenarios: names,
    ...(repeat !== undefined ? { repeat } : {}),
    ...(interval !== undefined ? { writeIntervalMs: interval } : {}),
    ...(settle !== undefined ? { settleMs: settle * 1000 } : {}),
    ...(progress ? { onProgress: progress } : {}),
    signal: io.signal,
  });
  const outRoot = v.out ?? join(lab.dir, 'drills');
  const out: Array<
    ReturnType<typeof drill.summary> & { report: Awaited<ReturnType<typeof drill.writeReport>> }
  > = [];
  for (const r of results) {
    const stamp = new Date(r.history.startedAt).toISOString().replace(/[:.]/g, '-');
    const files = await drill.writeReport(r, join(outRoot, `${stamp}-${r.scenario}`));
    out.push({ ...drill.summary(r), report: files });
  }
  if (v.json) io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  else {
    const rows = out.map((r) => [
      r.scenario,
      r.ok ? 'PASS' : 'FAIL',
      `${r.writes.acknowledged}/${r.writes.attempted}`,
      String(r.writes.lost),
      String(r.writes.ghost),
      String(r.dualPrimaryRounds),
      `${(r.outage.maxWriteGapMs / 1000).toFixed(2)} s`,
      r.outage.writerBackMs === null ? '–' : `${(r.outage.writerBackMs / 1000).toFixed(2)} s`,
      r.streaming.ok ? 'yes' : 'NO',
    ]);
    const head = [
      'SCENARIO',
      'RESULT',
      'ACKED',
      'LOST',
      'GHOST',
      'DUAL',
      'MAX GAP',
      'WRITER BACK',
      'STREAMING',
    ];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const fmt = (r: string[]) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd();
    io.stdout.write(`${fmt(head)}\n${rows.map(fmt).join('\n')}\n`);
    for (const r of out) {
      for (const p of [...r.violations, ...r.problems]) io.stdout.write(`${r.scenario}: ${p}\n`);
      io.stdout.write(`${r.scenario}: report ${r.report.markdown} (timeline ${r.report.png})\n`);
    }
  }
  return out.every((r) => r.ok) ? ExitCode.ok : ExitCode.failed;
}

const command: CommandModule = {
  summary: 'failover drills on a lab: recorded writes, lost/ghost checker, dual-primary poller, reports',
  usage,
  run,
};
export default command;
