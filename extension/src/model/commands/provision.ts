/**
 * Provision Cluster from Spec: a new cluster over SSH with `@patroni-kit/provision`. The plan comes first (it
 * changes nothing) and is shown as a document; a modal confirmation; then the apply, whose events are the
 * progress messages. On success the cluster is saved (patronictl config next to the spec when apply wrote
 * one, else the etcd endpoints), with the REST and superuser passwords in SecretStorage. The passwords file
 * itself is never shown or logged.
 */
import { existsSync } from 'node:fs';
import { describeError, isPatroniKitError } from '@patroni-kit/errors';
import type { ClusterSpec, ProvisionEvent, ProvisionResult } from '@patroni-kit/provision';
import type { ClusterDefinition, NewCluster } from '../connections.js';
import { type CommandContext, type CommandOutcome, cancelled } from './ui.js';

/** What the provisioning command needs besides the editor. */
export interface ProvisionDeps {
  /** The spec file the user chose (a workspace `*.cluster.yml` or an open dialog); undefined: dismissed. */
  pickSpec(): Promise<string | undefined>;
  addCluster(input: NewCluster): Promise<ClusterDefinition>;
  /** Longest wait for one condition of the apply (SDK default 180 s). */
  waitTimeoutMs?: number;
}

/** Where a plan or apply stopped, from the SDK's error details. */
export interface ProvisionFailure {
  host?: string;
  phase?: string;
  step?: string;
  command?: string;
  stderrTail?: string;
}

/** What the command ended with. */
export interface ProvisionOutcome extends CommandOutcome {
  /** Whether `apply` was started (false: nothing on any host was changed by this command). */
  applied: boolean;
  changes?: number;
  failure?: ProvisionFailure;
  cluster?: ClusterDefinition;
}

/** A plan's events, gathered per host for the summary document. */
export interface PlanReview {
  spec: ClusterSpec;
  result: ProvisionResult;
  events: ProvisionEvent[];
}

/** One progress line per event (step and host); undefined for events not worth a line. */
export function eventLine(e: ProvisionEvent): string | undefined {
  switch (e.type) {
    case 'phase':
      return `[${e.index}/${e.total}] ${e.title}`;
    case 'connected':
      return `${e.host}: connected (${e.ms} ms)`;
    case 'file':
      return e.status === 'unchanged' ? undefined : `${e.host}: ${e.status} ${e.path}`;
    case 'command':
      return e.status === 'ok' ? undefined : `${e.host}: ${e.step} (${e.status})`;
    case 'wait':
      return `${e.host}: ${e.status} ${e.what}${e.detail ? `: ${e.detail}` : ''}`;
    case 'config':
      return e.status === 'unchanged' ? undefined : `${e.host}: dynamic configuration ${e.status}`;
    case 'note':
      return `${e.host ? `${e.host}: ` : ''}${e.message}`;
  }
}

/** The plan as markdown: per host, the files that would change and the commands that would run. */
export function planSummary(review: PlanReview): string {
  const { spec, result, events } = review;
  const hosts = new Map<string, { files: string[]; commands: string[]; waits: string[]; config: string[] }>();
  const of = (h: string) => {
    let v = hosts.get(h);
    if (!v) {
      v = { files: [], commands: [], waits: [], config: [] };
      hosts.set(h, v);
    }
    return v;
  };
  const notes: string[] = [];
  for (const e of events) {
    if (e.type === 'file' && e.status !== 'unchanged') of(e.host).files.push(e.path);
    else if (e.type === 'command' && e.status !== 'ok')
      of(e.host).commands.push(`${e.step}: \`${e.command}\``);
    else if (e.type === 'wait' && e.status !== 'done') of(e.host).waits.push(e.what);
    else if (e.type === 'config' && e.status !== 'unchanged') of(e.host).config.push(...e.changes);
    else if (e.type === 'note') notes.push(`${e.host ? `${e.host}: ` : ''}${e.message}`);
  }
  const out = [
    `# Provision plan: ${spec.cluster}`,
    '',
    `Spec: \`${spec.file}\`. ${result.changes} change(s) to make; nothing was changed.`,
    'On fresh hosts the plan cannot know what installing the packages will change, so apply may make more.',
    '',
  ];
  for (const [host, v] of hosts) {
    out.push(`## ${host}`, '', `Files changed (${v.files.length}):`, '');
    out.push(...(v.files.length ? v.files.map((f) => `- \`${f}\``) : ['- none']), '');
    out.push(`Commands (${v.commands.length}):`, '');
    out.push(...(v.commands.length ? v.commands.map((c) => `- ${c}`) : ['- none']), '');
    if (v.waits.length) out.push('Waits for:', '', ...v.waits.map((w) => `- ${w}`), '');
    if (v.config.length) out.push('Dynamic configuration:', '', ...v.config.map((c) => `- ${c}`), '');
  }
  if (notes.length) out.push('## Notes', '', ...notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}

function failureOf(err: unknown): ProvisionFailure {
  const d = (isPatroniKitError(err) ? err.details : undefined) as Record<string, unknown> | undefined;
  const f: ProvisionFailure = {};
  for (const k of ['host', 'phase', 'step', 'command', 'stderrTail'] as const)
    if (typeof d?.[k] === 'string' && d[k]) f[k] = d[k] as string;
  return f;
}

function failed(ctx: CommandContext, what: string, err: unknown, applied: boolean): ProvisionOutcome {
  const f = failureOf(err);
  const where = f.host
    ? ` on ${f.host}${f.step ? ` at step '${f.step}'` : ''}${f.phase ? ` (${f.phase})` : ''}`
    : '';
  const parts = [`${what} failed${where}: ${describeError(err)}`];
  if (f.command) parts.push(`command: ${f.command}`);
  if (f.stderrTail) parts.push(`stderr: ${f.stderrTail.trim()}`);
  if (applied)
    parts.push('Fix the cause and run Provision again: the apply continues from where it stopped.');
  else parts.push('Nothing was changed on any host.');
  const message = parts.join('\n');
  ctx.ui.error(message);
  return { outcome: 'failed', message, applied, failure: f };
}

/** The saved cluster of a provisioned spec: its patronictl config when apply wrote one, else its etcd. */
export async function provisionedCluster(spec: ClusterSpec): Promise<NewCluster> {
  const { ctlConfigFile, etcdNodes, loadSecrets, USERS } = await import('@patroni-kit/provision');
  const { secrets } = await loadSecrets(spec.secretsFile, false);
  const ctl = ctlConfigFile(spec);
  const etcd = etcdNodes(spec)
    .map((n) => `${n.address}:${spec.etcd.clientPort}`)
    .join(',');
  const ns = spec.namespace.replace(/^\/+|\/+$/g, '');
  return {
    name: spec.cluster,
    source: existsSync(ctl)
      ? { kind: 'config', path: ctl }
      : { kind: 'dcs', url: `etcd3://${etcd}${ns ? `/${ns}` : ''}`, scope: spec.cluster },
    restUser: USERS.restapi,
    postgresUser: USERS.superuser,
    secrets: { rest: secrets.restapi, postgres: secrets.superuser },
  };
}

/** Runs the plan of `file` under progress; a bad spec or an unreachable host is a failed outcome. */
export async function planSpec(
  ctx: CommandContext,
  file: string,
): Promise<{ review: PlanReview } | { outcome: ProvisionOutcome }> {
  const { loadSpec, plan } = await import('@patroni-kit/provision');
  let spec: ClusterSpec;
  try {
    spec = await loadSpec(file);
  } catch (err) {
    return { outcome: failed(ctx, `Provision: reading the spec ${file}`, err, false) };
  }
  const events: ProvisionEvent[] = [];
  let stop: AbortSignal | undefined;
  try {
    const result = await ctx.ui.progress(`Planning ${spec.cluster} (changes nothing)`, (report, signal) => {
      stop = signal;
      return plan(spec, {
        signal,
        onEvent: (e) => {
          events.push(e);
          const line = eventLine(e);
          if (line) report(line);
        },
      });
    });
    return { review: { spec, result, events } };
  } catch (err) {
    if (stop?.aborted) {
      const message = `Provision plan of ${spec.cluster} cancelled; nothing was changed on any host.`;
      ctx.ui.warn(message);
      return { outcome: { outcome: 'cancelled', message, applied: false } };
    }
    return { outcome: failed(ctx, `Provision plan of ${spec.cluster}`, err, false) };
  }
}

/** Confirms a reviewed plan modally, then applies it under progress and saves the new cluster. */
export async function applyReviewed(
  ctx: CommandContext,
  deps: ProvisionDeps,
  review: PlanReview,
): Promise<ProvisionOutcome> {
  const { spec } = review;
  const hosts = [...spec.nodes.map((n) => n.name), ...spec.haproxy.hosts.map((h) => h.name)];
  const ok = await ctx.ui.confirm(
    `Apply the plan of ${spec.cluster} to ${hosts.length} host(s)?`,
    `${review.result.changes} planned change(s) on ${hosts.join(', ')}: packages, etcd, Patroni, HAProxy and systemd files, in the recipe's order. The plan is open in an editor tab.`,
    'Apply',
  );
  if (!ok) return { ...cancelled('cancelled; nothing was applied'), applied: false };
  const { apply } = await import('@patroni-kit/provision');
  let result: ProvisionResult;
  let stop: AbortSignal | undefined;
  try {
    result = await ctx.ui.progress(`Provisioning ${spec.cluster}`, (report, signal) => {
      stop = signal;
      return apply(spec, {
        signal,
        ...(deps.waitTimeoutMs ? { waitTimeoutMs: deps.waitTimeoutMs } : {}),
        onEvent: (e) => {
          const line = eventLine(e);
          if (line) report(line);
        },
      });
    });
  } catch (err) {
    if (stop?.aborted) {
      const f = failureOf(err);
      const message = `Provision apply of ${spec.cluster} cancelled${f.host ? ` on ${f.host}${f.step ? ` at step '${f.step}'` : ''}` : ''}: the hosts may be partly changed; run Provision again to continue from there.`;
      ctx.ui.warn(message);
      return { outcome: 'cancelled', message, applied: true, failure: f };
    }
    return failed(ctx, `Provision apply of ${spec.cluster}`, err, true);
  }
  return saveCluster(ctx, deps, spec, result, true);
}

async function saveCluster(
  ctx: CommandContext,
  deps: ProvisionDeps,
  spec: ClusterSpec,
  result: ProvisionResult,
  applied: boolean,
): Promise<ProvisionOutcome> {
  let cluster: ClusterDefinition | undefined;
  let saveNote = '';
  try {
    const input = await provisionedCluster(spec);
    const src = input.source;
    cluster =
      ctx
        .clusters()
        .find(
          (d) =>
            (d.source.kind === 'config' && src.kind === 'config' && d.source.path === src.path) ||
            (d.source.kind === 'dcs' &&
              src.kind === 'dcs' &&
              d.source.url === src.url &&
              d.source.scope === src.scope),
        ) ?? (await deps.addCluster(input));
    saveNote = ` Saved as cluster "${cluster.name}".`;
  } catch (err) {
    saveNote = ` It could not be saved in the Clusters view: ${describeError(err)}`;
  }
  await ctx.refresh();
  const done =
    result.changes === 0
      ? `Provision ${spec.cluster}: nothing to change; the hosts match the spec.`
      : `Provision ${spec.cluster} succeeded: ${result.changes} change(s)${result.leader ? `, leader ${result.leader}` : ''} (${Math.round(result.ms / 1000)} s).`;
  const message = `${done}${saveNote}`;
  ctx.ui.info(message);
  return { outcome: 'succeeded', message, applied, changes: result.changes, ...(cluster ? { cluster } : {}) };
}

/** `patroni.provisionCluster`: pick a spec, plan, show the plan, confirm, apply, save the cluster. */
export async function provisionCluster(ctx: CommandContext, deps: ProvisionDeps): Promise<ProvisionOutcome> {
  const file = await deps.pickSpec();
  if (!file) return { ...cancelled('cancelled; no spec was chosen'), applied: false };
  const planned = await planSpec(ctx, file);
  if ('outcome' in planned) return planned.outcome;
  const { review } = planned;
  await ctx.ui.showDocument(planSummary(review), 'markdown');
  if (review.result.changes === 0) return saveCluster(ctx, deps, review.spec, review.result, false);
  return applyReviewed(ctx, deps, review);
}
