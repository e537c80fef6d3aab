/**
 * Start / Stop Local Lab: a real three-node Patroni + etcd + HAProxy cluster on this machine (`@patroni-kit/lab`),
 * started with progress and added to the saved clusters once it is up (its superuser password goes to
 * SecretStorage with the definition, never to settings).
 */

import { describeError } from '@patroni-kit/errors';
import type { LabOptions, LabStatus } from '@patroni-kit/lab';
import type { ClusterDefinition, NewCluster } from '../connections.js';
import { type CommandContext, type CommandOutcome, cancelled } from './ui.js';

/** Where the lab lives and which addresses it takes (from the `patroni.lab.*` settings). */
export interface LabSettings {
  dir: string;
  /** First three octets of a loopback /24 (`127.0.105`): members at .11-.13, HAProxy at .1. Empty: the lab's defaults. */
  net?: string;
  profile?: 'default' | 'fast';
}

/** What the lab commands need besides the editor. */
export interface LabDeps {
  settings(): LabSettings;
  addCluster(input: NewCluster): Promise<ClusterDefinition>;
}

/** The lab's options from the settings; a bad `net` is a clear error. */
export function labOptions(s: LabSettings, onProgress?: (m: string) => void): LabOptions {
  const o: LabOptions = { dir: s.dir, ...(s.profile ? { profile: s.profile } : {}) };
  if (s.net) {
    if (!/^127\.\d{1,3}\.\d{1,3}$/.test(s.net))
      throw new Error(
        `patroni.lab.network must be the first three octets of a loopback /24, e.g. 127.0.3, not '${s.net}'`,
      );
    o.hosts = [`${s.net}.11`, `${s.net}.12`, `${s.net}.13`];
    o.haproxyHost = `${s.net}.1`;
  }
  if (onProgress) o.onProgress = onProgress;
  return o;
}

/** The saved cluster of a lab: its patronictl config (REST auth and etcd inside), the superuser in SecretStorage. */
export function labCluster(status: LabStatus, superuser: { username: string; password: string }): NewCluster {
  return {
    name: status.scope,
    source: { kind: 'config', path: status.ctlConfig },
    postgresUser: superuser.username,
    secrets: { postgres: superuser.password },
  };
}

/** `patroni.startLab`: `lab up` with progress; the cluster is added to the store (once) when it is up. */
export async function startLab(
  ctx: CommandContext,
  deps: LabDeps,
): Promise<CommandOutcome & { status?: LabStatus; cluster?: ClusterDefinition }> {
  try {
    const { Lab } = await import('@patroni-kit/lab');
    const s = deps.settings();
    const { status, cluster } = await ctx.ui.progress(
      'Starting the local Patroni lab',
      async (report, signal) => {
        const lab = new Lab(labOptions(s, report));
        const status = await lab.up(signal);
        const known = ctx
          .clusters()
          .find((d) => d.source.kind === 'config' && d.source.path === status.ctlConfig);
        const cluster = known ?? (await deps.addCluster(labCluster(status, lab.credentials().superuser)));
        return { status, cluster };
      },
    );
    await ctx.refresh();
    const message = `Local lab ${status.scope} is up: leader ${status.leader ?? 'none yet'}, members ${status.members
      .map((m) => `${m.name} ${m.role}`)
      .join(', ')}; writer ${status.writerUri}. Saved as cluster "${cluster.name}".`;
    ctx.ui.info(message);
    return { outcome: 'succeeded', message, status, cluster };
  } catch (err) {
    const message = `Start Local Lab failed: ${describeError(err)}`;
    ctx.ui.error(message);
    return { outcome: 'failed', message };
  }
}

/** `patroni.stopLab`: stops every process of the lab (its data stays; Start brings it back). */
export async function stopLab(ctx: CommandContext, deps: LabDeps): Promise<CommandOutcome> {
  const s = deps.settings();
  try {
    const { Lab } = await import('@patroni-kit/lab');
    const lab = new Lab(labOptions(s));
    if (!lab.exists()) {
      const message = `Stop Local Lab: no lab in ${lab.dir}.`;
      ctx.ui.warn(message);
      return { outcome: 'failed', message };
    }
    if (
      !(await ctx.ui.confirm(
        `Stop the local lab in ${lab.dir}?`,
        'Every etcd, Patroni, PostgreSQL and HAProxy process of the lab stops; its data stays for the next start.',
        'Stop',
      ))
    )
      return cancelled();
    const res = await ctx.ui.progress('Stopping the local Patroni lab', () => lab.down());
    await ctx.refresh();
    const message = `Local lab stopped (${res.stopped.length} processes: ${res.stopped.join(', ') || 'none were running'}).`;
    ctx.ui.info(message);
    return { outcome: 'succeeded', message };
  } catch (err) {
    const message = `Stop Local Lab failed: ${describeError(err)}`;
    ctx.ui.error(message);
    return { outcome: 'failed', message };
  }
}
