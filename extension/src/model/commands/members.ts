/** Restart (all, one, pending), Reload, Reinitialize Member, Pause and Resume. */
import type { ClusterView } from '../operations.js';
import {
  type CommandContext,
  type CommandOutcome,
  type CommandTarget,
  cancelled,
  confirmCommand,
  pickCluster,
  reportWrite,
  runWithProgress,
  withCluster,
} from './ui.js';

/** Labels of the restart choices (stable: scripts pick them). */
export const RESTART_ALL = 'All members';
export const RESTART_PENDING = 'Members with a pending restart';

function roleWords(view: ClusterView, name: string): string {
  const m = view.members.find((x) => x.name === name);
  if (!m) return '';
  return [m.role, m.state, m.pendingRestart ? 'pending restart' : ''].filter(Boolean).join(' · ');
}

/** `patroni.restart`: a member node restarts that member; otherwise all, pending only, or one picked. */
export async function restart(ctx: CommandContext, target: CommandTarget = {}): Promise<CommandOutcome> {
  const def = await pickCluster(ctx, target);
  if (!def) return cancelled('no cluster');
  return withCluster(ctx, def, 'Restart', async (ops) => {
    const view = await ops.status();
    let sel: { members?: string[]; pending?: boolean; words: string };
    if (target.member) sel = { members: [target.member], words: target.member };
    else {
      const pending = view.members
        .filter((m) => m.pendingRestart || m.live?.pendingRestart)
        .map((m) => m.name);
      const picked = await ctx.ui.pick(
        [
          {
            label: RESTART_ALL,
            description: view.members.map((m) => m.name).join(', '),
            sel: { words: 'every member' },
          },
          {
            label: RESTART_PENDING,
            description: pending.length ? pending.join(', ') : 'none right now',
            sel: { pending: true, words: 'the members with a pending restart' },
          },
          ...view.members.map((m) => ({
            label: m.name,
            description: roleWords(view, m.name),
            sel: { members: [m.name], words: m.name },
          })),
        ],
        { title: `Restart PostgreSQL on ${def.name}: which members?` },
      );
      if (!picked) return cancelled();
      sel = picked.sel;
    }
    const ok = await confirmCommand(
      ctx,
      'patroni.restart',
      def,
      `restart PostgreSQL on ${sel.words}`,
      'Patroni restarts PostgreSQL one member at a time; a restarted leader stays leader, its clients reconnect.',
      'Restart',
    );
    if (!ok) return cancelled();
    const r = await runWithProgress(ctx, `Restart on ${def.name}`, (o) =>
      ops.restart(
        { ...(sel.members ? { members: sel.members } : {}), ...(sel.pending ? { pending: true } : {}) },
        o,
      ),
    );
    return reportWrite(ctx, `Restart on ${def.name}`, r, ops);
  });
}

/** `patroni.reload`: `POST /reload` on a member, or on every member (not dangerous: no confirmation). */
export async function reload(ctx: CommandContext, target: CommandTarget = {}): Promise<CommandOutcome> {
  const def = await pickCluster(ctx, target);
  if (!def) return cancelled('no cluster');
  return withCluster(ctx, def, 'Reload', async (ops) => {
    const r = await runWithProgress(ctx, `Reload on ${def.name}`, (o) =>
      ops.reload(target.member ? { members: [target.member] } : {}, o),
    );
    return reportWrite(ctx, `Reload on ${def.name}`, r, ops);
  });
}

/** `patroni.reinit`: re-clones a replica from the leader (its data directory is wiped). */
export async function reinit(ctx: CommandContext, target: CommandTarget = {}): Promise<CommandOutcome> {
  const def = await pickCluster(ctx, target);
  if (!def) return cancelled('no cluster');
  return withCluster(ctx, def, 'Reinitialize', async (ops) => {
    const view = await ops.status();
    let member = target.member;
    if (!member) {
      const picked = await ctx.ui.pick(
        view.members
          .filter((m) => m.name !== view.leader)
          .map((m) => ({ label: m.name, description: roleWords(view, m.name) })),
        { title: `Reinitialize which replica of ${def.name}?` },
      );
      if (!picked) return cancelled();
      member = picked.label;
    }
    const ok = await confirmCommand(
      ctx,
      'patroni.reinit',
      def,
      `reinitialize ${member}`,
      `${member}'s data directory is removed and cloned again from the leader ${view.leader ?? '(none)'}; it serves no reads meanwhile.`,
      'Reinitialize',
    );
    if (!ok) return cancelled();
    const name = member;
    const r = await runWithProgress(ctx, `Reinitialize ${name} on ${def.name}`, (o) =>
      ops.reinit({ members: [name], force: true }, o),
    );
    return reportWrite(ctx, `Reinitialize ${name} on ${def.name}`, r, ops);
  });
}

/** `patroni.pause` / `patroni.resume`: maintenance mode on or off, waited for until every member reports it. */
export async function setPaused(
  ctx: CommandContext,
  pause: boolean,
  target: CommandTarget = {},
): Promise<CommandOutcome> {
  const def = await pickCluster(ctx, target);
  if (!def) return cancelled('no cluster');
  const title = pause ? 'Pause' : 'Resume';
  return withCluster(ctx, def, title, async (ops) => {
    const ok = await confirmCommand(
      ctx,
      pause ? 'patroni.pause' : 'patroni.resume',
      def,
      pause ? 'pause cluster management (maintenance mode)' : 'resume cluster management',
      pause
        ? 'While paused Patroni does not fail over automatically: a dead leader stays dead until you act or resume.'
        : 'Patroni manages the cluster again: automatic failover is back on.',
      title,
    );
    if (!ok) return cancelled();
    const r = await runWithProgress(ctx, `${title} ${def.name}`, (o) =>
      pause ? ops.pause(o) : ops.resume(o),
    );
    return reportWrite(ctx, `${title} ${def.name}`, r, ops);
  });
}
