/** Switchover and Failover: a quick pick of candidates with their pre-check verdicts, a modal plan, progress. */

import {
  type CandidateVerdict,
  type ClusterView,
  candidateVerdicts,
  type SwitchoverPlan,
} from '../operations.js';
import { formatBytes } from '../tree.js';
import {
  type CommandContext,
  type CommandOutcome,
  type CommandTarget,
  cancelled,
  confirmCommand,
  pickCluster,
  report,
  reportWrite,
  runWithProgress,
  withCluster,
} from './ui.js';

/** A candidate's verdict in words: why it can take over, or every reason it cannot. */
export function verdictWords(v: CandidateVerdict, view: ClusterView): string {
  const lag = typeof v.lag === 'number' ? `lag ${formatBytes(v.lag)}` : 'lag unknown';
  if (v.ok) {
    const sync = view.syncStandbys.includes(v.member) ? 'synchronous standby, ' : '';
    return `passes every pre-check: ${sync}running replica, ${lag}`;
  }
  return `refused: ${v.reasons.join('; ')}`;
}

/** The quick-pick rows: the member name first (stable for scripts), the verdict as description and detail. */
export function candidateItems(
  verdicts: CandidateVerdict[],
  view: ClusterView,
): Array<{ label: string; description: string; detail: string; member: string; ok: boolean }> {
  return verdicts.map((v) => ({
    label: v.member,
    description: v.ok ? 'ready' : 'refused by pre-checks',
    detail: verdictWords(v, view),
    member: v.member,
    ok: v.ok,
  }));
}

/** The confirmation's detail: what will happen, the plan and the candidate's verdict. */
export function planText(plan: SwitchoverPlan, view: ClusterView): string {
  const v = plan.verdicts.find((x) => x.member === plan.candidate);
  return [
    `Plan: ${plan.reason}.`,
    `Leader ${plan.leader ?? '?'} is demoted; ${plan.candidate ?? 'the best candidate'} is promoted; the other members follow the new leader.`,
    v ? `${v.member}: ${verdictWords(v, view)}.` : '',
    view.synchronousMode !== 'off' ? `Synchronous mode: ${view.synchronousMode}.` : '',
    'Connections to the leader are dropped while it restarts as a replica.',
  ]
    .filter(Boolean)
    .join('\n');
}

/** `patroni.switchover`. */
export async function switchover(ctx: CommandContext, target: CommandTarget = {}): Promise<CommandOutcome> {
  const def = await pickCluster(ctx, target);
  if (!def) return cancelled('no cluster');
  return withCluster(ctx, def, 'Switchover', async (ops) => {
    const view = await ops.status();
    if (!view.leader) {
      const message = `Switchover on ${def.name} failed: the cluster has no leader (use Failover to promote a member); nothing was sent`;
      ctx.ui.error(message);
      return { outcome: 'failed', message };
    }
    const verdicts = candidateVerdicts(view, 'switchover');
    if (verdicts.length === 0) {
      const message = `Switchover on ${def.name} failed: the cluster has no other member; nothing was sent`;
      ctx.ui.error(message);
      return { outcome: 'failed', message };
    }
    const picked =
      target.member && target.member !== view.leader
        ? { member: target.member }
        : await ctx.ui.pick(candidateItems(verdicts, view), {
            title: `Switchover on ${def.name}: leader ${view.leader} → which candidate?`,
            placeHolder: 'each candidate shows its pre-check verdict',
          });
    if (!picked) return cancelled();
    const plan = await ops.planSwitchover(picked.member);
    if (!plan.ok)
      return report(ctx, `Switchover on ${def.name}`, {
        action: 'switchover',
        outcome: 'failed',
        reason: plan.reason,
        sent: false,
        ...(plan.check ? { check: plan.check } : {}),
      });
    const ok = await confirmCommand(
      ctx,
      'patroni.switchover',
      def,
      `switch over from ${plan.leader} to ${plan.candidate}`,
      planText(plan, view),
      'Switchover',
    );
    if (!ok) return cancelled();
    const r = await runWithProgress(ctx, `Switchover on ${def.name}`, (o) => ops.switchover(plan, o));
    return reportWrite(ctx, `Switchover on ${def.name}`, r, ops);
  });
}

/** `patroni.failover`: to a named candidate; works without a running leader. */
export async function failover(ctx: CommandContext, target: CommandTarget = {}): Promise<CommandOutcome> {
  const def = await pickCluster(ctx, target);
  if (!def) return cancelled('no cluster');
  return withCluster(ctx, def, 'Failover', async (ops) => {
    const view = await ops.status();
    const verdicts = candidateVerdicts(view, 'failover');
    if (verdicts.length === 0) {
      const message = `Failover on ${def.name} failed: no member other than the leader; nothing was sent`;
      ctx.ui.error(message);
      return { outcome: 'failed', message };
    }
    const picked =
      target.member && target.member !== view.leader
        ? { member: target.member }
        : await ctx.ui.pick(candidateItems(verdicts, view), {
            title: `Failover on ${def.name}${view.leader ? ` (leader ${view.leader})` : ' (no leader)'}: promote which member?`,
          });
    if (!picked) return cancelled();
    const v = verdicts.find((x) => x.member === picked.member);
    const async = view.synchronousMode === 'on' && !view.syncStandbys.includes(picked.member);
    const detail = [
      `Plan: failover to ${picked.member}${view.leader ? `; the leader ${view.leader} is demoted` : ''}.`,
      v ? `${v.member}: ${verdictWords(v, view)}.` : '',
      async
        ? `${picked.member} is not the synchronous standby: a failover to it can lose acknowledged transactions.`
        : '',
      'Prefer Switchover while the leader runs: it checks more and loses nothing.',
    ]
      .filter(Boolean)
      .join('\n');
    const ok = await confirmCommand(
      ctx,
      'patroni.failover',
      def,
      `fail over to ${picked.member}`,
      detail,
      'Failover',
    );
    if (!ok) return cancelled();
    const r = await runWithProgress(ctx, `Failover on ${def.name}`, (o) =>
      ops.failover(picked.member, { ...o, ...(async ? { allowAsync: true } : {}) }),
    );
    return reportWrite(ctx, `Failover on ${def.name}`, r, ops);
  });
}
