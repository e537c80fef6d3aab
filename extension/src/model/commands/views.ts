/** Read-only commands: History, Health Report, Show Member JSON, Copy DSN. */
import type { HealthReport, HistoryRow } from '../operations.js';
import { formatBytes } from '../tree.js';
import {
  type CommandContext,
  type CommandOutcome,
  type CommandTarget,
  cancelled,
  pickCluster,
  withCluster,
} from './ui.js';

/** Timeline switches as a markdown document, newest first. */
export function historyMarkdown(name: string, rows: HistoryRow[]): string {
  const lines = [`# History of ${name}`, ''];
  if (rows.length === 0) lines.push('No timeline switch yet: the cluster still runs on timeline 1.');
  else {
    lines.push('| timeline | LSN | reason | when | new leader |', '|---|---|---|---|---|');
    for (const h of [...rows].reverse())
      lines.push(
        `| ${h.timeline} → ${h.timeline + 1} | ${h.lsn} | ${h.reason.replace(/\|/g, '\\|')} | ${h.timestamp ?? ''} | ${h.newLeader ?? ''} |`,
      );
  }
  return `${lines.join('\n')}\n`;
}

/** The health report as markdown: state, every check, each replica's explanation with its fix, the slots. */
export function healthMarkdown(name: string, r: HealthReport): string {
  const lines = [
    `# Health of ${name}: ${r.state}`,
    '',
    `${r.summary}`,
    '',
    `Read at ${r.at}; Nagios exit code ${r.exitCode}.`,
    '',
    '## Checks',
    '',
    '| check | state | what it found |',
    '|---|---|---|',
    ...r.checks.map((c) => `| ${c.name} | ${c.state} | ${c.message.replace(/\|/g, '\\|')} |`),
  ];
  if (r.replicas?.length) {
    lines.push('', '## Replicas', '');
    for (const x of r.replicas)
      lines.push(
        `- **${x.member}**: ${x.healthy ? 'healthy' : x.cause} — ${x.message}${x.fix ? ` Fix: ${x.fix}` : ''}`,
      );
  }
  if (r.slots?.length) {
    lines.push(
      '',
      '## Replication slots on the leader',
      '',
      '| slot | owner | state | finding |',
      '|---|---|---|---|',
    );
    for (const s of r.slots)
      lines.push(`| ${s.name} | ${s.member ?? s.owner} | ${s.state} | ${s.message.replace(/\|/g, '\\|')} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** `patroni.history`: a markdown document of the timeline switches. */
export async function history(ctx: CommandContext, target: CommandTarget = {}): Promise<CommandOutcome> {
  const def = await pickCluster(ctx, target);
  if (!def) return cancelled('no cluster');
  return withCluster(ctx, def, 'History', async (ops) => {
    const rows = await ops.history();
    await ctx.ui.showDocument(historyMarkdown(def.name, rows), 'markdown');
    return { outcome: 'succeeded', message: `${rows.length} timeline switch(es)` };
  });
}

/** `patroni.healthReport`: the SDK's health report (etcd quorum and SQL checks included) as markdown. */
export async function healthReport(ctx: CommandContext, target: CommandTarget = {}): Promise<CommandOutcome> {
  const def = await pickCluster(ctx, target);
  if (!def) return cancelled('no cluster');
  return withCluster(ctx, def, 'Health Report', async (ops) => {
    const r = await ctx.ui.progress(`Health report of ${def.name}`, (_report, signal) => ops.health(signal));
    await ctx.ui.showDocument(healthMarkdown(def.name, r), 'markdown');
    return { outcome: 'succeeded', message: `${def.name}: ${r.state}` };
  });
}

async function pickMember(
  ctx: CommandContext,
  ops: {
    status(): Promise<{
      members: Array<{ name: string; role: string; state: string; lag?: number | 'unknown' }>;
    }>;
  },
  title: string,
): Promise<string | undefined> {
  const view = await ops.status();
  const picked = await ctx.ui.pick(
    view.members.map((m) => ({
      label: m.name,
      description: [m.role, m.state, typeof m.lag === 'number' ? `lag ${formatBytes(m.lag)}` : '']
        .filter(Boolean)
        .join(' · '),
    })),
    { title },
  );
  return picked?.label;
}

/** `patroni.showMemberJson`: the member's own `GET /patroni`, pretty-printed. */
export async function showMemberJson(
  ctx: CommandContext,
  target: CommandTarget = {},
): Promise<CommandOutcome> {
  const def = await pickCluster(ctx, target);
  if (!def) return cancelled('no cluster');
  return withCluster(ctx, def, 'Show Member JSON', async (ops) => {
    const member =
      target.member ?? (await pickMember(ctx, ops, `GET /patroni of which member of ${def.name}?`));
    if (!member) return cancelled();
    const body = await ops.memberJson(member);
    await ctx.ui.showDocument(`${JSON.stringify(body, null, 2)}\n`, 'json');
    return { outcome: 'succeeded', message: `GET /patroni of ${member}` };
  });
}

/**
 * The DSN to copy: libpq keywords `host=H port=P`, plus `user=` when one is known. A password is never part
 * of it (it comes from a pgpass file or the environment).
 */
export function dsnWithUser(dsn: string, user: string | undefined): string {
  const clean = dsn
    .split(/\s+/)
    .filter((kv) => kv && !/^password=/i.test(kv))
    .join(' ');
  return user && !/\buser=/.test(clean) ? `${clean} user=${user}` : clean;
}

/** `patroni.copyDsn`: a member's (or the leader's) DSN to the clipboard. */
export async function copyDsn(ctx: CommandContext, target: CommandTarget = {}): Promise<CommandOutcome> {
  const def = await pickCluster(ctx, target);
  if (!def) return cancelled('no cluster');
  return withCluster(ctx, def, 'Copy DSN', async (ops) => {
    const dsn = dsnWithUser(await ops.dsn(target.member), def.postgresUser ?? ops.postgresLogin()?.username);
    await ctx.ui.writeClipboard(dsn);
    ctx.ui.info(`Copied the DSN of ${target.member ?? `the leader of ${def.name}`}: ${dsn}`);
    return { outcome: 'succeeded', message: dsn };
  });
}
