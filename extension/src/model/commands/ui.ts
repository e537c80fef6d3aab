/**
 * What the command logic needs from the editor, as an injected interface: the VS Code adapter implements it
 * with `vscode.window`, the tests with a scripted one. Also the shared steps every command takes: find the
 * target cluster and member, confirm (typed name on production clusters), run with progress, report.
 */
import { describeError } from '@patroni-kit/errors';
import type { ClusterDefinition } from '../connections.js';
import type { ClusterOps, OpProgress, OpResult } from '../operations.js';
import { checkTypedName, confirmationFor } from '../production.js';

/** One quick-pick row: `label` first (stable, e.g. the member name), then the words. */
export interface PickItem {
  label: string;
  description?: string;
  detail?: string;
}

/** The editor, as the commands see it. */
export interface CommandUi {
  pick<T extends PickItem>(items: T[], opts: { title: string; placeHolder?: string }): Promise<T | undefined>;
  /** A modal warning with one action button; true when that button was pressed. */
  confirm(message: string, detail: string, button: string): Promise<boolean>;
  /** An input box whose validation is `validate` (undefined: valid); undefined when dismissed. */
  input(opts: {
    title: string;
    prompt: string;
    validate?: (text: string) => string | undefined;
  }): Promise<string | undefined>;
  /** Runs `work` with a cancellable progress notification. */
  progress<T>(
    title: string,
    work: (report: (message: string) => void, signal: AbortSignal) => Promise<T>,
  ): Promise<T>;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Opens a read-only document (markdown, json, yaml, plaintext). */
  showDocument(content: string, language: 'markdown' | 'json' | 'yaml' | 'plaintext'): Promise<void>;
  writeClipboard(text: string): Promise<void>;
}

/** What every command gets: the editor, the saved clusters, a way to connect, and a tree refresh. */
export interface CommandContext {
  ui: CommandUi;
  clusters(): ClusterDefinition[];
  connect(clusterId: string): Promise<ClusterOps>;
  refresh(): Promise<void> | void;
}

/** Where a command was invoked: a tree node's cluster and member, or nothing (the palette). */
export interface CommandTarget {
  clusterId?: string;
  member?: string;
}

/** What a command ended with (the tests read it; the adapter has already shown it). */
export interface CommandOutcome {
  outcome: 'succeeded' | 'failed' | 'unknown' | 'cancelled';
  message: string;
  result?: OpResult<unknown>;
}

/** Reads `{clusterId, member}` from a tree node id (`cluster/<id>` or `cluster/<id>/member/<name>`). */
export function targetOfNodeId(nodeId: string | undefined): CommandTarget {
  if (!nodeId) return {};
  const m = /^cluster\/([^/]+)(?:\/member\/([^/]+))?/.exec(nodeId);
  if (!m) return {};
  return { clusterId: m[1]!, ...(m[2] ? { member: m[2] } : {}) };
}

/** The cluster a command works on: the target's, the only one, or one the user picks. */
export async function pickCluster(
  ctx: CommandContext,
  target: CommandTarget,
): Promise<ClusterDefinition | undefined> {
  const all = ctx.clusters();
  if (target.clusterId) {
    const def = all.find((d) => d.id === target.clusterId);
    if (!def) ctx.ui.error('Patroni: that cluster is no longer saved; refresh the Clusters view.');
    return def;
  }
  if (all.length === 0) {
    ctx.ui.warn('Patroni: no cluster is saved yet. Add one with "Patroni: Add Cluster…".');
    return undefined;
  }
  if (all.length === 1) return all[0];
  const picked = await ctx.ui.pick(
    all.map((d) => ({ label: d.name, description: d.production ? 'production' : '', def: d })),
    { title: 'Patroni: which cluster?' },
  );
  return picked?.def;
}

/**
 * Confirms a dangerous command: a modal with `button` on ordinary clusters, the typed cluster name on a
 * production-marked one (model/production.ts). Harmless commands need nothing.
 */
export async function confirmCommand(
  ctx: CommandContext,
  command: string,
  def: ClusterDefinition,
  what: string,
  detail: string,
  button: string,
): Promise<boolean> {
  const c = confirmationFor(command, def, what);
  if (c.kind === 'none') return true;
  if (c.kind === 'modal') return ctx.ui.confirm(c.message, detail, button);
  const typed = await ctx.ui.input({
    title: `${button} on ${def.name} (production)`,
    prompt: detail ? `${c.prompt} ${detail}` : c.prompt,
    validate: (t) => checkTypedName(c.expected, t),
  });
  if (checkTypedName(c.expected, typed) === undefined) return true;
  if (typed !== undefined) ctx.ui.error(`Patroni: ${checkTypedName(c.expected, typed)}; nothing was done.`);
  return false;
}

/** One line for a progress step. */
export function progressLine(p: OpProgress): string {
  return `${p.member ? `${p.member}: ` : ''}${p.message} (${Math.round(p.elapsedMs / 1000)} s)`;
}

/** How an outcome was established, in words (the tests and the notification both say it). */
export function describeResult(title: string, r: OpResult<unknown>): string {
  const members = (r.members ?? [])
    .map((m) => `${m.member} ${m.outcome}${m.reason ? ` (${m.reason})` : ''}`)
    .join('; ');
  const base = `${title} ${r.outcome}: ${r.reason}`;
  const how =
    r.outcome === 'unknown'
      ? ' — the write may or may not have taken effect; check the cluster before retrying'
      : r.check && !r.sent
        ? ` (pre-check ${r.check} refused; nothing was sent)`
        : '';
  const hint = r.error?.hint ? ` Hint: ${r.error.hint}` : '';
  return `${base}${how}${members && !r.reason.includes(members) ? ` [${members}]` : ''}${hint}`;
}

/** Shows an outcome with the severity it deserves and returns it as a {@link CommandOutcome}. */
export function report(ctx: CommandContext, title: string, r: OpResult<unknown>): CommandOutcome {
  const message = describeResult(title, r);
  if (r.outcome === 'succeeded') ctx.ui.info(message);
  else if (r.outcome === 'unknown') ctx.ui.warn(message);
  else ctx.ui.error(message);
  return { outcome: r.outcome, message, result: r };
}

/** What a fresh read of the cluster shows: leader, pause, each member's role and state. */
export async function confirmingRead(ops: ClusterOps): Promise<string> {
  try {
    const v = await ops.status();
    const members = v.members.map((m) => `${m.name} ${m.role} ${m.live?.state ?? m.state}`).join(', ');
    return `a read of the cluster afterwards shows leader ${v.confirmedLeader ?? v.leader ?? 'none'}${v.paused ? ' (paused)' : ''}; members: ${members || 'none'}`;
  } catch (err) {
    return `a read of the cluster afterwards failed: ${describeError(err)}`;
  }
}

/**
 * Reports a write's outcome; an unknown one is followed by a confirming read of the cluster, whose result
 * goes into the message (what the user needs before deciding to retry).
 */
export async function reportWrite(
  ctx: CommandContext,
  title: string,
  r: OpResult<unknown>,
  ops: ClusterOps,
): Promise<CommandOutcome> {
  if (r.outcome !== 'unknown') return report(ctx, title, r);
  const read = await confirmingRead(ops);
  return report(ctx, title, { ...r, reason: `${r.reason}; ${read}` });
}

/** A cancelled command: nothing was sent. */
export function cancelled(message = 'cancelled; nothing was sent'): CommandOutcome {
  return { outcome: 'cancelled', message };
}

/** Connects, runs `work`, closes; a connection or read error is shown and returned as failed. */
export async function withCluster(
  ctx: CommandContext,
  def: ClusterDefinition,
  title: string,
  work: (ops: ClusterOps) => Promise<CommandOutcome>,
): Promise<CommandOutcome> {
  let ops: ClusterOps | undefined;
  try {
    ops = await ctx.connect(def.id);
    return await work(ops);
  } catch (err) {
    const message = `${title} on ${def.name} failed: ${describeError(err)}`;
    ctx.ui.error(message);
    return { outcome: 'failed', message };
  } finally {
    await ops?.close().catch(() => undefined);
  }
}

/** Runs an operation under progress, then refreshes the tree whatever happened (a write may have landed). */
export async function runWithProgress<D>(
  ctx: CommandContext,
  title: string,
  work: (opts: { signal: AbortSignal; onProgress: (p: OpProgress) => void }) => Promise<OpResult<D>>,
): Promise<OpResult<D>> {
  try {
    return await ctx.ui.progress(title, (report, signal) =>
      work({ signal, onProgress: (p) => report(progressLine(p)) }),
    );
  } finally {
    await ctx.refresh();
  }
}
