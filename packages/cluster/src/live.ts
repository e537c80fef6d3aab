/**
 * The live cluster model for long-lived clients (the editor, dashboards): the current `ClusterView` with
 * REST-confirmed roles, kept fresh by the DCS watch (`@patroni-kit/dcs` `ClusterWatch`) and re-confirmed over
 * REST on every DCS change (coalesced), with REST polling only while no DCS is reachable. Typed events are
 * derived from successive confirmed views, so they mean the same in DCS and REST mode.
 *
 * It uses only the `Cluster`'s public API (`target`, `scope`, `status()`) and `@patroni-kit/dcs`, which is
 * imported on first use so that loading this module stays cheap.
 */
import type { ClusterEvent, ClusterWatch, DcsClient, EtcdHealth, QuorumVerdict } from '@patroni-kit/dcs';
import { isPatroniKitError, PatroniKitError } from '@patroni-kit/errors';
import { maxLagOnFailover } from './checks.js';
import type { Cluster } from './cluster.js';
import type { ClusterView, MemberView } from './types.js';

/** Options of {@link watchCluster}. All times in ms. */
export interface LiveOptions {
  /** Aborting it closes the model (like `close()`). */
  signal?: AbortSignal;
  /** Quiet time after a DCS change before the REST re-confirmation starts, so a burst costs one read (default 10). */
  coalesceMs?: number;
  /** REST polling interval while no DCS is reachable (or the cluster has none) (default 5000). */
  pollIntervalMs?: number;
  /**
   * Re-confirmation interval while the DCS watch is up (default 10000; 0 turns it off). A killed member keeps
   * its DCS key until its TTL expires: this is how the view learns earlier that it stopped answering.
   */
  confirmIntervalMs?: number;
  /** etcd health interval (members, quorum) while a DCS is configured (default 5000; 0 turns it off). */
  etcdHealthIntervalMs?: number;
  /** Reconnect backoff of the DCS watch: first delay, doubled per failed attempt up to `maxMs` (250 / 10000). */
  reconnect?: { initialMs?: number; maxMs?: number };
  /** Lag (bytes) above which a replica counts as lagging (default: the config's maximum_lag_on_failover, else 1 MiB). */
  lagThresholdBytes?: number;
  /** Timeout of each etcd call of the watch and the health probe (default 4000). */
  dcsTimeoutMs?: number;
}

/** Where the model's facts come from right now. */
export type LiveMode = 'connecting' | 'dcs' | 'rest-poll' | 'closed';

interface Stamp {
  scope: string;
  /** Epoch ms when the event was emitted. */
  at: number;
}

/** A member's state as the model reports it: the view's state, or `unreachable` when its REST API did not answer. */
export type LiveMemberState = string;

/** Every event of the live model (a discriminated union on `type`). */
export type LiveEvent = Stamp &
  (
    | {
        type: 'view';
        view: ClusterView;
        /** Why it was read: `dcs-change`, `dcs-connected`, `poll`, `confirm`, `refresh`, `start`. */
        reason: string;
        /** The DCS events that led to this read (empty unless reason is `dcs-change`). */
        dcsEvents: ClusterEvent[];
        /** `performance.now()` when the first of those DCS events arrived (latency measurement). */
        dcsEventAt?: number;
        /** `performance.now()` when this view was ready. */
        readyAt: number;
      }
    | {
        type: 'leader-changed';
        /** REST-confirmed leader before and after (null: no member confirms it is the running leader). */
        from: string | null;
        to: string | null;
        /** Holder of the leader key in the new view (may be ahead of or behind the confirmation). */
        lockHolder: string | null;
        /** The old leader is down or gone, not running as a replica: Patroni failed over. */
        failover: boolean;
      }
    | { type: 'role-changed'; member: string; from: MemberView['role']; to: MemberView['role'] }
    | { type: 'state-changed'; member: string; from: LiveMemberState; to: LiveMemberState }
    | { type: 'timeline-changed'; from: number; to: number }
    | {
        type: 'lag-threshold-crossed';
        member: string;
        lag: number;
        threshold: number;
        direction: 'above' | 'below';
      }
    | { type: 'member-added'; member: string; role: MemberView['role']; state: LiveMemberState }
    | { type: 'member-removed'; member: string; lastRole: MemberView['role']; lastState: LiveMemberState }
    | { type: 'paused' }
    | { type: 'resumed' }
    | { type: 'config-changed'; changed: string[] }
    | { type: 'etcd-quorum-lost'; quorum: QuorumVerdict }
    | { type: 'etcd-quorum-regained'; quorum: QuorumVerdict }
    | { type: 'etcd-member-down'; member: string; error?: string }
    | { type: 'etcd-member-up'; member: string }
    | { type: 'etcd'; health: EtcdHealth }
    | { type: 'connection-lost'; source: 'dcs' | 'rest'; error: PatroniKitError }
    | { type: 'connection-restored'; source: 'dcs' | 'rest'; downMs: number }
  );

/** The event of one `type`. */
export type LiveEventOf<T extends LiveEvent['type']> = Extract<LiveEvent, { type: T }>;

type EventBody = LiveEvent extends infer E ? (E extends Stamp ? Omit<E, keyof Stamp> : never) : never;

/** A member's state with reachability folded in. */
export function liveState(m: MemberView): LiveMemberState {
  return m.live?.reachable === false ? 'unreachable' : m.state;
}

function memberIsDown(m: MemberView | undefined): boolean {
  return m === undefined || m.live?.reachable === false || !['running', 'streaming'].includes(m.state);
}

/** The cluster's timeline: the confirmed leader's, else the highest a member reports. */
export function clusterTimeline(view: ClusterView): number | undefined {
  const lead = view.confirmedLeader ? view.members.find((m) => m.name === view.confirmedLeader) : undefined;
  if (lead?.timeline !== undefined) return lead.timeline;
  const tls = view.members.map((m) => m.timeline).filter((t): t is number => t !== undefined);
  return tls.length > 0 ? Math.max(...tls) : undefined;
}

function configChanges(prev: ClusterView, next: ClusterView): string[] {
  // A REST view (etcd unreachable) carries no DCS config: a missing config is not a change.
  if (!prev.config || !next.config) return [];
  if (prev.configRevision !== undefined && prev.configRevision === next.configRevision) return [];
  const a = (prev.config ?? {}) as Record<string, unknown>;
  const b = (next.config ?? {}) as Record<string, unknown>;
  const out: string[] = [];
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
    if (k !== 'pause' && JSON.stringify(a[k]) !== JSON.stringify(b[k])) out.push(k);
  return out.sort();
}

/**
 * The typed events between two confirmed views of one cluster (without the `view` event itself). Pure:
 * the live model calls it on every new view; tests and other clients can too.
 */
export function diffViews(
  prev: ClusterView,
  next: ClusterView,
  opts: { lagThresholdBytes?: number } = {},
): EventBody[] {
  const out: EventBody[] = [];
  const before = new Map(prev.members.map((m) => [m.name, m]));
  const after = new Map(next.members.map((m) => [m.name, m]));
  if (prev.confirmedLeader !== next.confirmedLeader) {
    const old = prev.confirmedLeader ? after.get(prev.confirmedLeader) : undefined;
    out.push({
      type: 'leader-changed',
      from: prev.confirmedLeader,
      to: next.confirmedLeader,
      lockHolder: next.leader,
      failover: prev.confirmedLeader !== null && memberIsDown(old),
    });
  }
  const threshold = opts.lagThresholdBytes ?? maxLagOnFailover(next);
  const prevThreshold = opts.lagThresholdBytes ?? maxLagOnFailover(prev);
  const lagging = (m: MemberView | undefined, t: number) =>
    m !== undefined && typeof m.lag === 'number' && m.lag > t;
  for (const m of next.members) {
    const was = before.get(m.name);
    if (!was) {
      out.push({ type: 'member-added', member: m.name, role: m.role, state: liveState(m) });
    } else {
      if (was.role !== m.role) out.push({ type: 'role-changed', member: m.name, from: was.role, to: m.role });
      if (liveState(was) !== liveState(m))
        out.push({ type: 'state-changed', member: m.name, from: liveState(was), to: liveState(m) });
    }
    const isLeader = m.role === 'leader' || m.role === 'standby_leader';
    const wasLeader = was?.role === 'leader' || was?.role === 'standby_leader';
    const a = lagging(was, prevThreshold);
    const b = lagging(m, threshold);
    if (a !== b && !isLeader && !wasLeader && (was !== undefined || b))
      out.push({
        type: 'lag-threshold-crossed',
        member: m.name,
        lag: typeof m.lag === 'number' ? m.lag : 0,
        threshold,
        direction: b ? 'above' : 'below',
      });
  }
  for (const m of prev.members)
    if (!after.has(m.name))
      out.push({ type: 'member-removed', member: m.name, lastRole: m.role, lastState: liveState(m) });
  const tlA = clusterTimeline(prev);
  const tlB = clusterTimeline(next);
  if (tlA !== undefined && tlB !== undefined && tlA !== tlB)
    out.push({ type: 'timeline-changed', from: tlA, to: tlB });
  if (!prev.paused && next.paused) out.push({ type: 'paused' });
  if (prev.paused && !next.paused) out.push({ type: 'resumed' });
  const changed = configChanges(prev, next);
  if (changed.length > 0) out.push({ type: 'config-changed', changed });
  return out;
}

/** The etcd events between two health reports. */
export function diffEtcd(prev: EtcdHealth | undefined, next: EtcdHealth): EventBody[] {
  const out: EventBody[] = [];
  const prevLost = prev?.quorum.state === 'lost';
  const nextLost = next.quorum.state === 'lost';
  if (!prevLost && nextLost) out.push({ type: 'etcd-quorum-lost', quorum: next.quorum });
  if (prev && prevLost && !nextLost) out.push({ type: 'etcd-quorum-regained', quorum: next.quorum });
  const health = (h: EtcdHealth) => {
    const m = new Map<string, { healthy: boolean; error?: string }>();
    for (const e of h.endpoints) {
      const name = e.name ?? h.members.find((x) => x.id === e.memberId)?.name ?? e.endpoint;
      m.set(name, { healthy: e.healthy, ...(e.error ? { error: e.error.message } : {}) });
    }
    return m;
  };
  if (prev) {
    const a = health(prev);
    const b = health(next);
    for (const [name, s] of b) {
      const was = a.get(name);
      if (was?.healthy && !s.healthy)
        out.push({ type: 'etcd-member-down', member: name, ...(s.error ? { error: s.error } : {}) });
      if (was && !was.healthy && s.healthy) out.push({ type: 'etcd-member-up', member: name });
    }
  }
  return out;
}

function etcdKey(h: EtcdHealth): string {
  return JSON.stringify([h.quorum.state, h.leader?.id, h.endpoints.map((e) => [e.endpoint, e.healthy])]);
}

function asError(err: unknown, code: 'DCS' | 'CONNECT'): PatroniKitError {
  if (isPatroniKitError(err)) return err;
  return new PatroniKitError(code, err instanceof Error ? err.message : String(err), { cause: err });
}

/** Stop-reasons: these will not get better by asking again. */
function fatal(err: unknown): boolean {
  return isPatroniKitError(err, 'USAGE', 'CONFIG');
}

/** The live model of one cluster. Create with {@link watchCluster}; `close()` it when done. */
export class LiveCluster {
  readonly cluster: Cluster;
  readonly #opts: Required<Omit<LiveOptions, 'signal' | 'reconnect' | 'lagThresholdBytes'>> & {
    reconnectInitialMs: number;
    reconnectMaxMs: number;
    lagThresholdBytes?: number;
  };
  readonly #ac = new AbortController();
  readonly #listeners = new Set<(e: LiveEvent) => void>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #readyWaiters = new Set<{ resolve: (v: ClusterView) => void; reject: (e: unknown) => void }>();
  readonly #onAbort = () => void this.close();
  readonly #signal: AbortSignal | undefined;
  #view: ClusterView | undefined;
  #etcd: EtcdHealth | undefined;
  #mode: LiveMode = 'connecting';
  #dcs: DcsClient | undefined;
  #watch: ClusterWatch | undefined;
  #dcsDownSince: number | undefined;
  #restDownSince: number | undefined;
  #lastError: PatroniKitError | undefined;
  // Coalescing: one read at a time; changes during a read schedule exactly one more.
  #reading: Promise<void> | undefined;
  #dirty = false;
  #pendingEvents: ClusterEvent[] = [];
  #pendingAt: number | undefined;
  #pendingReason = 'start';
  #coalesceTimer: NodeJS.Timeout | undefined;
  #pollTimer: NodeJS.Timeout | undefined;
  #healthRunning = false;
  #closed: Promise<void> | undefined;
  /** Number of REST-confirmed reads so far (a cost figure for benchmarks). */
  reads = 0;

  constructor(cluster: Cluster, opts: LiveOptions = {}) {
    this.cluster = cluster;
    this.#opts = {
      coalesceMs: opts.coalesceMs ?? 10,
      pollIntervalMs: opts.pollIntervalMs ?? 5000,
      confirmIntervalMs: opts.confirmIntervalMs ?? 10_000,
      etcdHealthIntervalMs: opts.etcdHealthIntervalMs ?? 5000,
      dcsTimeoutMs: opts.dcsTimeoutMs ?? 4000,
      reconnectInitialMs: opts.reconnect?.initialMs ?? 250,
      reconnectMaxMs: opts.reconnect?.maxMs ?? 10_000,
      ...(opts.lagThresholdBytes === undefined ? {} : { lagThresholdBytes: opts.lagThresholdBytes }),
    };
    for (const [k, v] of Object.entries(this.#opts))
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 2 ** 31 - 1)
        throw new PatroniKitError(
          'USAGE',
          `watchCluster: ${k} must be between 0 and ${2 ** 31 - 1}, got ${v}`,
        );
    if (this.#opts.reconnectInitialMs < 1 || this.#opts.reconnectMaxMs < this.#opts.reconnectInitialMs)
      throw new PatroniKitError('USAGE', 'watchCluster: need 1 <= reconnect.initialMs <= reconnect.maxMs');
    if (opts.signal?.aborted) {
      this.#mode = 'closed';
      this.#closed = Promise.resolve();
      this.#ac.abort();
      return;
    }
    this.#signal = opts.signal;
    opts.signal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#pendingReason = 'start';
    void this.#read();
    if (cluster.target.dcs) {
      void this.#connectDcs();
      if (this.#opts.etcdHealthIntervalMs > 0) void this.#etcdLoop();
    } else this.#setMode('rest-poll');
  }

  /** The scope of the cluster. */
  get scope(): string {
    return this.cluster.scope;
  }

  /** The latest REST-confirmed view (undefined until the first read succeeded). */
  get view(): ClusterView | undefined {
    return this.#view;
  }

  /** The latest etcd health (undefined without a DCS or before the first probe). */
  get etcd(): EtcdHealth | undefined {
    return this.#etcd;
  }

  /** `dcs` while the watch drives the model, `rest-poll` while polling REST, `closed` after `close()`. */
  get mode(): LiveMode {
    return this.#mode;
  }

  /** The last read or connection error (cleared by the next success). */
  get lastError(): PatroniKitError | undefined {
    return this.#lastError;
  }

  /** Registers a listener for every event; returns the function that removes it. */
  on(listener: (event: LiveEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves with the first view (at once when there is one); rejects with ABORTED when closed first. */
  ready(opts: { signal?: AbortSignal } = {}): Promise<ClusterView> {
    if (this.#view) return Promise.resolve(this.#view);
    if (this.#isClosed()) return Promise.reject(new PatroniKitError('ABORTED', 'the live model is closed'));
    return new Promise((resolve, reject) => {
      const w = {
        resolve: (v: ClusterView) => {
          opts.signal?.removeEventListener('abort', onAbort);
          resolve(v);
        },
        reject: (e: unknown) => {
          opts.signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      const onAbort = () => {
        this.#readyWaiters.delete(w);
        reject(new PatroniKitError('ABORTED', 'waiting for the first view was aborted'));
      };
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.#readyWaiters.add(w);
    });
  }

  /** Re-reads the cluster now (coalesced with any read under way); resolves when a read after this call finished. */
  async refresh(): Promise<ClusterView | undefined> {
    if (this.#isClosed()) throw new PatroniKitError('ABORTED', 'the live model is closed');
    this.#pendingReason = 'refresh';
    if (this.#reading) {
      this.#dirty = true;
      await this.#reading;
    }
    // The read asked for while another ran: run it now rather than after the coalescing delay.
    clearTimeout(this.#coalesceTimer);
    this.#coalesceTimer = undefined;
    this.#dirty = false;
    await (this.#reading ?? this.#read());
    return this.#view;
  }

  /** Aborts every in-flight read, wait and reconnect, closes the DCS connections and drops listeners. */
  close(): Promise<void> {
    if (this.#closed) return this.#closed;
    this.#mode = 'closed';
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#ac.abort();
    clearTimeout(this.#coalesceTimer);
    clearTimeout(this.#pollTimer);
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const w of this.#readyWaiters) w.reject(new PatroniKitError('ABORTED', 'the live model was closed'));
    this.#readyWaiters.clear();
    const watch = this.#watch;
    const dcs = this.#dcs;
    this.#watch = undefined;
    this.#dcs = undefined;
    this.#closed = (async () => {
      await watch?.close().catch(() => undefined);
      dcs?.close();
      this.#listeners.clear();
    })();
    return this.#closed;
  }

  // ------------------------------------------------------------------ internals

  #isClosed(): boolean {
    return this.#mode === 'closed';
  }

  #emit(body: EventBody): void {
    if (this.#isClosed()) return;
    const event = { ...body, scope: this.scope, at: Date.now() } as LiveEvent;
    for (const l of this.#listeners) {
      try {
        l(event);
      } catch {
        // One failing listener must not stop the others or the model.
      }
    }
  }

  /** An abortable sleep whose timer `close()` clears (no handle left behind). */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.#ac.signal;
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(t);
        this.#timers.delete(t);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.#timers.add(t);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  #setMode(mode: LiveMode): void {
    if (this.#isClosed()) return;
    this.#mode = mode;
    this.#schedulePoll();
  }

  /** The next periodic read: fast polling in REST mode, slow re-confirmation in DCS mode. */
  #schedulePoll(): void {
    clearTimeout(this.#pollTimer);
    this.#pollTimer = undefined;
    if (this.#isClosed()) return;
    const ms =
      this.#mode === 'dcs'
        ? this.#opts.confirmIntervalMs
        : this.#mode === 'rest-poll'
          ? this.#opts.pollIntervalMs
          : 0;
    if (ms <= 0) return;
    this.#pollTimer = setTimeout(() => {
      this.#pendingReason = this.#mode === 'dcs' ? 'confirm' : 'poll';
      this.#kick(0);
    }, ms);
  }

  /** Asks for a read `delayMs` from now; several asks before it starts make one read. */
  #kick(delayMs: number): void {
    if (this.#isClosed()) return;
    if (this.#reading) {
      this.#dirty = true;
      return;
    }
    if (this.#coalesceTimer) return;
    this.#coalesceTimer = setTimeout(() => {
      this.#coalesceTimer = undefined;
      void this.#read();
    }, delayMs);
  }

  #read(): Promise<void> {
    const events = this.#pendingEvents;
    const eventAt = this.#pendingAt;
    const reason = this.#pendingReason;
    this.#pendingEvents = [];
    this.#pendingAt = undefined;
    this.#pendingReason = 'confirm';
    this.#reading = (async () => {
      try {
        const view = await this.cluster.status({ signal: this.#ac.signal });
        if (this.#isClosed()) return;
        this.reads++;
        this.#lastError = undefined;
        if (this.#restDownSince !== undefined) {
          this.#emit({
            type: 'connection-restored',
            source: 'rest',
            downMs: Date.now() - this.#restDownSince,
          });
          this.#restDownSince = undefined;
        }
        const prev = this.#view;
        this.#view = view;
        if (prev)
          for (const e of diffViews(
            prev,
            view,
            this.#opts.lagThresholdBytes === undefined
              ? {}
              : { lagThresholdBytes: this.#opts.lagThresholdBytes },
          ))
            this.#emit(e);
        this.#emit({
          type: 'view',
          view,
          reason,
          dcsEvents: events,
          ...(eventAt === undefined ? {} : { dcsEventAt: eventAt }),
          readyAt: performance.now(),
        });
        for (const w of this.#readyWaiters) w.resolve(view);
        this.#readyWaiters.clear();
      } catch (err) {
        if (this.#isClosed()) return;
        const error = asError(err, 'CONNECT');
        this.#lastError = error;
        if (fatal(err)) {
          for (const w of this.#readyWaiters) w.reject(error);
          this.#readyWaiters.clear();
        }
        if (this.#restDownSince === undefined) {
          this.#restDownSince = Date.now();
          this.#emit({ type: 'connection-lost', source: 'rest', error });
        }
      }
    })().finally(() => {
      this.#reading = undefined;
      if (this.#isClosed()) return;
      if (this.#dirty) {
        this.#dirty = false;
        this.#kick(this.#opts.coalesceMs);
      } else this.#schedulePoll();
    });
    return this.#reading;
  }

  /** Starts the DCS watch, retrying with bounded exponential backoff until it works or the model closes. */
  async #connectDcs(): Promise<void> {
    let delay = this.#opts.reconnectInitialMs;
    while (!this.#isClosed()) {
      try {
        this.#dcs ??= await this.#makeDcs();
        if (this.#isClosed()) return;
        const watch = this.#dcs.watchCluster(this.scope, {
          signal: this.#ac.signal,
          timeoutMs: this.#opts.dcsTimeoutMs,
          maxRetryDelayMs: this.#opts.reconnectMaxMs,
          ...(this.cluster.target.group === undefined ? {} : { group: this.cluster.target.group }),
          ...(this.#opts.lagThresholdBytes === undefined
            ? {}
            : { lagThresholdBytes: this.#opts.lagThresholdBytes }),
        });
        watch.on((e) => this.#onDcsEvent(e));
        this.#watch = watch;
        await watch.start();
        if (this.#isClosed()) return;
        this.#dcsUp('dcs-connected');
        return;
      } catch (err) {
        this.#watch = undefined;
        if (this.#isClosed()) return;
        this.#dcsDown(asError(err, 'DCS'));
        if (fatal(err)) return;
        await this.#sleep(delay);
        delay = Math.min(delay * 2, this.#opts.reconnectMaxMs);
      }
    }
  }

  async #makeDcs(): Promise<DcsClient> {
    const { DcsClient } = await import('@patroni-kit/dcs');
    const t = this.cluster.target;
    return new DcsClient({
      ...t.dcs!.connection,
      namespace: t.namespace,
      timeoutMs: this.#opts.dcsTimeoutMs,
    });
  }

  #dcsUp(reason: string): void {
    if (this.#dcsDownSince !== undefined) {
      this.#emit({ type: 'connection-restored', source: 'dcs', downMs: Date.now() - this.#dcsDownSince });
      this.#dcsDownSince = undefined;
    }
    this.#setMode('dcs');
    this.#pendingReason = reason;
    this.#kick(0);
  }

  #dcsDown(error: PatroniKitError): void {
    this.#lastError = error;
    if (this.#dcsDownSince === undefined) {
      this.#dcsDownSince = Date.now();
      this.#emit({ type: 'connection-lost', source: 'dcs', error });
    }
    if (this.#mode !== 'rest-poll') {
      this.#setMode('rest-poll');
      this.#pendingReason = 'poll';
      this.#kick(0);
    }
  }

  #onDcsEvent(e: ClusterEvent): void {
    if (this.#isClosed()) return;
    if (e.type === 'watch-status') {
      if (e.state === 'retrying' || (e.state === 'resyncing' && this.#dcsDownSince !== undefined))
        this.#dcsDown(
          new PatroniKitError(
            (e.error?.code as 'DCS') ?? 'DCS',
            e.error?.message ?? e.reason ?? 'etcd unreachable',
            {
              ...(e.error?.hint ? { hint: e.error.hint } : {}),
            },
          ),
        );
      else if (e.state === 'resynced' || (e.state === 'connected' && this.#mode !== 'dcs'))
        this.#dcsUp('dcs-connected');
      // A broken stream often means an etcd member went away: look at etcd now, not at the next interval.
      if (e.state === 'disconnected' || e.state === 'resynced') void this.#checkEtcd();
      return;
    }
    this.#pendingEvents.push(e);
    this.#pendingAt ??= performance.now();
    this.#pendingReason = 'dcs-change';
    this.#kick(this.#opts.coalesceMs);
  }

  /** Probes etcd health every `etcdHealthIntervalMs` until the model closes. */
  async #etcdLoop(): Promise<void> {
    while (!this.#isClosed()) {
      await this.#checkEtcd();
      await this.#sleep(this.#opts.etcdHealthIntervalMs);
    }
  }

  /** Probes etcd health once (skipped while a probe is under way) and emits what changed. */
  async #checkEtcd(): Promise<void> {
    if (this.#healthRunning) return;
    this.#healthRunning = true;
    try {
      this.#dcs ??= await this.#makeDcs();
      const dcs = this.#dcs;
      if (this.#isClosed()) return;
      const health = await dcs.health({ signal: this.#ac.signal, timeoutMs: this.#opts.dcsTimeoutMs });
      if (this.#isClosed()) return;
      const prev = this.#etcd;
      this.#etcd = health;
      const events = diffEtcd(prev, health);
      for (const e of events) this.#emit(e);
      if (!prev || etcdKey(prev) !== etcdKey(health)) {
        this.#emit({ type: 'etcd', health });
        // Without quorum the keys cannot change and reads fail: the model polls REST until it returns.
        if (health.quorum.state === 'lost')
          this.#dcsDown(
            new PatroniKitError('QUORUM', health.quorum.message, {
              hint: 'start the stopped etcd members; the view comes from the members REST APIs meanwhile',
            }),
          );
        else if (prev?.quorum.state === 'lost' && this.#watch) this.#dcsUp('dcs-connected');
        else if (prev) {
          // An etcd member came or went: the view is read again so subscribers get a fresh one.
          this.#pendingReason = 'etcd-change';
          this.#kick(this.#opts.coalesceMs);
        }
      }
    } catch (err) {
      if (!this.#isClosed()) this.#lastError = asError(err, 'DCS');
    } finally {
      this.#healthRunning = false;
    }
  }
}

/**
 * Watches `cluster` for as long as the caller needs: the current REST-confirmed view and typed events.
 * The model does not own `cluster`: close the model first, then the cluster.
 */
export function watchCluster(cluster: Cluster, opts: LiveOptions = {}): LiveCluster {
  return new LiveCluster(cluster, opts);
}
