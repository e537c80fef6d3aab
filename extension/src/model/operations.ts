/**
 * Every call the extension's commands make into the SDK, in one thin typed wrapper. The command logic
 * (`model/commands/*.ts`) is written against {@link ClusterOps} only, so when the SDK's operation API changes
 * (structured progress, `switchover(plan)`, one error shape) only this file adapts.
 */
import {
  type CandidateVerdict,
  Cluster,
  type ClusterView,
  type ConnectOptions,
  type EditConfigDetails,
  type HealthReport,
  type MemberOutcome,
  rankCandidates,
  type SwitchoverPlan,
} from '@patroni-kit/cluster';
import type { DynamicConfig } from '@patroni-kit/dcs';
import { isPatroniKitError, PatroniKitError } from '@patroni-kit/errors';

export type { CandidateVerdict, ClusterView, EditConfigDetails, HealthReport, SwitchoverPlan };

/** Every non-leader member's pre-check verdict for a switchover or failover, best first (pure, no I/O). */
export function candidateVerdicts(view: ClusterView, kind: 'switchover' | 'failover'): CandidateVerdict[] {
  return rankCandidates(view, kind);
}

/** One step of long work, in the shape the SDK is moving to. */
export interface OpProgress {
  phase: string;
  message: string;
  elapsedMs: number;
  member?: string;
}

/** Options of every write. */
export interface OpOptions {
  signal?: AbortSignal;
  onProgress?: (p: OpProgress) => void;
}

/** A failed or unknown outcome's error (a `PatroniKitError`'s code, message and hint). */
export interface OpError {
  code: string;
  message: string;
  hint?: string;
}

/** The outcome of one operation: `unknown` means a write may or may not have taken effect. */
export interface OpResult<D = Record<string, unknown>> {
  action: string;
  outcome: 'succeeded' | 'failed' | 'unknown';
  reason: string;
  sent: boolean;
  check?: string;
  members?: MemberOutcome[];
  error?: OpError;
  details?: D;
}

/** The dynamic configuration as the DCS holds it, with the revision an edit is compared against. */
export interface ConfigSnapshot {
  config: DynamicConfig;
  revision?: string;
  source: 'dcs' | 'rest';
}

/** One timeline switch. */
export type HistoryRow = NonNullable<ClusterView['history']>[number];

/** The operations the commands use on one connected cluster. */
export interface ClusterOps {
  readonly scope: string;
  /** The cluster view (DCS plus each member's REST API). */
  status(signal?: AbortSignal): Promise<ClusterView>;
  /** The switchover pre-checks for `candidate` (or the best one); writes nothing. */
  planSwitchover(candidate?: string, signal?: AbortSignal): Promise<SwitchoverPlan>;
  /** Runs a plan (the pre-checks run again on fresh state) and waits until the new leader runs. */
  switchover(plan: SwitchoverPlan, opts?: OpOptions): Promise<OpResult<{ newLeader?: string }>>;
  failover(
    candidate: string,
    opts?: OpOptions & { allowAsync?: boolean },
  ): Promise<OpResult<{ newLeader?: string }>>;
  restart(sel: { members?: string[]; pending?: boolean }, opts?: OpOptions): Promise<OpResult>;
  reload(sel: { members?: string[] }, opts?: OpOptions): Promise<OpResult>;
  reinit(sel: { members: string[]; force?: boolean }, opts?: OpOptions): Promise<OpResult>;
  pause(opts?: OpOptions): Promise<OpResult>;
  resume(opts?: OpOptions): Promise<OpResult>;
  /** The DCS `config` key and its revision. */
  config(signal?: AbortSignal): Promise<ConfigSnapshot>;
  /** Replaces the dynamic configuration with compare-and-set on `baseRevision` (or only computes the diff). */
  editConfig(
    edit: { replace: Record<string, unknown>; baseRevision?: string; dryRun?: boolean },
    opts?: OpOptions,
  ): Promise<OpResult<EditConfigDetails>>;
  history(signal?: AbortSignal): Promise<HistoryRow[]>;
  health(signal?: AbortSignal): Promise<HealthReport>;
  /** `host=H port=P` of a member (default: the leader); never a password. */
  dsn(member?: string, signal?: AbortSignal): Promise<string>;
  /** A member's own `GET /patroni`, as it answered. */
  memberJson(member: string, signal?: AbortSignal): Promise<unknown>;
  /** PostgreSQL login from the cluster's config file (patroni.yml superuser), when it has one. */
  postgresLogin(): { username?: string; password?: string } | undefined;
  close(): Promise<void>;
}

function errorOf(err: unknown): OpError {
  if (isPatroniKitError(err))
    return { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

/** Today's SDK reports progress as strings: wrap them into {@link OpProgress}. */
function progressOf(phase: string, opts: OpOptions | undefined): { onProgress?: (m: string) => void } {
  const cb = opts?.onProgress;
  if (!cb) return {};
  const start = Date.now();
  return { onProgress: (message) => cb({ phase, message, elapsedMs: Date.now() - start }) };
}

function sig(opts: OpOptions | undefined): { signal?: AbortSignal } {
  return opts?.signal ? { signal: opts.signal } : {};
}

/** Normalizes an SDK result (error shape included) and turns a thrown error into a failed outcome. */
async function run<D>(action: string, work: () => Promise<OpResult<D>>): Promise<OpResult<D>> {
  try {
    const r = await work();
    return r;
  } catch (err) {
    const error = errorOf(err);
    return { action, outcome: 'failed', reason: error.message, sent: false, error };
  }
}

class SdkClusterOps implements ClusterOps {
  readonly #c: Cluster;
  constructor(cluster: Cluster) {
    this.#c = cluster;
  }
  get scope(): string {
    return this.#c.scope;
  }
  status(signal?: AbortSignal): Promise<ClusterView> {
    return this.#c.status(signal ? { signal } : {});
  }
  planSwitchover(candidate?: string, signal?: AbortSignal): Promise<SwitchoverPlan> {
    return this.#c.planSwitchover({
      ...(candidate === undefined ? {} : { candidate }),
      ...(signal ? { signal } : {}),
    });
  }
  switchover(plan: SwitchoverPlan, opts?: OpOptions): Promise<OpResult<{ newLeader?: string }>> {
    return run('switchover', async () => {
      const r = await this.#c.switchover({
        ...(plan.leader === undefined ? {} : { leader: plan.leader }),
        ...(plan.candidate === undefined ? {} : { candidate: plan.candidate }),
        ...sig(opts),
        ...progressOf('switchover', opts),
      });
      const { plan: _p, ...details } = r.details ?? { plan };
      return { ...r, details };
    });
  }
  failover(
    candidate: string,
    opts?: OpOptions & { allowAsync?: boolean },
  ): Promise<OpResult<{ newLeader?: string }>> {
    return run('failover', async () => {
      const r = await this.#c.failover({
        candidate,
        ...(opts?.allowAsync ? { allowAsync: true } : {}),
        ...sig(opts),
        ...progressOf('failover', opts),
      });
      const { verdict: _v, ...details } = r.details ?? {};
      return { ...r, details };
    });
  }
  restart(sel: { members?: string[]; pending?: boolean }, opts?: OpOptions): Promise<OpResult> {
    return run('restart', () =>
      this.#c.restart({
        ...(sel.members?.length ? { members: sel.members } : {}),
        ...(sel.pending ? { pending: true } : {}),
        ...sig(opts),
        ...progressOf('restart', opts),
      }),
    );
  }
  reload(sel: { members?: string[] }, opts?: OpOptions): Promise<OpResult> {
    return run('reload', () =>
      this.#c.reload({
        ...(sel.members?.length ? { members: sel.members } : {}),
        ...sig(opts),
        ...progressOf('reload', opts),
      }),
    );
  }
  reinit(sel: { members: string[]; force?: boolean }, opts?: OpOptions): Promise<OpResult> {
    return run('reinit', () =>
      this.#c.reinit({
        members: sel.members,
        ...(sel.force ? { force: true } : {}),
        wait: true,
        timeoutMs: 300_000,
        ...sig(opts),
        ...progressOf('reinit', opts),
      }),
    );
  }
  pause(opts?: OpOptions): Promise<OpResult> {
    return run('pause', () => this.#c.pause({ wait: true, ...sig(opts), ...progressOf('pause', opts) }));
  }
  resume(opts?: OpOptions): Promise<OpResult> {
    return run('resume', () => this.#c.resume({ wait: true, ...sig(opts), ...progressOf('resume', opts) }));
  }
  async config(signal?: AbortSignal): Promise<ConfigSnapshot> {
    const view = await this.#c.status({ live: false, ...(signal ? { signal } : {}) });
    const config = view.config ?? (await this.#c.showConfig(signal ? { signal } : {}));
    return {
      config,
      source: view.source,
      ...(view.configRevision === undefined ? {} : { revision: view.configRevision }),
    };
  }
  editConfig(
    edit: { replace: Record<string, unknown>; baseRevision?: string; dryRun?: boolean },
    opts?: OpOptions,
  ): Promise<OpResult<EditConfigDetails>> {
    return run('edit-config', () =>
      this.#c.editConfig({
        replace: edit.replace,
        ...(edit.baseRevision === undefined ? {} : { baseRevision: edit.baseRevision }),
        ...(edit.dryRun ? { dryRun: true } : {}),
        ...sig(opts),
        ...progressOf('edit-config', opts),
      }),
    );
  }
  history(signal?: AbortSignal): Promise<HistoryRow[]> {
    return this.#c.history(signal ? { signal } : {});
  }
  health(signal?: AbortSignal): Promise<HealthReport> {
    return this.#c.health({ etcd: true, sql: true, ...(signal ? { signal } : {}) });
  }
  dsn(member?: string, signal?: AbortSignal): Promise<string> {
    return this.#c.dsn({ ...(member ? { member } : {}), ...(signal ? { signal } : {}) });
  }
  async memberJson(member: string, signal?: AbortSignal): Promise<unknown> {
    const view = await this.#c.status({ live: false, ...(signal ? { signal } : {}) });
    const m = view.members.find((x) => x.name === member);
    if (!m?.apiUrl)
      throw new PatroniKitError('NOT_FOUND', `member ${member} has no REST API URL in ${view.scope}`, {
        hint: `members: ${view.members.map((x) => x.name).join(', ') || 'none'}`,
      });
    const { PatroniClient } = await import('@patroni-kit/rest');
    const t = this.#c.target;
    const client = new PatroniClient({
      url: m.apiUrl,
      ...(t.auth ? { auth: t.auth } : {}),
      ...(t.tls && m.apiUrl.startsWith('https:') ? { tls: t.tls } : {}),
      userAgent: 'patroni-kit-vscode',
    });
    try {
      return await client.getPatroni(signal ? { signal } : {});
    } finally {
      await client.close();
    }
  }
  postgresLogin(): { username?: string; password?: string } | undefined {
    return this.#c.target.postgres;
  }
  close(): Promise<void> {
    return this.#c.close();
  }
}

/** Connects to a cluster (the same resolver as the CLI) and wraps it. */
export async function connectOps(options: ConnectOptions, signal?: AbortSignal): Promise<ClusterOps> {
  return new SdkClusterOps(await Cluster.connect(options, signal));
}
