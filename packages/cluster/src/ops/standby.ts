/** Standby clusters (Patroni 4.x): `demote-cluster` sets `standby_cluster`, `promote-cluster` removes it. */
import { compareVersions } from '../advisories.js';
import { type OpContext, refused, reporter, withSignal } from '../context.js';
import type { ActionOptions, ActionResult, ClusterView } from '../types.js';
import { patchConfig } from './config.js';
import { waitForRole } from './waiters.js';

/** Options of `demoteCluster`. */
export interface DemoteClusterOptions extends ActionOptions {
  host?: string;
  port?: number;
  restoreCommand?: string;
  primarySlotName?: string;
  wait?: boolean;
  timeoutMs?: number;
}

/** Options of `promoteCluster`. */
export interface PromoteClusterOptions extends ActionOptions {
  wait?: boolean;
  timeoutMs?: number;
}

function needs4(view: ClusterView, action: string): ActionResult | undefined {
  const old = view.members.filter((m) => compareVersions(m.live?.patroniVersion ?? m.version, '4.0.0') < 0);
  if (old.length === 0) return undefined;
  return refused(
    action,
    'patroni-4',
    `${action} needs Patroni 4.x on every member; ${old.map((m) => `${m.name} runs ${m.live?.patroniVersion ?? m.version ?? 'an unknown version'}`).join(', ')}`,
  );
}

/** `patronictl demote-cluster`: turns the cluster into a standby cluster (`standby_cluster` in config). */
export async function demoteCluster(ctx: OpContext, opts: DemoteClusterOptions): Promise<ActionResult> {
  const action = 'demote-cluster';
  if (opts.host === undefined && opts.port === undefined && opts.restoreCommand === undefined)
    return refused(action, 'standby-source', 'at least one of host, port or restore command is needed');
  const report = reporter(ctx, opts.onProgress);
  const view = await ctx.read(withSignal(opts.signal));
  const old = needs4(view, action);
  if (old) return old;
  if (!view.confirmedLeader)
    return refused(action, 'has-leader', 'Cluster has no leader, demotion is not possible');
  if (view.config?.standby_cluster)
    return refused(action, 'not-standby', 'Cluster is already in the required state');
  const standby: Record<string, unknown> = {};
  if (opts.host !== undefined) standby.host = opts.host;
  if (opts.port !== undefined) standby.port = opts.port;
  if (opts.restoreCommand !== undefined) standby.restore_command = opts.restoreCommand;
  if (opts.primarySlotName !== undefined) standby.primary_slot_name = opts.primarySlotName;
  const res = await patchConfig(ctx, view, { standby_cluster: standby }, opts, report);
  return waitForRole(ctx, { ...res, action }, 'standby_leader', opts);
}

/** `patronictl promote-cluster`: turns a standby cluster back into a primary cluster. */
export async function promoteCluster(
  ctx: OpContext,
  opts: PromoteClusterOptions = {},
): Promise<ActionResult> {
  const action = 'promote-cluster';
  const report = reporter(ctx, opts.onProgress);
  const view = await ctx.read(withSignal(opts.signal));
  const old = needs4(view, action);
  if (old) return old;
  if (!view.leader) return refused(action, 'has-leader', 'Cluster has no leader, promotion is not possible');
  if (!view.config?.standby_cluster)
    return refused(action, 'is-standby', 'Cluster is already in the required state');
  const res = await patchConfig(ctx, view, { standby_cluster: null }, opts, report);
  return waitForRole(ctx, { ...res, action }, 'primary', opts);
}
