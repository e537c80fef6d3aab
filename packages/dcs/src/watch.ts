/**
 * The live model: one range read, then a watch from the revision it returned (Patroni's own pattern),
 * turned into typed events. Compaction, a lost etcd member and expired auth tokens lead to "list again,
 * watch again"; every interruption is reported as a `watch-status` event, never swallowed.
 */
import { isPatroniKitError, PatroniKitError } from '@patroni-kit/errors';
import { buildClusterState, type RawKv } from './decode.js';
import { type DiffOptions, diffStates } from './events.js';
import { clusterPrefix, normalizeNamespace } from './keys.js';
import type { EtcdTransport, WatchHandle } from './transport.js';
import type { ClusterEvent, ClusterState } from './types.js';

/** Options for {@link ClusterWatch}. */
export interface WatchOptions extends DiffOptions {
  /** Closing: aborting this signal closes the watch. */
  signal?: AbortSignal;
  /** Timeout of each read (ms). */
  timeoutMs?: number;
  /** Citus group. */
  group?: number;
  /** After a stream break, how long to wait for the stream to come back before listing again elsewhere (ms, default 3000). */
  reconnectGraceMs?: number;
  /** Start even when the scope has no keys yet (default false: `start()` rejects with NOT_FOUND). */
  allowMissing?: boolean;
  /** Builds the NOT_FOUND error (set by `DcsClient.watchCluster`). */
  missing?: () => Promise<PatroniKitError>;
  /** Longest pause between resync attempts (ms, default 5000). */
  maxRetryDelayMs?: number;
}

type Listener = (event: ClusterEvent) => void;

/** A live view of one cluster. Create with `DcsClient.watchCluster`, then `await start()`. */
export class ClusterWatch {
  readonly scope: string;
  readonly namespace: string;
  readonly prefix: string;
  private transport: EtcdTransport | undefined;
  private handle: WatchHandle | undefined;
  private kvs = new Map<string, RawKv>();
  private current: ClusterState | undefined;
  private listeners = new Set<Listener>();
  private closed = false;
  private disconnected = false;
  private graceTimer: NodeJS.Timeout | undefined;
  private resyncing: Promise<void> | undefined;
  private generation = 0;
  private readonly onAbort = () => void this.close();
  /** Number of resyncs (list again, watch again) so far. */
  resyncs = 0;

  private readonly makeTransport: (endpoints: string[]) => EtcdTransport;
  private readonly options: WatchOptions;
  private endpoints: string[];
  private nextEndpoint = 0;
  /** The etcd endpoint the watch stream is on. */
  endpoint: string | undefined;

  /**
   * `makeTransport` builds a client for the given endpoints. The watch talks to one endpoint at a time, so it
   * knows which member it depends on, and moves to the next endpoint when that member is lost.
   */
  constructor(
    makeTransport: (endpoints: string[]) => EtcdTransport,
    endpoints: readonly string[],
    scope: string,
    namespace: string,
    options: WatchOptions = {},
  ) {
    this.makeTransport = makeTransport;
    this.endpoints = [...endpoints];
    this.options = options;
    this.scope = scope;
    this.namespace = normalizeNamespace(namespace);
    this.prefix = clusterPrefix(this.namespace, scope, options.group);
  }

  /** The latest state (after `start`). */
  get state(): ClusterState {
    if (!this.current) throw new PatroniKitError('INTERNAL', 'ClusterWatch.state read before start()');
    return this.current;
  }

  /** Registers a listener; returns a function that removes it. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads the cluster and starts watching. Rejects (with a typed error) if the first read fails. */
  async start(): Promise<ClusterState> {
    if (this.options.signal?.aborted) throw new PatroniKitError('ABORTED', 'watch aborted before start');
    this.options.signal?.addEventListener('abort', this.onAbort, { once: true });
    try {
      const state = await this.connectAndList();
      if (this.kvs.size === 0 && !this.options.allowMissing) {
        throw this.options.missing
          ? await this.options.missing()
          : new PatroniKitError('NOT_FOUND', `no Patroni cluster '${this.scope}' in /${this.namespace}/`, {
              hint: 'Check scope and namespace, or pass allowMissing to wait for the cluster to appear.',
            });
      }
      this.current = state;
      this.startWatch(state.revision);
      void this.discover();
      return state;
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** Events as an async iterator; ends when the watch is closed. */
  async *events(): AsyncGenerator<ClusterEvent> {
    const queue: ClusterEvent[] = [];
    let wake: (() => void) | undefined;
    const off = this.on((e) => {
      queue.push(e);
      wake?.();
    });
    const onClose = () => wake?.();
    this.closeWaiters.add(onClose);
    try {
      while (true) {
        while (queue.length > 0) yield queue.shift()!;
        if (this.closed) return;
        await new Promise<void>((r) => {
          wake = r;
        });
        wake = undefined;
      }
    } finally {
      off();
      this.closeWaiters.delete(onClose);
    }
  }

  private closeWaiters = new Set<() => void>();

  /** Stops watching and releases the etcd connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    clearTimeout(this.graceTimer);
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
    this.transport?.close();
    for (const w of this.closeWaiters) w();
  }

  private emit(event: ClusterEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A failing listener must not stop the others or the watch.
      }
    }
  }

  private status(
    state: 'connected' | 'disconnected' | 'resyncing' | 'resynced' | 'retrying',
    reason?: string,
    err?: unknown,
  ): void {
    const error =
      err === undefined
        ? undefined
        : isPatroniKitError(err)
          ? { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) }
          : { code: 'DCS', message: String(err) };
    this.emit({
      type: 'watch-status',
      state,
      ...(reason === undefined ? {} : { reason }),
      ...(error === undefined ? {} : { error }),
      scope: this.scope,
      revision: this.current?.revision ?? '0',
      at: new Date().toISOString(),
    });
  }

  /** Tries each endpoint once, starting after the last one used; throws the last error when none answers. */
  private async connectAndList(): Promise<ClusterState> {
    let lastErr: unknown;
    for (let i = 0; i < this.endpoints.length && !this.closed; i++) {
      const endpoint = this.endpoints[(this.nextEndpoint + i) % this.endpoints.length]!;
      this.transport?.close();
      this.transport = this.makeTransport([endpoint]);
      try {
        const state = await this.list();
        this.endpoint = endpoint;
        this.nextEndpoint = (this.nextEndpoint + i + 1) % this.endpoints.length;
        return state;
      } catch (err) {
        lastErr = err;
        // Bad credentials, missing permissions or an aborted watch will not get better on another member.
        if (
          isPatroniKitError(err, 'AUTH', 'ABORTED', 'USAGE', 'CONFIG') &&
          !/token/i.test((err as Error).message)
        )
          break;
      }
    }
    throw lastErr ?? new PatroniKitError('ABORTED', 'watch closed');
  }

  /** Adds the client URLs of every etcd member, like Patroni's own discovery, so the watch can move to them. */
  private async discover(): Promise<void> {
    try {
      const { members } = await this.transport!.memberList({ timeoutMs: this.options.timeoutMs ?? 5000 });
      for (const m of members) {
        const url = m.clientUrls[0];
        if (url && !this.endpoints.includes(url.replace(/\/$/, '')))
          this.endpoints.push(url.replace(/\/$/, ''));
      }
    } catch {
      // Discovery is best effort; the configured endpoints still work.
    }
  }

  private async list(): Promise<ClusterState> {
    const t = this.transport!;
    const res = await t.range(this.prefix, {
      prefix: true,
      ...(this.options.signal ? { signal: this.options.signal } : {}),
      ...(this.options.timeoutMs === undefined ? {} : { timeoutMs: this.options.timeoutMs }),
    });
    this.kvs = new Map(res.kvs.map((kv) => [kv.key, kv]));
    return this.build(res.revision);
  }

  private build(revision: string): ClusterState {
    return buildClusterState(this.kvs.values(), {
      namespace: this.namespace,
      scope: this.scope,
      prefix: this.prefix,
      revision,
    });
  }

  private startWatch(fromRevision: string): void {
    const gen = ++this.generation;
    const next = (BigInt(fromRevision) + 1n).toString();
    this.handle = this.transport!.watchPrefix(this.prefix, next, {
      onEvents: (revision, events) => {
        if (gen !== this.generation || this.closed) return;
        for (const ev of events) {
          if (ev.type === 'delete') this.kvs.delete(ev.kv.key);
          else this.kvs.set(ev.kv.key, ev.kv);
        }
        this.advance(this.build(revision));
      },
      onConnected: () => {
        if (gen !== this.generation || this.closed) return;
        if (this.disconnected) {
          this.disconnected = false;
          clearTimeout(this.graceTimer);
          this.status('connected', 'watch stream re-established');
        }
      },
      onDisconnected: (err) => {
        if (gen !== this.generation || this.closed) return;
        if (!this.disconnected) {
          this.disconnected = true;
          this.status('disconnected', err instanceof Error ? err.message : String(err));
          // If etcd3 cannot re-establish the stream on its own (all members it tries fail, stale token...),
          // list and watch again with a fresh connection.
          this.graceTimer = setTimeout(() => {
            if (this.disconnected && gen === this.generation)
              void this.resync('watch stream did not come back');
          }, this.options.reconnectGraceMs ?? 3000);
        }
      },
      onCancelled: (err) => {
        if (gen !== this.generation || this.closed) return;
        void this.resync(`watch cancelled: ${err.message}`, err);
      },
    });
  }

  private advance(next: ClusterState): void {
    const prev = this.current!;
    this.current = next;
    for (const e of diffStates(prev, next, this.options)) this.emit(e);
  }

  /** Lists again and watches again with a fresh connection, retrying until it works or the watch is closed. */
  private resync(reason: string, cause?: unknown): Promise<void> {
    if (this.resyncing) return this.resyncing;
    this.resyncing = (async () => {
      this.generation++;
      clearTimeout(this.graceTimer);
      this.status('resyncing', reason, cause);
      let delay = 250;
      const maxDelay = this.options.maxRetryDelayMs ?? 5000;
      while (!this.closed) {
        const old = this.handle;
        this.handle = undefined;
        await old?.close();
        try {
          // A fresh client re-authenticates: etcd3 refreshes tokens only for unary calls, not for watch streams.
          const state = await this.connectAndList();
          if (this.closed) return;
          this.advance(state);
          this.resyncs++;
          this.disconnected = false;
          this.startWatch(state.revision);
          this.status('resynced', `${reason}; now watching through ${this.endpoint}`);
          return;
        } catch (err) {
          if (this.closed) return;
          this.status('retrying', `resync failed, next attempt in ${delay} ms`, err);
          // close() must not wait for (or leave behind) this timer.
          await new Promise<void>((r) => {
            const done = () => {
              clearTimeout(t);
              this.closeWaiters.delete(done);
              r();
            };
            const t = setTimeout(done, delay);
            this.closeWaiters.add(done);
          });
          delay = Math.min(delay * 2, maxDelay);
        }
      }
    })().finally(() => {
      this.resyncing = undefined;
    });
    return this.resyncing;
  }
}
